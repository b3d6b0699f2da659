"""The penalty case from 立案 to 归档 through the services, and every guard the flow names."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from sanxiang.cases.models import Case
from sanxiang.cases.services import case_is_overdue, case_open, case_transition
from sanxiang.cases.walkthrough import Cast, walk
from sanxiang.common.exceptions import (
    NotFound,
    OfficerNotQualified,
    ReviewRequired,
    RoleNotAllowed,
    TransitionNotAllowed,
    ValidationFailed,
)
from sanxiang.common.services import record_save
from sanxiang.disclosure.models import Publication
from sanxiang.documents.selectors import decision_text
from sanxiang.ledger.models import Entry
from sanxiang.ledger.verification import verify_all
from sanxiang.testing import OfficerFactory, citizen_party, org_party

TODAY = timezone.localdate()
OPENED = TODAY - dt.timedelta(days=40)


def open_case(world, party=None, officers=None, opened_on=OPENED, **kw):
    return case_open(actor=world.alice, item=world.item, party=party or citizen_party(),
                     officers=officers or [world.alice_officer, world.bob_officer], title="擅自倾倒建筑垃圾",
                     opened_on=opened_on, **kw)


def cast(world):
    host = OfficerFactory(agency=world.agency, name="韩主持")
    return Cast(officer=world.alice, unit_head=world.carol, reviewer=world.dave, head=world.erin,
                hearing_host_officer_id=host.pk)


@pytest.mark.django_db
class TestWholeCase:
    def test_general_case_reaches_archive_with_every_step_logged(self, world):
        case = open_case(world)
        assert case.number.startswith("测城管罚立〔") and case.state == "filing"
        assert case.decision_due >= OPENED + dt.timedelta(days=90)
        case = walk(case, cast(world), fine=800)
        assert case.state == "archived"
        actions = list(case.events.values_list("action", flat=True))
        assert actions == ["open", "approve_filing", "submit_investigation", "approve_proposal", "complete_notice",
                           "decide", "record_service", "record_execution", "approve_closing", "archive"]
        # Every event points at its own ledger entry, in order.
        indexes = list(case.events.values_list("ledger_index", flat=True))
        assert indexes == sorted(indexes) and None not in indexes
        kinds = list(Entry.objects.filter(index__in=indexes).order_by("index").values_list("kind", flat=True))
        assert kinds[0] == "case.open" and kinds[-1] == "case.archive"
        decision = case.decision
        assert decision.number == f"测城管罚〔{decision.decided_on.year}〕第1号"
        assert "行政复议" in decision_text(decision) and "行政诉讼" in decision_text(decision) and "罚款人民币800.00元" in decision_text(decision)
        assert case.closed_on == TODAY
        assert verify_all().ok

    def test_decision_numbers_are_gapless_per_agency_and_year(self, world):
        numbers = []
        for n in range(3):
            case = open_case(world, party=citizen_party(n + 20))
            numbers.append(walk(case, cast(world), until="service").decision.number)
        year = (OPENED + dt.timedelta(days=16)).year
        assert numbers == [f"测城管罚〔{year}〕第{i}号" for i in (1, 2, 3)]

    def test_publication_masks_citizen_and_keeps_organisation(self, world):
        citizen = walk(open_case(world, party=citizen_party(31, name="欧阳明")), cast(world), until="service")
        org = walk(open_case(world, party=org_party()), cast(world), until="service")
        pub = Publication.objects.get(case=citizen)
        assert pub.party_name == "欧阳某"
        party = citizen.party
        for secret in (party.name, party.id_number, party.address, party.phone):
            assert secret not in pub.text and secret not in str(pub.content)
        org_pub = Publication.objects.get(case=org)
        assert org_pub.party_name == org.party.name and org.party.uscc in str(org_pub.content)
        assert pub.due_on > pub.decided_on and pub.status == "pending"

    def test_hearing_and_review_route(self, world):
        case = open_case(world, opened_on=TODAY - dt.timedelta(days=60))
        c = cast(world)
        case = walk(case, c, fine=20000, hearing=True, until="hearing", start=TODAY - dt.timedelta(days=40))
        assert case.state == "hearing"
        case = walk(case, c, fine=20000, hearing=True, until="legal_review", start=TODAY - dt.timedelta(days=40))
        assert case.state == "legal_review"  # hearing held and fine ≥ 10,000 for a citizen: in the catalogue
        case = walk(case, c, fine=20000, hearing=True, until="service", start=TODAY - dt.timedelta(days=40))
        review = case.reviews.get()
        assert review.passed and review.due_on > review.started_on and len(review.matched) == 2

    def test_review_returning_the_case_sends_it_back_to_investigation(self, world):
        case = open_case(world)
        case = walk(case, cast(world), fine=20000, until="legal_review")
        from sanxiang.cases.walkthrough import CHECKLIST_ALL

        case_transition(case=case, action="submit_review", actor=world.dave, data={
            "checklist": {**CHECKLIST_ALL, "evidence": False}, "opinion": "return", "opinion_text": "证据不足"})
        case.refresh_from_db()
        assert case.state == "investigation"
        assert case.reviews.get().opinion == "return"


@pytest.mark.django_db
class TestGuards:
    def test_one_officer_is_refused(self, world):
        with pytest.raises(OfficerNotQualified) as err:
            open_case(world, officers=[world.alice_officer])
        assert "不得少于2人" in err.value.message and "第四十二条" in err.value.message
        assert not Case.objects.exists()

    def test_expired_certificate_is_refused(self, world):
        officer = world.bob_officer
        officer.valid_to = OPENED - dt.timedelta(days=1)
        record_save(officer, actor="test")
        with pytest.raises(OfficerNotQualified) as err:
            open_case(world)
        assert err.value.code == "certificate_invalid"

    def test_suspended_officer_and_wrong_kind_are_refused(self, world):
        officer = world.bob_officer
        officer.enforcement_kinds = ["inspection"]
        record_save(officer, actor="test")
        with pytest.raises(OfficerNotQualified):
            open_case(world)
        officer.enforcement_kinds = ["penalty"]
        officer.status = "suspended"
        record_save(officer, actor="test")
        with pytest.raises(OfficerNotQualified):
            open_case(world)

    def test_auxiliary_staff_cannot_hold_a_certificate(self, world):
        with pytest.raises(ValidationFailed):
            OfficerFactory(agency=world.agency, staff_type="auxiliary")

    def test_officer_of_another_agency_is_refused(self, world):
        with pytest.raises(OfficerNotQualified) as err:
            open_case(world, officers=[world.alice_officer, world.mallory_officer])
        assert err.value.code == "officer_other_agency"

    @pytest.mark.parametrize("party,field", [
        ({"kind": "citizen", "name": "王五", "id_number": "410302198506120011"}, "party.id_number"),
        ({"kind": "legal_person", "name": "某公司", "uscc": "91410300MA00000000"}, "party.uscc"),
        ({"kind": "citizen", "name": "", "id_number": ""}, "party.name"),
    ])
    def test_bad_party_is_refused_naming_the_field(self, world, party, field):
        with pytest.raises(ValidationFailed) as err:
            open_case(world, party=party)
        assert err.value.field == field

    def test_wrong_role_and_wrong_step_are_refused(self, world):
        case = open_case(world)
        with pytest.raises(RoleNotAllowed) as err:
            case_transition(case=case, action="approve_filing", actor=world.alice, data={"filing_opinion": "x"})
        assert "承办机构负责人" in err.value.message or "负责人" in err.value.message
        with pytest.raises(TransitionNotAllowed) as err:
            case_transition(case=case, action="decide", actor=world.erin, data={})
        assert err.value.code == "step_order" and "立案" in err.value.message

    def test_required_field_is_named(self, world):
        case = open_case(world)
        with pytest.raises(ValidationFailed) as err:
            case_transition(case=case, action="approve_filing", actor=world.carol, data={})
        assert err.value.field == "filing_opinion" and "必填" in err.value.message
        case.refresh_from_db()
        assert case.state == "filing"

    def test_decision_without_passed_review_is_refused(self, world):
        case = walk(open_case(world), cast(world), fine=20000, until="legal_review")
        # Force the step as if the review had been skipped: the guard still refuses.
        Case.objects.filter(pk=case.pk).update(state="decision")
        case.refresh_from_db()
        with pytest.raises(ReviewRequired) as err:
            case_transition(case=case, action="decide", actor=world.erin, data={
                "decided_on": (TODAY - dt.timedelta(days=1)).isoformat(), "penalty_kinds": ["fine"],
                "fine_amount": "20000", "reasons": "依据……"})
        assert "第五十八条" in err.value.message and "法制审核" in err.value.message

    def test_heavier_than_notified_is_refused(self, world):
        case = walk(open_case(world), cast(world), fine=800, until="decision")
        with pytest.raises(ValidationFailed) as err:
            case_transition(case=case, action="decide", actor=world.erin, data={
                "decided_on": (TODAY - dt.timedelta(days=1)).isoformat(), "penalty_kinds": ["fine"],
                "fine_amount": "900", "reasons": "依据……"})
        assert err.value.code == "heavier_than_notified"

    def test_hearing_period_must_elapse(self, world):
        # Served four days ago: the 3-day 陈述申辩 period has run, the 5-day hearing-request period not.
        case = walk(open_case(world), cast(world), fine=8000, until="decision", start=TODAY - dt.timedelta(days=4))
        with pytest.raises(Exception) as err:
            case_transition(case=case, action="decide", actor=world.erin, data={
                "decided_on": TODAY.isoformat(), "penalty_kinds": ["fine"], "fine_amount": "8000", "reasons": "依据"})
        assert getattr(err.value, "code", "") == "hearing_period_running"

    def test_hearing_host_must_not_be_an_investigator(self, world):
        case = walk(open_case(world), cast(world), fine=20000, hearing=True, until="hearing")
        c = cast(world)
        c.hearing_host_officer_id = world.bob_officer.pk
        with pytest.raises(ValidationFailed) as err:
            walk(case, c, fine=20000, hearing=True, until="legal_review")
        assert err.value.code == "host_is_investigator"

    def test_no_hearing_right_for_small_fine(self, world):
        case = walk(open_case(world), cast(world), fine=300, until="notice")
        with pytest.raises(ValidationFailed) as err:
            walk(case, cast(world), fine=300, hearing=True, until="decision")
        assert err.value.code == "no_hearing_right"

    def test_reviewer_cannot_agree_with_failed_checklist(self, world):
        case = walk(open_case(world), cast(world), fine=20000, until="legal_review")
        from sanxiang.cases.walkthrough import CHECKLIST_ALL

        with pytest.raises(ValidationFailed) as err:
            case_transition(case=case, action="submit_review", actor=world.dave, data={
                "checklist": {**CHECKLIST_ALL, "facts": False}, "opinion": "agree", "opinion_text": "同意"})
        assert "案件事实清楚" in err.value.message

    def test_electronic_service_needs_consent(self, world):
        case = walk(open_case(world), cast(world), fine=800, until="service")
        with pytest.raises(ValidationFailed) as err:
            case_transition(case=case, action="record_service", actor=world.alice, data={
                "served_on": TODAY.isoformat(), "service_method": "electronic"})
        assert err.value.code == "no_electronic_consent"

    def test_future_dates_are_refused(self, world):
        with pytest.raises(ValidationFailed):
            open_case(world, opened_on=TODAY + dt.timedelta(days=1))

    def test_simple_procedure_limits(self, world):
        case = case_open(actor=world.alice, item=world.item, party=citizen_party(), procedure="simple",
                         officers=[world.alice_officer, world.bob_officer], title="乱扔垃圾", opened_on=TODAY)
        with pytest.raises(ValidationFailed) as err:
            case_transition(case=case, action=case.flow.definition["steps"][0]["actions"][0]["code"],
                            actor=world.alice, data={"penalty_kinds": ["fine"], "fine_amount": "201",
                                                     "facts": "乱扔垃圾", "reasons": "依据", "decided_on": TODAY.isoformat(),
                                                     "statement": "无异议"})
        assert "200" in err.value.message and "第五十一条" in err.value.message


@pytest.mark.django_db
class TestIsolationAndDeadlines:
    def test_other_agency_persona_sees_and_changes_nothing(self, world):
        from sanxiang.cases.selectors import case_get, case_list

        case = open_case(world)
        assert list(case_list(world.mallory)) == []
        with pytest.raises(NotFound):
            case_get(world.mallory, case.pk)
        with pytest.raises(NotFound):
            case_transition(case=case, action="approve_filing", actor=world.mallory, data={"filing_opinion": "x"})
        assert list(case_list(world.sam)) == [case]  # the supervisor reads across agencies

    def test_overdue_case_is_flagged(self, world):
        case = open_case(world, opened_on=TODAY - dt.timedelta(days=200))
        reasons = case_is_overdue(case)
        assert reasons and "决定期限" in reasons[0]

    def test_case_count_unchanged_after_refused_write(self, world):
        before = Entry.objects.count()
        with pytest.raises(OfficerNotQualified):
            open_case(world, officers=[world.alice_officer])
        assert Entry.objects.count() == before


@pytest.mark.django_db
def test_deadline_in_an_unknown_year_is_flagged_not_guessed_and_does_not_block(world):
    from sanxiang.cases.engine import flow_spec
    from sanxiang.cases.services import _step_due
    from sanxiang.disclosure.services import publication_create

    spec = flow_spec(world.item.flow)
    due, note = _step_due(spec.steps["legal_review"], world.agency, dt.date(2026, 12, 28))
    assert due is None and "2027" in note and "录入" in note
    case = walk(open_case(world), cast(world), fine=800, until="service")
    decision = case.decision
    type(decision).objects.filter(pk=decision.pk).update(decided_on=dt.date(2026, 12, 28))
    Publication.objects.filter(case=case).delete()
    decision.refresh_from_db()
    publication = publication_create(decision=decision)
    assert publication.due_on is None and "2027" in publication.due_note
