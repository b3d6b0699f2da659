"""Excel import of officers and items: all-or-nothing, errors name row, column and rule."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from openpyxl import Workbook
from rest_framework.test import APIClient

from sanxiang.common.exceptions import ImportRejected, RoleNotAllowed
from sanxiang.ledger.models import Entry
from sanxiang.registry.importers import ITEM_COLUMNS, OFFICER_COLUMNS, import_items, import_officers
from sanxiang.registry.models import EnforcementItem, Officer
from sanxiang.testing import citizen_id


def workbook(columns, rows) -> io.BytesIO:
    wb = Workbook()
    sheet = wb.active
    sheet.append(columns)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    buffer.seek(0)
    buffer.name = "import.xlsx"
    return buffer


def officer_row(world, name="王小明", cert="豫IMP00001", staff="公务员", kinds="行政处罚、行政检查",
                valid_to="2027-12-31", id_number=None, reviewer="否", qualification=""):
    return [name, world.agency.code, staff, cert, kinds, "测试市全域", "2025-01-01", valid_to, "有效",
            id_number or citizen_id(55), "13700000000", reviewer, qualification]


@pytest.mark.django_db
class TestOfficerImport:
    def test_good_file_imports_every_row_with_one_entry(self, world):
        before = Entry.objects.count()
        rows = import_officers(workbook(OFFICER_COLUMNS, [
            officer_row(world), officer_row(world, name="李小红", cert="豫IMP00002", reviewer="是",
                                            qualification="A20201100000002")]), actor=world.erin)
        assert [o.name for o in rows] == ["王小明", "李小红"]
        assert Officer.objects.get(certificate_no="豫IMP00002").is_legal_reviewer
        assert Entry.objects.count() == before + 1
        entry = Entry.objects.order_by("-index").first()
        assert entry.kind == "registry.import_officers" and b'"file":' in bytes(entry.body)

    def test_one_bad_row_imports_nothing_and_names_row_column_rule(self, world):
        count = Officer.objects.count()
        with pytest.raises(ImportRejected) as err:
            import_officers(workbook(OFFICER_COLUMNS, [
                officer_row(world),
                officer_row(world, name="赵协管", cert="豫IMP00003", staff="协管"),
                officer_row(world, name="钱某", cert="豫IMP00004", valid_to="2024-13-40"),
                officer_row(world, name="孙某", cert="豫IMP00001"),
            ]), actor=world.erin)
        errors = err.value.errors
        assert {"row": 3, "column": "执法证号", "message": "协管人员不得持有行政执法证、不得从事执法活动"} in errors
        assert any(e["row"] == 4 and e["column"] == "有效期止" for e in errors)
        assert any(e["row"] == 5 and e["column"] == "执法证号" and "第2行重复" in e["message"] for e in errors)
        assert Officer.objects.count() == count

    def test_bad_id_number_is_named(self, world):
        with pytest.raises(ImportRejected) as err:
            import_officers(workbook(OFFICER_COLUMNS, [officer_row(world, id_number="410302198506120011")]),
                            actor=world.erin)
        assert err.value.errors[0]["column"] == "身份证号"

    def test_other_agency_rows_are_refused(self, world):
        row = officer_row(world)
        row[1] = world.other_agency.code
        with pytest.raises(ImportRejected) as err:
            import_officers(workbook(OFFICER_COLUMNS, [row]), actor=world.erin)
        assert "无权导入其他机关" in err.value.errors[0]["message"]

    def test_officer_cannot_import(self, world):
        with pytest.raises(RoleNotAllowed):
            import_officers(workbook(OFFICER_COLUMNS, [officer_row(world)]), actor=world.alice)

    def test_missing_header_and_non_excel(self, world):
        with pytest.raises(ImportRejected) as err:
            import_officers(workbook(["姓名"], [["张三"]]), actor=world.erin)
        assert {e["column"] for e in err.value.errors} >= {"所属机关", "人员类别"}
        with pytest.raises(ImportRejected) as err:
            import_officers(io.BytesIO(b"not a workbook"), actor=world.erin)
        assert "有效的 Excel" in err.value.message


@pytest.mark.django_db
class TestItemImport:
    def test_items_with_citations(self, world):
        rows = import_items(workbook(ITEM_COLUMNS, [
            ["CF-0101", "占道经营", "行政处罚", world.agency.code, "《城市市容和环境卫生管理条例》第十四条",
             "《城市市容和环境卫生管理条例》第三十六条第一项", "", "", "", "penalty_general", ""],
        ]), actor=world.erin)
        item = EnforcementItem.objects.get(code="CF-0101")
        assert rows == [item]
        assert item.legal_basis == [{"law": "城市市容和环境卫生管理条例", "article": 14}]
        assert item.penalty_basis[0]["article"] == 36 and item.penalty_basis[0]["item"] == 1

    def test_unreadable_citation_and_unknown_flow(self, world):
        with pytest.raises(ImportRejected) as err:
            import_items(workbook(ITEM_COLUMNS, [
                ["CF-0102", "x", "行政处罚", world.agency.code, "随便写的", "", "", "", "", "penalty_general", ""],
                ["CF-0103", "y", "行政处罚", world.agency.code, "《行政处罚法》第八条", "", "", "", "", "no_such_flow", ""],
                ["CF-0104", "z", "罚没", world.agency.code, "《行政处罚法》第八条", "", "", "", "", "", ""],
            ]), actor=world.erin)
        columns = [(e["row"], e["column"]) for e in err.value.errors]
        assert columns == [(2, "设定依据"), (3, "适用流程"), (4, "执法类别")]
        assert not EnforcementItem.objects.filter(code__startswith="CF-01").exists()


@pytest.mark.django_db
def test_import_page_api_and_command(world, tmp_path):
    client = Client()
    client.force_login(world.erin)
    assert client.get("/staff/registry/import/").status_code == 200
    template = client.get("/staff/registry/import/template/officers.xlsx")
    assert template.status_code == 200 and template.content[:2] == b"PK"
    bad = workbook(OFFICER_COLUMNS, [officer_row(world, staff="协管")])
    response = client.post("/staff/registry/import/", {"kind": "officers", "file": bad})
    assert response.status_code == 400
    text = response.content.decode()
    assert "协管人员不得持有行政执法证" in text and "<td>2</td>" in text
    good = workbook(OFFICER_COLUMNS, [officer_row(world)])
    response = client.post("/staff/registry/import/", {"kind": "officers", "file": good})
    assert response.status_code == 200 and "已导入 1 条" in response.content.decode()

    api = APIClient()
    api.force_authenticate(world.erin)
    response = api.post("/api/registry/import/officers/",
                        {"file": workbook(OFFICER_COLUMNS, [officer_row(world, cert="豫IMP00009", name="周某")])},
                        format="multipart")
    assert response.status_code == 201 and response.json() == {"imported": 1}
    response = api.post("/api/registry/import/officers/",
                        {"file": workbook(OFFICER_COLUMNS, [officer_row(world, staff="协管", cert="豫X")])},
                        format="multipart")
    assert response.status_code == 400
    assert response.json()["error"]["errors"][0]["column"] == "执法证号"

    path = tmp_path / "items.xlsx"
    path.write_bytes(workbook(ITEM_COLUMNS, [["CF-0201", "乱贴小广告", "行政处罚", world.agency.code,
                                              "《城市市容和环境卫生管理条例》第十七条", "", "", ""]]).getvalue())
    call_command("import_registry", "items", str(path), "--user", "erin")
    assert EnforcementItem.objects.filter(code="CF-0201").exists()
    path.write_bytes(b"garbage")
    with pytest.raises(CommandError):
        call_command("import_registry", "items", str(path), "--user", "erin")
