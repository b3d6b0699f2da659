"""The statutory range of the cited provision, enforced by the engine at 调查取证, 审查 and 决定."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from sanxiang.cases.models import Case
from sanxiang.cases.services import case_open, case_transition
from sanxiang.cases.walkthrough import Cast
from sanxiang.common.exceptions import ValidationFailed
from sanxiang.registry.services import item_citations_set
from sanxiang.testing import citizen_party, construction_waste_item, org_party

OPENED = timezone.localdate() - dt.timedelta(days=30)


def investigating(world, item, party):
    case = case_open(actor=world.alice, item=item, party=party, officers=[world.alice_officer, world.bob_officer],
                     title="擅自倾倒建筑垃圾", opened_on=OPENED)
    case_transition(case=case, action="approve_filing", actor=world.carol, data={"filing_opinion": "同意立案"})
    return Case.objects.get(pk=case.pk)


def submit(world, case, **data):
    return case_transition(case=case, action="submit_investigation", actor=world.alice, data={
        "facts": "当事人将建筑垃圾倾倒于空地。", "investigation_report": "调查终结。",
        "proposed_penalty_kinds": ["fine"], **data})


def assert_unchanged(case):
    fresh = Case.objects.get(pk=case.pk)
    assert fresh.state == "investigation" and fresh.proposed_fine is None and fresh.proposed_penalty_kinds == []


@pytest.mark.django_db
class TestAtInvestigation:
    def test_fine_below_the_minimum_for_an_organisation_is_refused_with_the_range(self, world):
        case = investigating(world, construction_waste_item(world.agency), org_party())
        with pytest.raises(ValidationFailed) as err:
            submit(world, case, proposed_fine="5000")
        e = err.value
        assert e.code == "fine_outside_statutory_range" and e.field == "proposed_fine"
        assert "《固体废物污染环境防治法》第一百一十一条第二款" in e.message
        assert "100,000元以上1,000,000元以下" in e.message and "5,000元" in e.message
        assert e.rule == "《固体废物污染环境防治法》第一百一十一条第二款"
        assert_unchanged(case)
        submit(world, case, proposed_fine="150000")
        assert Case.objects.get(pk=case.pk).state == "examination"

    def test_fine_above_the_maximum_is_refused(self, world):
        case = investigating(world, construction_waste_item(world.agency), org_party())
        with pytest.raises(ValidationFailed) as err:
            submit(world, case, proposed_fine="1000001")
        assert err.value.code == "fine_outside_statutory_range"

    def test_fine_without_an_amount_is_refused_at_investigation(self, world):
        case = investigating(world, world.item, citizen_party())
        with pytest.raises(ValidationFailed) as err:
            submit(world, case, proposed_fine="")
        assert err.value.code == "fine_required" and err.value.field == "proposed_fine"
        assert_unchanged(case)

    def test_a_kind_the_provision_does_not_set_is_refused(self, world):
        case = investigating(world, construction_waste_item(world.agency), org_party())
        with pytest.raises(ValidationFailed) as err:
            submit(world, case, proposed_penalty_kinds=["fine", "revoke_licence"], proposed_fine="200000")
        assert err.value.code == "penalty_kind_not_allowed" and err.value.field == "proposed_penalty_kinds"
        assert "吊销许可证件" in err.value.message and "罚款、没收违法所得" in err.value.message

    def test_a_provision_that_fines_only_organisations_cannot_fine_a_citizen(self, world):
        case = investigating(world, construction_waste_item(world.agency), citizen_party())
        with pytest.raises(ValidationFailed) as err:
            submit(world, case, proposed_fine="300")
        assert err.value.code == "fine_not_for_party" and "公民" in err.value.message

    def test_multiple_of_illegal_gains_needs_the_gains_then_bounds_the_fine(self, world):
        item = construction_waste_item(world.agency, code="P003")
        item_citations_set(item=item, actor="test", citations=[
            {"role": "violation", "law": "固体废物污染环境防治法", "article": 63, "paragraph": 3},
            {"role": "penalty", "law": "固体废物污染环境防治法", "article": 111, "paragraph": 2,
             "penalty_kinds": ["fine"], "fine_basis": "multiple", "multiple_min": 1, "multiple_max": 3},
        ])
        case = investigating(world, item, org_party())
        with pytest.raises(ValidationFailed) as err:
            submit(world, case, proposed_fine="50000")
        assert err.value.code == "fine_base_required" and err.value.field == "illegal_gains"
        with pytest.raises(ValidationFailed) as err:
            submit(world, case, proposed_fine="70000", illegal_gains="20000")
        assert "违法所得20,000元的1倍以上3倍以下" in err.value.message
        submit(world, case, proposed_fine="40000", illegal_gains="20000")
        assert Case.objects.get(pk=case.pk).data["illegal_gains"] == "20000"


@pytest.mark.django_db
class TestLaterSteps:
    def test_examination_and_decision_outside_the_range_are_refused(self, world):
        item = construction_waste_item(world.agency)
        case = investigating(world, item, org_party())
        submit(world, case, proposed_fine="150000")
        # The range is data: tightened after the proposal, the unit head cannot approve it.
        row = item.citations.get(article=111, paragraph=2)
        row.org_min = Decimal("200000")
        row.save()
        with pytest.raises(ValidationFailed) as err:
            case_transition(case=case, action="approve_proposal", actor=world.carol,
                            data={"examination_opinion": "同意"})
        assert err.value.code == "fine_outside_statutory_range"
        assert Case.objects.get(pk=case.pk).state == "examination"

    def test_simple_procedure_checks_the_range_too(self, world):
        item = construction_waste_item(world.agency)
        case = case_open(actor=world.alice, item=item, party=org_party(), procedure="simple",
                         officers=[world.alice_officer, world.bob_officer], title="当场处罚", opened_on=OPENED)
        from sanxiang.cases.walkthrough import attach_required_av

        attach_required_av(case, Cast(officer=world.alice, unit_head=None, reviewer=None, head=None), {})
        with pytest.raises(ValidationFailed) as err:
            case_transition(case=case, action="decide_on_spot", actor=world.alice, data={
                "facts": "x", "decided_on": OPENED.isoformat(), "penalty_kinds": ["fine"], "fine_amount": "2000",
                "reasons": "依据……", "statement": "无"})
        assert err.value.code == "fine_outside_statutory_range" and err.value.field == "fine_amount"


@pytest.mark.django_db
def test_decision_below_the_minimum_is_refused(world):
    from sanxiang.cases.walkthrough import walk
    from sanxiang.testing import OfficerFactory

    host = OfficerFactory(agency=world.agency, name="韩主持")
    item = construction_waste_item(world.agency)
    case = case_open(actor=world.alice, item=item, party=org_party(), officers=[world.alice_officer, world.bob_officer],
                     title="擅自倾倒建筑垃圾", opened_on=OPENED)
    case = walk(case, Cast(world.alice, world.carol, world.dave, world.erin, hearing_host_officer_id=host.pk),
                fine=150000, until="decision", start=timezone.localdate() - dt.timedelta(days=20))
    assert case.state == "decision"
    with pytest.raises(ValidationFailed) as err:
        case_transition(case=case, action="decide", actor=world.erin, data={
            "decided_on": timezone.localdate().isoformat(), "penalty_kinds": ["fine"], "fine_amount": "50000",
            "reasons": "依据……"})
    assert err.value.code == "fine_outside_statutory_range" and err.value.field == "fine_amount"
    assert Case.objects.get(pk=case.pk).state == "decision"


def test_documents_cite_down_to_the_paragraph_and_item_once():
    from sanxiang.documents.builders import basis_text

    refs = [{"law": "固体废物污染环境防治法", "article": 111, "paragraph": 1, "item": 4},
            {"law": "固体废物污染环境防治法", "article": 111, "paragraph": 2},
            {"law": "固体废物污染环境防治法", "article": 111, "paragraph": 2}]
    assert basis_text(refs) == ("《固体废物污染环境防治法》第一百一十一条第一款第（四）项、"
                                "《固体废物污染环境防治法》第一百一十一条第二款")


@pytest.mark.django_db
def test_api_walks_the_range_and_benchmark_refusals_and_leaves_the_case_unchanged(world):
    """Each refusal of this part through the API: code, message naming the rule, field; nothing saved."""
    from rest_framework.test import APIClient

    from sanxiang.testing import standard_benchmark

    item = construction_waste_item(world.agency)
    standard_benchmark(item)
    case = investigating(world, item, org_party())
    api = APIClient()
    api.force_authenticate(world.alice)
    url = f"/api/cases/{case.pk}/actions/submit_investigation/"
    base = {"facts": "倾倒建筑垃圾。", "investigation_report": "调查终结。", "proposed_penalty_kinds": ["fine"]}
    refusals = [
        ({"proposed_fine": ""}, "fine_required", "proposed_fine", "第五十九条"),
        ({"proposed_fine": "5000"}, "fine_outside_statutory_range", "proposed_fine", "100,000元以上1,000,000元以下"),
        ({"proposed_fine": "200000", "proposed_penalty_kinds": ["fine", "close"]}, "penalty_kind_not_allowed",
         "proposed_penalty_kinds", "责令关闭"),
        ({"proposed_fine": "150000"}, "benchmark_reason_required", "benchmark_reason", "第三十四条"),
    ]
    for extra, code, field, words in refusals:
        response = api.post(url, {**base, **extra}, format="json")
        assert response.status_code == 400, response.content
        error = response.json()["error"]
        assert (error["code"], error["field"]) == (code, field) and words in error["message"], error
        fresh = Case.objects.get(pk=case.pk)
        assert fresh.state == "investigation" and fresh.proposed_fine is None and fresh.benchmark_id is None
    response = api.post(url, {**base, "proposed_fine": "150000", "circumstances": ["eliminated_harm"]}, format="json")
    assert response.status_code in (200, 201), response.content
    detail = api.get(f"/api/cases/{case.pk}/").json()["discretion"]
    assert detail["recorded"]["tier"] == "lenient" and detail["recorded"]["outside_benchmark"] is False
