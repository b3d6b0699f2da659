"""Structured legal basis: each citation is a row checked against the law database, rendered as
exactly the cited 款/项, once; the admin picks it; the Excel import follows the same rule."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook

from sanxiang.common.exceptions import ImportRejected, ValidationFailed
from sanxiang.guidance.models import Law
from sanxiang.registry.importers import ITEM_COLUMNS, import_items
from sanxiang.registry.models import EnforcementItem, LegalBasis
from sanxiang.registry.services import item_citations_set
from sanxiang.testing import construction_waste_item


def workbook(rows) -> io.BytesIO:
    book = Workbook()
    sheet = book.active
    sheet.append(ITEM_COLUMNS)
    for row in rows:
        sheet.append([row.get(c, "") for c in ITEM_COLUMNS])
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    return buffer


@pytest.mark.django_db
class TestCitationsAreChecked:
    def test_unknown_law_is_refused_naming_the_field(self, world):
        with pytest.raises(ValidationFailed) as err:
            item_citations_set(item=world.item, actor="test", citations=[
                {"role": "violation", "law": "中华人民共和国城市垃圾管理法", "article": 3}])
        assert err.value.code == "law_unknown" and err.value.field == "citations.0.law"
        assert "法律法规库中没有《中华人民共和国城市垃圾管理法》" in err.value.message
        assert world.item.citations.count() == 2  # nothing already saved is lost

    @pytest.mark.parametrize(("citation", "field", "code"), [
        ({"article": 99}, "citations.0.article", "article_unknown"),
        ({"article": 16, "paragraph": 4}, "citations.0.paragraph", "paragraph_unknown"),
        ({"article": 34, "item_no": 9}, "citations.0.item_no", "item_unknown"),
    ])
    def test_unknown_article_paragraph_or_item_is_refused(self, world, citation, field, code):
        with pytest.raises(ValidationFailed) as err:
            item_citations_set(item=world.item, actor="test", citations=[
                {"role": "penalty", "law": "城市市容和环境卫生管理条例", **citation}])
        assert err.value.field == field, err.value.message
        assert "城市市容和环境卫生管理条例" in err.value.message

    def test_range_only_on_a_penalty_provision_and_min_not_above_max(self, world):
        with pytest.raises(ValidationFailed) as err:
            item_citations_set(item=world.item, actor="test", citations=[
                {"role": "violation", "law": "城市市容和环境卫生管理条例", "article": 16, "fine_basis": "fixed",
                 "citizen_max": 500}])
        assert err.value.field == "citations.0.role"
        with pytest.raises(ValidationFailed) as err:
            item_citations_set(item=world.item, actor="test", citations=[
                {"role": "penalty", "law": "城市市容和环境卫生管理条例", "article": 34, "penalty_kinds": ["fine"],
                 "fine_basis": "fixed", "citizen_min": 500, "citizen_max": 100}])
        assert err.value.field == "citations.0.citizen_min"

    def test_replaced_citations_are_retired_not_deleted_and_the_ledger_still_verifies(self, world):
        from sanxiang.ledger.verification import verify_all

        old = list(world.item.citations.all())
        with pytest.raises(ValidationFailed) as err:
            item_citations_set(item=world.item, actor="test", citations=[
                {"role": "violation", "law": "城市市容和环境卫生管理条例", "article": 17, "paragraph": 2}])
        assert err.value.code == "citations_incomplete" and "处罚依据" in err.value.message
        item_citations_set(item=world.item, actor="test", citations=[
            {"role": "violation", "law": "城市市容和环境卫生管理条例", "article": 17, "paragraph": 2},
            {"role": "penalty", "law": "城市市容和环境卫生管理条例", "article": 34, "item_no": 2}])
        assert [c.citation_text for c in world.item.citations.all()] == [
            "《城市市容和环境卫生管理条例》第十七条第二款", "《城市市容和环境卫生管理条例》第三十四条第（二）项"]
        assert LegalBasis.objects.filter(pk__in=[c.pk for c in old], is_current=False).count() == 2
        assert verify_all().ok

    def test_a_paragraph_citation_is_exactly_that_paragraph(self, world):
        item = construction_waste_item(world.agency)
        second = item.citations.get(article=111, paragraph=2)
        assert second.citation_text == "《固体废物污染环境防治法》第一百一十一条第二款"
        assert second.cited_text.startswith("单位有前款第一项、第七项行为之一")
        assert "随意倾倒" not in second.cited_text  # not the whole article
        fourth = item.citations.get(article=111, item_no=4)
        assert fourth.cited_text.startswith("（四）工程施工单位擅自倾倒")
        assert second.range_text() == "对单位处100,000元以上1,000,000元以下的罚款"


@pytest.mark.django_db
class TestPortal:
    def test_item_page_prints_each_cited_paragraph_once_with_its_range(self, client, world):
        item = construction_waste_item(world.agency)
        body = client.get(reverse("portal:item", args=[item.pk])).content.decode()
        assert body.count("单位有前款第一项、第七项行为之一") == 1
        assert body.count("（四）工程施工单位擅自倾倒") == 1
        assert "（一）随意倾倒" not in body  # the article's other items are not printed
        assert "法定幅度：对单位处100,000元以上1,000,000元以下的罚款" in body
        listing = client.get(reverse("portal:items")).content.decode()
        assert "《固体废物污染环境防治法》第六十三条第三款" in listing

    def test_api_lists_structured_citations(self, client, world):
        construction_waste_item(world.agency)
        rows = client.get("/api/public/items/").json()
        item = next(r for r in rows if r["code"] == "P002")
        penalty = [c for c in item["citations"] if c["role"] == "penalty"]
        assert penalty[1]["citation"] == "《固体废物污染环境防治法》第一百一十一条第二款"
        assert penalty[1]["org_min"] == "100000.00" and penalty[1]["penalty_kinds"] == ["fine", "confiscate_gains"]


@pytest.mark.django_db
class TestImport:
    def test_item_citing_a_law_that_does_not_exist_imports_nothing(self, world):
        with pytest.raises(ImportRejected) as err:
            import_items(workbook([{"事项编码": "CF-9", "事项名称": "x", "执法类别": "行政处罚",
                                    "实施主体": world.agency.code, "设定依据": "《城市垃圾管理法》第三条"}]),
                         actor=world.erin)
        assert err.value.errors[0]["column"] == "设定依据"
        assert "法律法规库中没有《城市垃圾管理法》" in err.value.errors[0]["message"]
        assert not EnforcementItem.objects.filter(code="CF-9").exists()

    def test_kinds_and_range_columns_land_on_the_last_penalty_provision(self, world):
        import_items(workbook([{"事项编码": "CF-10", "事项名称": "张贴小广告", "执法类别": "行政处罚",
                                "实施主体": world.agency.code, "设定依据": "《城市市容和环境卫生管理条例》第十七条",
                                "处罚依据": "《城市市容和环境卫生管理条例》第三十四条第（二）项",
                                "处罚种类": "警告、罚款", "罚款幅度（公民）": "100-500"}]), actor=world.erin)
        row = LegalBasis.objects.get(item__code="CF-10", role="penalty")
        assert row.item_no == 2 and row.penalty_kinds == ["warning", "fine"]
        assert (row.citizen_min, row.citizen_max) == (100, 500)
        with pytest.raises(ImportRejected) as err:
            import_items(workbook([{"事项编码": "CF-11", "事项名称": "y", "执法类别": "行政处罚",
                                    "实施主体": world.agency.code, "设定依据": "《城市市容和环境卫生管理条例》第十七条",
                                    "处罚依据": "《城市市容和环境卫生管理条例》第三十四条第（九）项"}]), actor=world.erin)
        assert err.value.errors[0]["column"] == "处罚依据"


@pytest.mark.django_db
class TestAdminPickers:
    def test_outline_endpoint_and_item_admin_with_citation_inline(self, world):
        from sanxiang.testing import UserFactory

        admin = UserFactory(username="root", role="admin", agency=None, is_superuser=True, is_staff=True)
        client = Client()
        client.force_login(admin)
        law = Law.objects.get(short_title="城市市容和环境卫生管理条例")
        outline = client.get(reverse("registry:law_outline", args=[law.pk])).json()
        art34 = next(a for a in outline["articles"] if a["number"] == 34)
        assert art34["paragraphs"] == [7]  # one 款 with seven 项
        page = client.get(reverse("admin:registry_enforcementitem_change", args=[world.item.pk])).content.decode()
        assert "citation_picker.js" in page and 'name="citations-0-article_choice"' in page
        assert "<textarea" not in page.split('id="citations-group"')[1].split("</fieldset>")[0]

        def post(article_choice, item_no=""):
            data = {
                "agency": world.agency.pk, "code": world.item.code, "name": world.item.name, "kind": "penalty",
                "flow": world.item.flow_id, "description": "", "is_active": "on",
                "citations-TOTAL_FORMS": "1", "citations-INITIAL_FORMS": "0",
                "citations-MIN_NUM_FORMS": "0", "citations-MAX_NUM_FORMS": "1000",
                "citations-0-role": "penalty", "citations-0-position": "0", "citations-0-law": law.pk,
                "citations-0-article_choice": article_choice, "citations-0-paragraph": "",
                "citations-0-item_no": item_no, "citations-0-fine_basis": "none", "citations-0-base_label": "违法所得",
            }
            return client.post(reverse("admin:registry_enforcementitem_change", args=[world.item.pk]), data)

        response = post("34:0", item_no="9")
        assert response.status_code == 200 and "没有第（九）项" in response.content.decode()
        assert world.item.citations.count() == 2
        response = post("36:0", item_no="2")
        assert response.status_code == 302
        assert world.item.citations.filter(article=36, item_no=2).exists()
        from sanxiang.ledger.verification import verify_all

        assert verify_all().ok


@pytest.mark.django_db
def test_admin_action_publishes_a_standard_benchmark_from_the_range(world):
    from sanxiang.guidance.models import Benchmark
    from sanxiang.testing import UserFactory

    item = construction_waste_item(world.agency)
    admin = UserFactory(username="root", role="admin", agency=None, is_superuser=True, is_staff=True)
    client = Client()
    client.force_login(admin)
    response = client.post(reverse("admin:registry_enforcementitem_changelist"), {
        "action": "publish_standard_benchmark", "_selected_action": [item.pk, world.item.pk]}, follow=True)
    body = response.content.decode()
    assert "已公布裁量基准：P002" in body and "未生成：P001" in body
    benchmark = Benchmark.objects.get(item=item)
    assert benchmark.version == 1 and benchmark.tiers.count() == 5 and benchmark.circumstances.count() == 10
