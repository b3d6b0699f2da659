"""Limits (issue 8 §6): body caps by endpoint, JSON depth and shape, bad query parameters and ids —
each one a finding that used to end in a 500 or in a gigabyte spooled to disk."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings
from rest_framework.test import APIClient

from sanxiang.cases.services import case_open
from sanxiang.common.middleware import request_size_cap
from sanxiang.common.parsers import json_depth_exceeds
from sanxiang.testing import citizen_party, token_client

pytestmark = pytest.mark.django_db

MIB = 1 << 20


def open_case(world):
    return case_open(actor=world.alice, item=world.item, party=citizen_party(), title="擅自倾倒建筑垃圾",
                     officers=[world.alice_officer, world.bob_officer])


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    error = response.json()["error"]
    assert error["code"] == code, error
    assert set(error) >= {"code", "message", "field", "rule"}
    return error


# --- Request size -----------------------------------------------------------------------------

def test_anonymous_4_gib_token_request_is_refused_before_the_body_is_read():
    # The finding: Content-Length 4294967296 to /api/auth/token/ spooled 1 GiB to disk. The body
    # here is empty: a 413 proves the answer came from the header alone.
    response = Client().generic("POST", "/api/auth/token/", b"", content_type="application/json",
                                CONTENT_LENGTH="4294967296")
    error = assert_error(response, 413, "request_too_large")
    assert error["field"] == "Content-Length" and error["rule"] == "REQUEST_MAX_BYTES_JSON"
    assert "4 GiB" in error["message"] and "1 MiB" in error["message"]


def test_form_post_over_its_cap_gets_a_chinese_page():
    response = Client().generic("POST", "/accounts/logout/", b"", content_type="application/x-www-form-urlencoded",
                                CONTENT_LENGTH=str(5 * MIB))
    assert response.status_code == 413
    assert response["Content-Type"].startswith("text/html")
    assert "超过此接口的上限" in response.content.decode()


def test_caps_by_kind_of_endpoint(settings):
    assert request_size_cap("POST", "/api/auth/token/") == ("REQUEST_MAX_BYTES_JSON", 1 * MIB)
    assert request_size_cap("POST", "/staff/cases/1/actions/approve/") == ("REQUEST_MAX_BYTES_FORM", 2 * MIB)
    assert request_size_cap("POST", "/staff/registry/import/") == ("REQUEST_MAX_BYTES_IMPORT", 20 * MIB)
    assert request_size_cap("POST", "/api/registry/import/officers/") == ("REQUEST_MAX_BYTES_IMPORT", 20 * MIB)
    chunk = ("REQUEST_MAX_BYTES_UPLOAD", settings.EVIDENCE_CHUNK_BYTES + MIB)
    assert request_size_cap("PATCH", "/api/evidence/uploads/0b3c2a4e-1f7d-4c55-9a43-0c1e2d3f4a5b/") == chunk
    assert request_size_cap("POST", "/api/cases/7/evidence/") == chunk
    assert request_size_cap("POST", "/staff/cases/7/evidence/") == chunk
    # A GET of the upload resource is no chunk: the small cap.
    assert request_size_cap("POST", "/api/evidence/uploads/") == ("REQUEST_MAX_BYTES_JSON", 1 * MIB)
    assert settings.REQUEST_MAX_BYTES_LARGEST == settings.EVIDENCE_CHUNK_BYTES + MIB


def test_chunk_over_the_chunk_cap_is_refused_and_one_at_the_cap_passes_the_middleware(world, settings):
    settings.EVIDENCE_CHUNK_BYTES = 1000
    settings.REQUEST_MAX_BYTES_UPLOAD = 1000 + 24
    client = token_client(world.alice)
    url = "/api/evidence/uploads/0b3c2a4e-1f7d-4c55-9a43-0c1e2d3f4a5b/"
    refused = client.generic("PATCH", url, b"x" * 1025, content_type="application/offset+octet-stream",
                             HTTP_UPLOAD_OFFSET="0")
    error = assert_error(refused, 413, "request_too_large")
    assert "分片上传" in error["message"]
    # At the cap the request reaches the API, which answers for the unknown upload.
    passed = client.generic("PATCH", url, b"x" * 1024, content_type="application/offset+octet-stream",
                            HTTP_UPLOAD_OFFSET="0")
    assert passed.status_code == 404


def test_malformed_content_length_is_a_400():
    response = Client().generic("POST", "/api/auth/token/", b"", content_type="application/json",
                                CONTENT_LENGTH="１２")
    assert_error(response, 400, "bad_content_length")


def test_serve_gives_waitress_the_largest_cap(monkeypatch, settings):
    from sanxiang.common.management.commands import serve

    seen = {}

    class Server:
        def run(self):
            seen["ran"] = True

    def create_server(app, **kwargs):
        seen.update(kwargs)
        return Server()

    monkeypatch.setattr(serve, "create_server", create_server)
    serve.Command().handle(host="127.0.0.1", port=0, workers=1, threads=1)
    assert seen["max_request_body_size"] == settings.REQUEST_MAX_BYTES_LARGEST < 1 << 30 and seen["ran"]


# --- JSON -------------------------------------------------------------------------------------

def test_5000_deep_json_is_a_400_json_too_deep(world):
    client = token_client(world.alice)
    body = "[" * 5000 + "]" * 5000
    response = client.generic("POST", "/api/cases/", body, content_type="application/json")
    error = assert_error(response, 400, "json_too_deep")
    assert "32" in error["message"] and error["rule"]


def test_anonymous_deep_json_to_the_token_endpoint_is_a_400():
    response = APIClient().generic("POST", "/api/auth/token/", '{"a":' * 5000 + "1" + "}" * 5000,
                                   content_type="application/json")
    assert_error(response, 400, "json_too_deep")


def test_depth_counts_brackets_outside_strings_only():
    assert not json_depth_exceeds('{"a": "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["}', 3)
    assert not json_depth_exceeds('{"a": "\\"[[[[["}', 1)
    assert json_depth_exceeds('{"a": [[1]]}', 2)
    assert not json_depth_exceeds('{"a": [[1]]}', 3)


def test_json_array_to_an_action_is_a_400_naming_the_rule(world):
    case = open_case(world)
    client = token_client(world.carol)
    response = client.post(f"/api/cases/{case.pk}/actions/approve/", [1, 2, 3], format="json")
    error = assert_error(response, 400, "json_not_object")
    assert "JSON 对象" in error["message"] and "数组" in error["message"]
    case.refresh_from_db()
    assert case.state == "filing"  # nothing moved


@pytest.mark.parametrize("body", ['"text"', "42", "true", "null"])
def test_non_object_json_bodies_are_refused_where_an_object_is_expected(world, body):
    client = token_client(world.alice)
    response = client.generic("POST", "/api/cases/", body, content_type="application/json")
    if body == "null":
        # null is "no body": the serializer then names the missing fields.
        assert_error(response, 400, "validation_failed")
    else:
        assert_error(response, 400, "json_not_object")


def test_malformed_json_is_a_parse_error():
    response = APIClient().generic("POST", "/api/auth/token/", '{"username": ', content_type="application/json")
    assert_error(response, 400, "parse_error")


# --- Query parameters and ids -------------------------------------------------------------------

@pytest.mark.parametrize("since", ["2026-13-45", "2026-02-30", "yesterday"])
def test_impossible_date_on_the_access_log_api_is_a_field_error(world, since):
    response = token_client(world.sam).get("/api/access-log/", {"since": since})
    error = assert_error(response, 400, "invalid_date")
    assert error["field"] == "since" and "YYYY-MM-DD" in error["message"]


def test_impossible_date_on_the_access_log_page_shows_the_rule(world):
    client = Client()
    client.force_login(world.sam)
    response = client.get("/staff/supervision/access-log/", {"until": "2026-13-45"})
    assert response.status_code == 400
    assert "参数 until 须为有效日期" in response.content.decode()


@pytest.mark.parametrize("raw", ["95167734569403285504", "²", "-1", "1e3"])
def test_case_parameter_beyond_a_database_key_is_a_field_error(world, raw):
    client = token_client(world.alice)
    error = assert_error(client.get("/api/evidence/", {"case": raw}), 400, "invalid_integer")
    assert error["field"] == "case"
    error = assert_error(client.get("/api/evidence/uploads/", {"case": raw}), 400, "invalid_integer")
    assert error["field"] == "case"


def test_missing_case_parameter_is_a_field_error(world):
    error = assert_error(token_client(world.alice).get("/api/evidence/"), 400, "required")
    assert error["field"] == "case"


@pytest.mark.parametrize("url", [
    "/api/cases/95167734569403285504/", "/api/evidence/95167734569403285504/",
    "/transparency/v1/entries/95167734569403285504",
])
def test_id_in_the_url_beyond_a_database_key_is_a_json_404(world, url):
    # Django 5.2 answers out-of-range integer lookups with no rows; this pins that down.
    assert_error(token_client(world.alice).get(url), 404, "not_found")


def test_id_in_a_staff_url_beyond_a_database_key_is_a_404_page(world):
    client = Client()
    client.force_login(world.alice)
    response = client.get("/staff/cases/95167734569403285504/")
    assert response.status_code == 404 and "对象不存在或无权查看" in response.content.decode()


def test_case_form_with_an_overflowing_item_id_is_a_form_error(world):
    client = Client()
    client.force_login(world.alice)
    response = client.post("/staff/cases/new/", {"item": "95167734569403285504", "officers": ["²"], "title": "x"})
    assert response.status_code in (200, 400)
    assert "请选择执法事项" in response.content.decode()


# --- Django-level errors under /api/ and /transparency/ --------------------------------------------

def test_unknown_api_url_is_a_json_404():
    assert_error(APIClient().get("/api/no-such-thing/"), 404, "not_found")
    assert_error(APIClient().get("/transparency/v1/no-such-thing"), 404, "not_found")


def test_wrong_method_on_the_transparency_api_is_a_json_405(world):
    response = Client().post("/transparency/v1/checkpoint")
    error = assert_error(response, 405, "method_not_allowed")
    assert "GET" in error["message"] and response["Allow"] == "GET"


def test_wrong_method_on_the_api_is_a_json_405(world):
    assert_error(token_client(world.alice).delete("/api/cases/"), 405, "method_not_allowed")


def test_unsupported_media_type_is_a_json_415(world):
    response = token_client(world.alice).generic("POST", "/api/cases/", b"<x/>", content_type="application/xml")
    assert_error(response, 415, "unsupported_media_type")


@pytest.mark.urls("sanxiang.common.tests.urls_boom")
@override_settings(DEBUG=False)
def test_server_error_under_the_api_is_json_and_elsewhere_a_chinese_page():
    client = Client(raise_request_exception=False)
    error = assert_error(client.get("/api/boom/"), 500, "server_error")
    assert "boom" not in error["message"]
    response = client.get("/staff/boom/")
    assert response.status_code == 500 and response["Content-Type"].startswith("text/html")
    text = response.content.decode()
    assert "服务器内部错误" in text and "boom" not in text


def test_unknown_page_is_a_chinese_404():
    response = Client().get("/no-such-page/")
    assert response.status_code == 404 and "对象不存在或无权查看" in response.content.decode()


# --- The same fault elsewhere: parse_date raises on a well-formed impossible date -----------------

def test_impossible_date_in_a_flow_field_is_a_field_error():
    from sanxiang.cases.engine import FieldSpec, clean_value

    spec = FieldSpec(name="notice_served_on", label="事先告知书送达日期", type="date", required=True)
    value, error = clean_value(spec, "2026-13-45", None)
    assert value is None and error == "“事先告知书送达日期”须为有效日期（YYYY-MM-DD）"


def test_impossible_opening_date_on_the_case_form_is_a_form_error(world):
    client = Client()
    client.force_login(world.alice)
    response = client.post("/staff/cases/new/", {
        "item": str(world.item.pk), "title": "擅自倾倒建筑垃圾", "opened_on": "2026-13-45",
        "officers": [str(world.alice_officer.pk), str(world.bob_officer.pk)], "party_kind": "citizen",
        "party_name": "张三丰"})
    assert response.status_code in (200, 400)
    assert "立案日期须为有效日期" in response.content.decode()


@pytest.mark.parametrize(("kind", "raw", "code"), [("date", "2026-13-45", "date_invalid"),
                                                ("datetime", "2026-02-30 25:61", "datetime_invalid")])
def test_impossible_date_in_a_document_field_is_a_field_error(kind, raw, code):
    import datetime as dt

    from sanxiang.common.exceptions import ValidationFailed
    from sanxiang.documents.kinds import ExtraField
    from sanxiang.documents.services import _clean_field

    with pytest.raises(ValidationFailed) as refused:
        _clean_field(ExtraField("inspected_at", "检查时间", kind), raw, dt.datetime.now(dt.UTC))
    assert refused.value.code == code and refused.value.field == "inspected_at"


# --- NUL characters (PostgreSQL refuses them with an error that was a 500) ---------------------------

@pytest.mark.parametrize("url", ["/officers/?q=%00", "/decisions/?q=a%00b", "/api/public/officers/?q=%00"])
def test_nul_in_a_query_parameter_is_a_400(db, url):
    response = Client().get(url)
    assert response.status_code == 400
    if url.startswith("/api/"):
        assert_error(response, 400, "nul_character")
    else:
        assert "不得包含 NUL" in response.content.decode()


def test_nul_in_a_form_field_is_a_400_and_upload_views_still_work(world):
    client = Client()
    client.force_login(world.alice)
    response = client.post("/staff/parties/", "q=%00", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
    case = open_case(world)
    # A urlencoded post to the upload view (which installs its own upload handler) is not broken
    # by the check.
    response = client.post(f"/staff/cases/{case.pk}/evidence/", "kind=photo",
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code < 500


def test_nul_in_json_is_a_400(world):
    client = token_client(world.alice)
    response = client.generic("POST", "/api/cases/", '{"title": "a\\u0000b"}', content_type="application/json")
    assert_error(response, 400, "nul_character")
    # An escaped backslash followed by "u0000" is no NUL.
    response = client.generic("POST", "/api/cases/", '{"title": "a\\\\u0000b"}', content_type="application/json")
    assert response.json()["error"]["code"] != "nul_character"


# --- The one format for 401 and 403, and the schema that documents it -----------------------------

def test_bad_token_is_a_json_401_and_a_role_refusal_a_json_403(world):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    assert_error(client.get("/api/cases/"), 401, "token_invalid")
    assert_error(token_client(world.alice).get("/api/access-log/"), 403, "role_not_allowed")


def test_schema_documents_the_error_answers_of_every_operation():
    import yaml

    schema = yaml.safe_load(APIClient().get("/api/schema/").content)
    error = schema["components"]["schemas"]["Error"]
    assert error["properties"]["error"]["required"] == ["code", "message"]
    operations = [(path, method, op) for path, item in schema["paths"].items() for method, op in item.items()]
    assert len(operations) > 20
    for path, method, op in operations:
        for status in ("400", "401", "403", "404", "405", "413", "415", "429", "500"):
            content = op["responses"][status]["content"]["application/json"]["schema"]
            assert content == {"$ref": "#/components/schemas/Error"}, (path, method, status)
        assert ("409" in op["responses"]) == (method in {"post", "put", "patch", "delete"}), (path, method)


def test_transparency_parameters_refuse_non_ascii_digits_in_chinese(db):
    response = Client().get("/transparency/v1/leaves", {"start": "²", "end": "3"})
    error = response.json()["error"]
    assert response.status_code == 400 and error["code"] == "bad_parameter"
    assert error["message"] == "参数 start 须为非负整数"
