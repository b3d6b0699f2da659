"""The discretion benchmark (裁量基准): versions, tiers chosen by circumstances, the suggestion on
the case, a reason and legal review for a proposal outside it, and its line in the 决定书."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from sanxiang.cases.models import Case
from sanxiang.cases.services import case_open, case_transition
from sanxiang.cases.walkthrough import Cast, walk
from sanxiang.common.exceptions import ReviewRequired, ValidationFailed
from sanxiang.guidance.choices import Tier
from sanxiang.guidance.discretion import benchmark_in_force, select_tier, suggest
from sanxiang.guidance.models import Benchmark
from sanxiang.guidance.services import benchmark_publish, standard_circumstances, standard_tiers
from sanxiang.testing import OfficerFactory, construction_waste_item, org_party, standard_benchmark

TODAY = timezone.localdate()
OPENED = TODAY - dt.timedelta(days=40)


@pytest.fixture
def item(world):
    item = construction_waste_item(world.agency)
    standard_benchmark(item)
    return item


def cast(world):
    host = OfficerFactory(agency=world.agency, name="韩主持")
    return Cast(officer=world.alice, unit_head=world.carol, reviewer=world.dave, head=world.erin,
                hearing_host_officer_id=host.pk)


def open_org_case(world, item):
    return case_open(actor=world.alice, item=item, party=org_party(), officers=[world.alice_officer, world.bob_officer],
                     title="擅自倾倒建筑垃圾", opened_on=OPENED)


class TestTierSelection:
    def test_precedence_of_circumstances(self):
        class C:
            def __init__(self, tier):
                self.tier = tier

        assert select_tier([]) == Tier.GENERAL
        assert select_tier([C(Tier.LENIENT)]) == Tier.LENIENT
        assert select_tier([C(Tier.LENIENT), C(Tier.AGGRAVATED)]) == Tier.GENERAL
        assert select_tier([C(Tier.MITIGATED), C(Tier.AGGRAVATED)]) == Tier.LENIENT
        assert select_tier([C(Tier.EXEMPT), C(Tier.AGGRAVATED)]) == Tier.EXEMPT
        assert select_tier([C(Tier.AGGRAVATED)]) == Tier.AGGRAVATED


@pytest.mark.django_db
class TestVersions:
    def test_standard_tiers_split_the_statutory_range(self, world, item):
        benchmark = benchmark_in_force(item, TODAY)
        tiers = {t.tier: t for t in benchmark.tiers.all()}
        assert (tiers["lenient"].org_min, tiers["lenient"].org_max) == (100000, 370000)
        assert (tiers["general"].org_min, tiers["general"].org_max) == (370000, 730000)
        assert tiers["mitigated"].org_max == 100000 and tiers["exempt"].penalty_kinds == []

    def test_a_new_version_never_edits_the_old_and_applies_from_its_date(self, world, item):
        first = benchmark_in_force(item, TODAY)
        with pytest.raises(ValidationFailed) as err:
            benchmark_publish(item=item, effective_from=first.effective_from, title="x", actor="test",
                              tiers=standard_tiers(item), circumstances=standard_circumstances())
        assert err.value.code == "benchmark_not_later"
        second = benchmark_publish(item=item, effective_from=TODAY + dt.timedelta(days=30), title="新基准", actor="test",
                                   tiers=[{"tier": "general", "description": "一般", "org_min": 200000,
                                           "org_max": 500000}], circumstances=[])
        assert second.version == 2 and Benchmark.objects.get(pk=first.pk).tiers.count() == 5
        assert benchmark_in_force(item, TODAY) == first
        assert benchmark_in_force(item, TODAY + dt.timedelta(days=30)) == second

    def test_ticked_circumstances_select_tier_and_range(self, world, item):
        s = suggest(item=item, citizen=False, codes=["eliminated_harm"], base=None, on=TODAY)
        assert s.tier_code == Tier.LENIENT and (s.low, s.high) == (100000, 370000)
        assert "主动消除或者减轻违法行为危害后果" in s.text and "从轻处罚" in s.text
        s = suggest(item=item, citizen=False, codes=["coerced", "repeat_offence"], base=None, on=TODAY)
        assert s.tier_code == Tier.LENIENT
        s = suggest(item=item, citizen=False, codes=["first_offence"], base=None, on=TODAY)
        assert s.tier_code == Tier.EXEMPT and not s.contains(["fine"], Decimal(100000))


@pytest.mark.django_db
class TestOnTheCase:
    def test_outside_the_suggested_tier_needs_a_reason_then_goes_to_review(self, world, item):
        case = walk(open_org_case(world, item), cast(world), until="investigation")
        data = {"facts": "倾倒建筑垃圾约三十立方米。", "investigation_report": "调查终结。",
                "proposed_penalty_kinds": ["fine"], "proposed_fine": "150000", "circumstances": []}
        with pytest.raises(ValidationFailed) as err:
            case_transition(case=case, action="submit_investigation", actor=world.alice, data=data)
        e = err.value
        assert e.code == "benchmark_reason_required" and e.field == "benchmark_reason"
        assert "一般处罚" in e.message and "370,000元以上730,000元以下" in e.message
        assert Case.objects.get(pk=case.pk).state == "investigation"
        case_transition(case=case, action="submit_investigation", actor=world.alice,
                        data={**data, "benchmark_reason": "当事人已自行清运大部分建筑垃圾，危害较小。"})
        case = Case.objects.get(pk=case.pk)
        assert case.outside_benchmark and case.benchmark == benchmark_in_force(item, TODAY)
        assert case.benchmark_tier == Tier.GENERAL
        # Outside the benchmark: the case goes to 法制审核 although no catalogue entry matches.
        case = walk(case, cast(world), fine=150000, until="legal_review")
        assert case.state == "legal_review"

    def test_decision_on_a_deviating_case_needs_a_passed_review(self, world, item):
        from sanxiang.reviews.models import CatalogueEntry

        # No catalogue entry covers the case: only the deviation from the benchmark requires review.
        CatalogueEntry.objects.filter(agency=world.agency, criterion="fine_at_least").delete()
        case = walk(open_org_case(world, item), cast(world), fine=150000, until="examination",
                    investigation={"benchmark_reason": "危害较小。"})
        case = Case.objects.get(pk=case.pk)
        case.state = "decision"  # as if the review had been skipped: the decision guard still refuses
        case.save()
        with pytest.raises(ReviewRequired) as err:
            case_transition(case=case, action="decide", actor=world.erin, data={
                "decided_on": TODAY.isoformat(), "penalty_kinds": ["fine"], "fine_amount": "150000",
                "reasons": "依据……"})
        assert err.value.code == "benchmark_review_required"

    def test_within_tier_no_reason_and_decision_prints_the_version(self, world, item):
        case = walk(open_org_case(world, item), cast(world), fine=150000, until="service",
                    investigation={"circumstances": ["eliminated_harm"]})
        case = Case.objects.get(pk=case.pk)
        assert not case.outside_benchmark and case.benchmark_tier == Tier.LENIENT
        from sanxiang.documents.builders import benchmark_line
        from sanxiang.documents.content import plain_text
        from sanxiang.documents.services import document_issue

        document = document_issue(case=case, kind="decision", actor=world.erin)
        line = benchmark_line(case)
        assert "测裁〔2025〕1号" in line and "第1版" in line and "从轻处罚" in line
        assert line in plain_text(document.content)

    def test_case_page_and_api_show_the_suggestion(self, world, item):
        case = walk(open_org_case(world, item), cast(world), until="investigation")
        from django.test import Client

        client = Client()
        client.force_login(world.alice)
        body = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
        assert "法定幅度与裁量基准" in body and "100,000元以上1,000,000元以下" in body
        assert 'name="circumstances"' in body and "主动消除或者减轻违法行为危害后果" in body
        hint = client.get(reverse("cases:discretion", args=[case.pk]),
                          {"circumstances": ["eliminated_harm"], "key": "submit_investigation"}).content.decode()
        assert "从轻处罚" in hint and "100,000元以上370,000元以下" in hint
        api = APIClient()
        api.force_authenticate(world.alice)
        data = api.get(f"/api/cases/{case.pk}/").json()
        assert data["discretion"]["suggestion"]["tier"] == "general"
        assert data["discretion"]["statutory"]["ranges"][0]["min"] == "100000.00"
        options = next(f for a in data["actions"] for f in a["fields"] if f["name"] == "circumstances")["options"]
        assert ["first_offence", "初次违法且危害后果轻微并及时改正（首违不罚）（不予处罚）"] in options

    def test_portal_publishes_the_benchmark_beside_the_item(self, client, world, item):
        body = client.get(reverse("portal:item", args=[item.pk])).content.decode()
        assert "行政处罚裁量基准" in body and "现行" in body and "从轻处罚" in body
        assert "首违不罚" in body and "行政处罚法第三十三条第一款" in body
        assert "100,000元至370,000元" in body and "100,000元以下" in body  # 从轻; 减轻 below the minimum
        row = next(r for r in client.get("/api/public/items/").json() if r["code"] == item.code)
        lenient = next(t for t in row["benchmarks"][0]["tiers"] if t["tier"] == "lenient")
        assert lenient["organisation"] == "100,000元至370,000元" and row["benchmarks"][0]["version"] == 1


@pytest.mark.django_db
def test_admin_shows_a_published_version_read_only_and_refuses_an_earlier_new_one(world, item):
    from django.test import Client

    from sanxiang.testing import UserFactory

    admin = UserFactory(username="root", role="admin", agency=None, is_superuser=True, is_staff=True)
    client = Client()
    client.force_login(admin)
    first = benchmark_in_force(item, TODAY)
    page = client.get(reverse("admin:guidance_benchmark_change", args=[first.pk])).content.decode()
    assert 'name="_save"' not in page  # a published version is only read
    data = {"item": item.pk, "effective_from": first.effective_from.isoformat(), "title": "新基准", "document_no": "",
            "note": ""}
    for prefix in ("tiers", "circumstances"):
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0", f"{prefix}-MIN_NUM_FORMS": "0",
                     f"{prefix}-MAX_NUM_FORMS": "1000"})
    response = client.post(reverse("admin:guidance_benchmark_add"), data)
    assert response.status_code == 200 and "新版本的施行日期须晚于现行第1版" in response.content.decode()
    data["effective_from"] = (TODAY + dt.timedelta(days=10)).isoformat()
    data.update({"tiers-TOTAL_FORMS": "1", "tiers-0-tier": "general", "tiers-0-description": "一般",
                 "tiers-0-org_min": "200000", "tiers-0-org_max": "600000"})
    response = client.post(reverse("admin:guidance_benchmark_add"), data)
    assert response.status_code == 302
    second = Benchmark.objects.get(item=item, version=2)
    assert second.agency == item.agency and second.tiers.get().org_max == 600000
    from sanxiang.ledger.verification import verify_all

    assert verify_all().ok
