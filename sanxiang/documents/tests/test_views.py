"""The staff pages and the API issue and serve documents through the same service, scoped."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.test import Client, RequestFactory
from rest_framework.test import APIClient

from sanxiang.cases.walkthrough import walk
from sanxiang.documents.models import Document
from sanxiang.documents.tests.conftest import EXTRA, stored_bytes
from sanxiang.ledger.models import Entry

pytestmark = [pytest.mark.django_db, pytest.mark.urls("sanxiang.documents.tests.urls")]


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_officer_issues_from_the_page_and_downloads_the_frozen_files(world, cast, open_case):
    case = walk(open_case(), cast, until="investigation")
    client = login(world.alice)
    page = client.get(f"/staff/documents/cases/{case.pk}/")
    assert page.status_code == 200 and "制作询问笔录" in page.content.decode()
    post = {"kind": "inquiry_record", **{f"inquiry_record-{k}": v for k, v in EXTRA["inquiry_record"].items()}}
    response = client.post(f"/staff/documents/cases/{case.pk}/issue/", post)
    assert response.status_code == 302
    doc = Document.objects.get(case=case)
    assert doc.extra["qa"][0]["q"] == "幸福路东北角的建筑垃圾是谁倾倒的？"
    pdf = client.get(f"/staff/documents/{doc.pk}/pdf/")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert b"".join(pdf.streaming_content) == stored_bytes(doc.pdf)
    docx = client.get(f"/staff/documents/{doc.pk}/docx/")
    assert docx.status_code == 200 and b"".join(docx.streaming_content)[:2] == b"PK"
    # Each download is itself in the access log and the ledger (调阅监督).
    assert Entry.objects.filter(kind="access.download").count() == 2


def test_htmx_issue_answers_with_the_panel_and_shows_a_refusal_next_to_the_field(world, cast, open_case):
    case = walk(open_case(), cast, until="investigation")
    client = login(world.alice)
    post = {"kind": "inquiry_record", **{f"inquiry_record-{k}": v for k, v in EXTRA["inquiry_record"].items()},
            "inquiry_record-place": ""}
    refused = client.post(f"/staff/documents/cases/{case.pk}/issue/", post, HTTP_HX_REQUEST="true")
    html = refused.content.decode()
    assert refused.status_code == 400 and "请填写“询问地点”" in html and 'id="documents"' in html
    assert 'value="张三丰"' in html  # what the officer typed is kept
    post["inquiry_record-place"] = "现场"
    done = client.post(f"/staff/documents/cases/{case.pk}/issue/", post, HTTP_HX_REQUEST="true")
    assert done.status_code == 200 and "测城管罚询〔" in done.content.decode()


def test_other_agency_sees_neither_page_nor_files(world, cast, open_case):
    case = walk(open_case(), cast, until="notice")
    from sanxiang.documents.services import document_issue

    doc = document_issue(case=case, kind="prior_notice", actor=world.alice)
    client = login(world.mallory)
    assert client.get(f"/staff/documents/cases/{case.pk}/").status_code == 404
    assert client.get(f"/staff/documents/{doc.pk}/pdf/").status_code == 404
    assert client.post(f"/staff/documents/cases/{case.pk}/issue/", {"kind": "prior_notice"}).status_code == 404
    assert Client().get(f"/staff/documents/{doc.pk}/pdf/").status_code == 302  # to the login page


def test_api_lists_kinds_issues_and_refuses_in_the_one_error_format(world, cast, open_case):
    case = walk(open_case(), cast, until="notice")
    api = APIClient()
    api.force_authenticate(world.alice)
    kinds = {k["kind"] for k in api.get(f"/api/cases/{case.pk}/document-kinds/").json()}
    # The step's own kinds; a 询问笔录 of the finished 调查取证 step would only be a 补正.
    assert "prior_notice" in kinds and "decision" not in kinds and "inquiry_record" not in kinds
    created = api.post(f"/api/cases/{case.pk}/documents/", {"kind": "prior_notice", "extra": {}}, format="json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["version"] == 1 and body["number"].startswith("测城管罚告〔") and len(body["pdf_sha256"]) == 64
    refused = api.post(f"/api/cases/{case.pk}/documents/", {"kind": "decision"}, format="json")
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "document_step_not_reached"
    listed = api.get(f"/api/cases/{case.pk}/documents/").json()
    assert [d["number"] for d in listed] == [body["number"]]
    file = api.get(f"/api/documents/{body['id']}/pdf/")
    assert file.status_code == 200 and b"".join(file.streaming_content).startswith(b"%PDF")
    other = APIClient()
    other.force_authenticate(world.mallory)
    assert other.get(f"/api/cases/{case.pk}/documents/").status_code == 404
    assert other.get(f"/api/documents/{body['id']}/pdf/").status_code == 404


def test_case_page_tag_renders_the_panel(world, cast, open_case):
    case = walk(open_case(), cast, until="notice")
    request = RequestFactory().get("/")
    request.user = world.alice
    html = Template("{% load documents %}{% case_documents case %}").render(Context({"request": request,
                                                                                     "case": case}))
    assert 'id="documents"' in html and "制作行政处罚事先告知书" in html and "尚不能制作" in html


def test_download_asks_for_a_reason_where_the_agency_requires_one(world, cast, open_case):
    from decimal import Decimal

    from sanxiang.common.services import record_save
    from sanxiang.documents.services import document_issue
    from sanxiang.registry.models import Parameter

    record_save(Parameter(agency=world.agency, key="access_reason_required", value=Decimal(1), unit="是/否",
                          label="查看本机关案件材料须填写调阅事由", source="test"), actor="test")
    case = walk(open_case(), cast, until="notice")
    doc = document_issue(case=case, kind="prior_notice", actor=world.alice)
    client = login(world.carol)
    asked = client.get(f"/staff/documents/{doc.pk}/pdf/")
    assert asked.status_code == 428 and "调阅事由" in asked.content.decode()
    given = client.get(f"/staff/documents/{doc.pk}/pdf/", {"reason": "复核案卷"})
    assert given.status_code == 200 and b"".join(given.streaming_content).startswith(b"%PDF")


def test_a_past_steps_document_is_offered_as_a_correction_and_needs_its_reason_beside_the_field(
        world, cast, open_case):
    case = walk(open_case(), cast, until="notice")
    client = login(world.alice)
    page = client.get(f"/staff/documents/cases/{case.pk}/").content.decode()
    assert "补正询问笔录" in page and 'name="correction_reason"' in page
    post = {"kind": "inquiry_record", **{f"inquiry_record-{k}": v for k, v in EXTRA["inquiry_record"].items()}}
    response = client.post(f"/staff/documents/cases/{case.pk}/issue/", post, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 409 and not Document.objects.filter(case=case).exists()
    reason_at = body.index('name="correction_reason"')
    assert body.index('<p class="field-error">《询问笔录》应在“调查取证”环节制作') > reason_at
    response = client.post(f"/staff/documents/cases/{case.pk}/issue/", {**post, "correction_reason": "补记询问笔录"})
    assert response.status_code == 302
    doc = Document.objects.get(case=case)
    assert doc.content["correction"]["reason"] == "补记询问笔录"
    assert "补记询问笔录" in client.get(f"/staff/documents/cases/{case.pk}/").content.decode()
