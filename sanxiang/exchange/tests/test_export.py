"""双公示 export: the 信用中国 field list is complete, a citizen's ID number is never exported, the
organisation's codes are, and only released publications of the caller's scope are read."""

import csv
import io
import json

import pytest
from openpyxl import load_workbook

from sanxiang.exchange import export
from sanxiang.testing import citizen_id, token_client

pytestmark = pytest.mark.django_db

# The field list of the issue (信用中国 双公示 行政处罚), each named by a label of the export.
REQUIRED_LABELS = [
    "行政相对人名称", "行政相对人类别", "统一社会信用代码", "工商注册号", "组织机构代码", "税务登记号", "事业单位证书号",
    "社会组织登记证号", "法定代表人", "证件类型", "证件号码", "决定书文号", "违法行为类型", "违法事实", "处罚依据",
    "处罚类别", "处罚内容", "罚款金额（万元）", "没收违法所得、没收非法财物的金额（万元）", "暂扣或吊销证照名称及编号",
    "处罚决定日期", "处罚有效期", "公示截止期", "处罚机关", "处罚机关统一社会信用代码", "数据来源单位",
    "数据来源单位统一社会信用代码", "备注",
]


def test_penalty_field_list_is_complete():
    labels = [f.label for f in export.PENALTY_FIELDS]
    for required in REQUIRED_LABELS:
        assert any(required in label for label in labels), required


def _json(client, **params):
    response = client.get("/api/exchange/export/", {"kind": "penalty", "format": "json", **params})
    assert response.status_code == 200, response.content
    return response


def test_citizen_id_number_is_withheld_in_every_format(rw):
    erin = token_client(rw.world.erin)
    secret = citizen_id(7)
    for fmt in ("json", "csv", "xlsx"):
        response = _json(erin, format=fmt)
        assert secret.encode() not in response.content
        assert "张三丰".encode() not in response.content
    body = json.loads(_json(erin).content)
    assert [f["label"] for f in body["fields"]] == [f.label for f in export.PENALTY_FIELDS]
    (row,) = body["records"]
    assert row["party_name"] == "张某"
    assert row["party_category"] == "自然人"
    assert row["id_type"] == "身份证" and row["id_number"] == ""
    assert row["uscc"] == "" and row["legal_representative"] == ""
    assert export.ID_WITHHELD in row["remarks"]
    assert row["decision_number"] == rw.publication.decision_number
    assert row["fine_10k"] == "0.08"  # 800 元
    assert row["authority"] == rw.world.agency.name and row["authority_uscc"] == rw.world.agency.uscc
    assert row["data_source_uscc"] == rw.world.agency.uscc
    assert row["basis"].startswith("《")
    assert row["facts"] and "张三丰" not in row["facts"]
    assert row["valid_until"] == "2099-12-31"


def test_csv_and_xlsx_carry_the_chinese_headers(rw):
    erin = token_client(rw.world.erin)
    text = _json(erin, format="csv").content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == [f.label for f in export.PENALTY_FIELDS] and len(rows) == 2
    book = load_workbook(io.BytesIO(_json(erin, format="xlsx").content))
    sheet = book.active
    assert [c.value for c in sheet[1]] == [f.label for f in export.PENALTY_FIELDS]
    assert sheet.max_row == 2 and sheet.cell(2, 1).value == "张某"


def test_organisation_codes_and_representative_are_exported(rw_org):
    body = json.loads(_json(token_client(rw_org.world.erin)).content)
    org = next(r for r in body["records"] if r["party_category"] == "法人及非法人组织")
    assert org["uscc"].startswith("91410300MA")
    assert org["legal_representative"] == "李四"
    assert org["id_number"] == "" and org["id_type"] == ""
    assert org["fine_10k"] == "2"


def test_pending_publications_and_other_agencies_are_not_exported(rw):
    from sanxiang.disclosure.models import Publication, PublicationStatus

    Publication.objects.filter(pk=rw.publication.pk).update(status=PublicationStatus.PENDING)
    assert json.loads(_json(token_client(rw.world.erin)).content)["records"] == []
    Publication.objects.filter(pk=rw.publication.pk).update(status=PublicationStatus.PUBLISHED)
    assert len(json.loads(_json(token_client(rw.world.sam)).content)["records"]) == 1


def test_officers_may_not_export_and_bad_input_is_refused(rw):
    assert token_client(rw.world.alice).get("/api/exchange/export/").status_code == 403
    erin = token_client(rw.world.erin)
    bad = erin.get("/api/exchange/export/", {"kind": "tax"})
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "export_kind_unknown"
    assert erin.get("/api/exchange/export/", {"format": "pdf"}).json()["error"]["code"] == "export_format_unknown"
    assert erin.get("/api/exchange/export/", {"since": "2026-02-30"}).status_code == 400


def test_licensing_plugs_in_through_the_one_selector(rw):
    """The licensing app replaces the "licensing" source; the export then uses its selection and rows."""
    saved = export.EXPORT_SOURCES["licensing"]
    try:
        @export.export_source("licensing", label="行政许可", fields=export.LICENSING_FIELDS,
                              select=lambda qs: qs.filter(pk=rw.publication.pk))
        def rows(publication):
            return [{"decision_number": publication.decision_number, "licence_number": "许可-1"}]

        body = json.loads(_json(token_client(rw.world.erin), kind="licensing").content)
        assert body["records"] == [{"decision_number": rw.publication.decision_number, "licence_number": "许可-1"}]
    finally:
        export.EXPORT_SOURCES["licensing"] = saved
    assert json.loads(_json(token_client(rw.world.erin), kind="licensing").content)["records"] == []


def test_staff_page_and_download(rw, client):
    client.force_login(rw.world.erin)
    page = client.get("/staff/exchange/")
    assert page.status_code == 200 and "双公示数据导出" in page.content.decode()
    response = client.get("/staff/exchange/export/", {"kind": "penalty", "format": "csv"})
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    assert "张某" in response.content.decode("utf-8-sig")
    client.force_login(rw.world.alice)
    assert client.get("/staff/exchange/").status_code == 403


def test_management_command_writes_the_file(rw, tmp_path):
    from django.core.management import call_command

    out = tmp_path / "export.json"
    call_command("exchange_export", "--kind", "penalty", "--format", "json", "--out", str(out))
    body = json.loads(out.read_text())
    assert len(body["records"]) == 1 and citizen_id(7) not in out.read_text()
