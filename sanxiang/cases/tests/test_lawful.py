"""Issue 7 §1–3: periods, chronology, documents per step and separation of duties, each a rule the
flow declares and the engine enforces; a refused act leaves the case as it was."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from unittest import mock

import pytest
from django.core.files.base import ContentFile
from django.forms.models import model_to_dict
from django.utils import timezone

from sanxiang.accounts.models import Role
from sanxiang.cases import engine
from sanxiang.cases.models import Case
from sanxiang.cases.procedure import late_payment, payment_due
from sanxiang.cases.services import case_is_overdue, case_open, case_transition
from sanxiang.cases.walkthrough import Cast, record_time, walk
from sanxiang.common.exceptions import DomainError
from sanxiang.common.services import record_save
from sanxiang.documents.content import plain_text
from sanxiang.documents.selectors import decision_text
from sanxiang.documents.services import document_issue
from sanxiang.ledger.services import ledger_size
from sanxiang.records.services import evidence_attach
from sanxiang.registry.models import Parameter
from sanxiang.testing import OfficerFactory, citizen_party, officer_user

TODAY = timezone.localdate()
OPENED = TODAY - dt.timedelta(days=40)
INQUIRY = {"started_at": f"{OPENED + dt.timedelta(days=1)} 09:30", "place": "询问室", "interviewee": "张三丰",
           "qa": "问：是否属实？\n答：属实。"}


def open_case(world, officers=None, opened_on=OPENED):
    return case_open(actor=world.alice, item=world.item, party=citizen_party(), title="擅自倾倒建筑垃圾",
                     officers=officers or [world.alice_officer, world.bob_officer], opened_on=opened_on)


def cast(world):
    host = OfficerFactory(agency=world.agency, name="韩主持")
    return Cast(officer=world.alice, unit_head=world.carol, reviewer=world.dave, head=world.erin,
                hearing_host_officer_id=host.pk)


def snapshot(case) -> tuple:
    row = Case.objects.get(pk=case.pk)
    return model_to_dict(row), row.state, ledger_size(), row.events.count()


def refused(code: str, case, call, *, field: str | None = None, says: str = ""):
    """The call is refused with `code` (field and article named) and the case is unchanged."""
    before = snapshot(case)
    with pytest.raises(DomainError) as err:
        call()
    assert err.value.code == code, (err.value.code, err.value.message)
    if field is not None:
        assert err.value.field == field
    assert says in err.value.message
    assert snapshot(case) == before
    return err.value


def decide(world, case, on, actor=None, fine="500"):
    return case_transition(case=case, action="decide", actor=actor or world.erin, data={
        "decided_on": on.isoformat(), "penalty_kinds": ["fine"], "fine_amount": fine, "reasons": "依据……"})


def notice(world, case, on, **extra):
    return case_transition(case=case, action="complete_notice", actor=world.alice, data={
        "notice_served_on": on.isoformat(), "statement": "当事人未提出陈述申辩意见。", **extra})


def set_param(world, key, value):
    default = Parameter.objects.get(agency__isnull=True, key=key)
    record_save(Parameter(agency=world.agency, key=key, value=Decimal(value), unit=default.unit, label=default.label,
                          source=default.source), actor="test")


def attach(world, case, kind="waiver", actor=None):
    return evidence_attach(case=case, actor=actor or world.alice, kind=kind, description="当事人签名的声明",
                           uploaded=ContentFile(b"%PDF-1.4 waiver " + case.number.encode(), name="waiver.pdf"))


# --- §1 periods ----------------------------------------------------------------------------------


@pytest.mark.django_db
class TestStatementPeriod:
    def test_decision_on_the_day_the_notice_is_served_is_refused(self, world):
        case = walk(open_case(world), cast(world), until="notice")
        notice(world, case, TODAY)
        err = refused("statement_period_running", case, lambda: decide(world, case, TODAY), field="decided_on",
                      says="3日")
        assert "第四十四条" in err.message and str(TODAY + dt.timedelta(days=3)) in err.message

    def test_statement_received_lets_the_decision_follow(self, world):
        case = walk(open_case(world), cast(world), until="notice")
        notice(world, case, TODAY, statement_received=True)
        assert decide(world, case, TODAY).to_state == "service"

    def test_the_page_shows_the_refusal_beside_the_decision_date(self, world, client):
        case = walk(open_case(world), cast(world), until="notice")
        notice(world, case, TODAY)
        client.force_login(world.erin)
        response = client.post(f"/staff/cases/{case.pk}/actions/decide/", {
            "decided_on": TODAY.isoformat(), "penalty_kinds": ["fine"], "fine_amount": "500", "reasons": "依据"})
        body = response.content.decode()
        assert response.status_code == 400
        assert '<p class="field-error">当事人陈述申辩期限' in body
        assert body.index('name="decided_on"') < body.index('<p class="field-error">当事人陈述申辩期限')
        assert Case.objects.get(pk=case.pk).state == "decision"

    def test_waiver_counts_only_with_the_signed_statement_attached(self, world):
        case = walk(open_case(world), cast(world), until="notice")
        refused("waiver_not_attached", case, lambda: notice(world, case, TODAY, rights_waived=True),
                field="rights_waived", says="第四十四条")
        attach(world, case)
        notice(world, case, TODAY, rights_waived=True)
        assert decide(world, case, TODAY).to_state == "service"

    def test_the_period_and_the_notice_text_read_the_same_parameter(self, world):
        set_param(world, "statement_days", "5")
        case = walk(open_case(world), cast(world), until="notice")
        doc = document_issue(case=case, kind="prior_notice", actor=world.alice)
        assert "收到本告知书之日起五日内" in plain_text(doc.content)
        notice(world, case, TODAY - dt.timedelta(days=4))
        refused("statement_period_running", case, lambda: decide(world, case, TODAY), says="5日")


@pytest.mark.django_db
class TestHearingPeriods:
    def test_a_hearing_notified_less_than_seven_days_ahead_is_refused(self, world):
        c = cast(world)
        case = walk(open_case(world), c, fine=20000, hearing=True, until="hearing",
                    start=OPENED + dt.timedelta(days=5))
        notified = case.notice_served_on + dt.timedelta(days=2)
        err = refused("hearing_notice_too_late", case, lambda: case_transition(
            case=case, action="record_hearing", actor=world.alice, data={
                "hearing_notified_on": notified.isoformat(),
                "hearing_held_on": (notified + dt.timedelta(days=6)).isoformat(),
                "hearing_host": c.hearing_host_officer_id, "hearing_record": "听证笔录"}),
            field="hearing_held_on", says="7日")
        assert "第六十四条" in err.message

    def test_a_signed_waiver_ends_the_hearing_request_period_too(self, world):
        case = walk(open_case(world), cast(world), fine=8000, until="notice")
        attach(world, case)
        notice(world, case, TODAY - dt.timedelta(days=1), rights_waived=True)
        assert decide(world, case, TODAY, fine="8000").to_state == "service"


@pytest.mark.django_db
class TestAfterTheDecision:
    def test_late_service_is_done_but_flagged(self, world):
        case = walk(open_case(world), cast(world), until="service", start=OPENED + dt.timedelta(days=5))
        decided = case.decided_on
        case_transition(case=case, action="record_service", actor=world.alice, data={
            "served_on": (decided + dt.timedelta(days=9)).isoformat(), "service_method": "direct"})
        case.refresh_from_db()
        assert case.state == "execution" and "service_days" in case.data["late"]
        assert any("决定书送达期限" in r for r in case_is_overdue(case))

    def test_late_payment_is_flagged_only_for_a_fine(self, world):
        for kinds, fine, flagged in ((("fine",), 500, True), (("warning",), None, False)):
            case = walk(open_case(world), cast(world), until="execution", kinds=kinds, fine=fine,
                        start=OPENED + dt.timedelta(days=5))
            case_transition(case=case, action="record_execution", actor=world.alice, data={
                "executed_on": (case.served_on + dt.timedelta(days=20)).isoformat(), "execution_note": "已履行"})
            case.refresh_from_db()
            assert ("payment_days" in (case.data.get("late") or {})) is flagged

    def test_service_step_is_due_seven_days_after_the_decision(self, world):
        case = walk(open_case(world), cast(world), until="service", start=OPENED + dt.timedelta(days=5))
        assert case.step_due == case.decided_on + dt.timedelta(days=7)

    def test_surcharge_runs_from_the_payment_due_date_and_is_capped_at_the_fine(self, world):
        case = walk(open_case(world), cast(world), until="execution", fine=1000, start=OPENED + dt.timedelta(days=5))
        assert payment_due(case) == case.served_on + dt.timedelta(days=15)
        due = payment_due(case)
        late = late_payment(case, on=due + dt.timedelta(days=10))
        assert late["surcharge"] == Decimal("300.00") and late["reminder"] and not late["capped"]
        assert late_payment(case, on=due + dt.timedelta(days=40))["surcharge"] == Decimal("1000.00")
        assert late_payment(case, on=due) is None
        set_param(world, "late_payment_rate_per_day", "1")
        assert late_payment(case, on=due + dt.timedelta(days=10))["surcharge"] == Decimal("100.00")
        assert any("催告" in r for r in case_is_overdue(case, due + dt.timedelta(days=10)))

    def test_the_case_page_and_the_api_show_the_surcharge_and_the_reminder(self, world, client):
        from rest_framework.test import APIClient

        start = TODAY - dt.timedelta(days=35)
        case = walk(open_case(world), cast(world), until="execution", fine=1000, start=start)
        days = (TODAY - payment_due(case)).days
        assert days > 0
        client.force_login(world.alice)
        page = client.get(f"/staff/cases/{case.pk}/").content.decode()
        surcharge = min(Decimal(30) * days, Decimal(1000))
        assert "加处罚款" in page and f"{surcharge:.2f}元" in page and "应催告" in page
        api = APIClient()
        api.force_authenticate(world.alice)
        body = api.get(f"/api/cases/{case.pk}/").json()
        assert body["late_payment"]["surcharge"] == f"{surcharge:.2f}" and body["late_payment"]["reminder"]
        assert body["payment_due"] == payment_due(case).isoformat()

    def test_remedy_periods_are_parameters_in_every_decision_text(self, world):
        set_param(world, "reconsideration_days", "90")
        set_param(world, "litigation_months", "3")
        case = walk(open_case(world), cast(world), until="service", start=OPENED + dt.timedelta(days=5))
        assert "九十日内" in decision_text(case.decision) and "三个月内" in decision_text(case.decision)
        text = plain_text(document_issue(case=case, kind="decision", actor=world.alice).content)
        assert "九十日内" in text and "三个月内" in text and "六十日" not in text


# --- §2 chronology -------------------------------------------------------------------------------


@pytest.mark.django_db
class TestChronology:
    def test_notice_before_the_filing_is_refused(self, world):
        case = walk(open_case(world), cast(world), until="notice")
        refused("date_out_of_order", case, lambda: notice(world, case, OPENED - dt.timedelta(days=1)),
                field="notice_served_on", says="立案日期")

    def test_service_before_the_decision_is_refused(self, world):
        case = walk(open_case(world), cast(world), until="service", start=OPENED + dt.timedelta(days=5))
        refused("date_out_of_order", case, lambda: case_transition(case=case, action="record_service",
                actor=world.alice, data={"served_on": (case.decided_on - dt.timedelta(days=1)).isoformat(),
                                         "service_method": "direct"}), field="served_on", says="决定日期")

    def test_execution_before_service_is_refused(self, world):
        case = walk(open_case(world), cast(world), until="execution", start=OPENED + dt.timedelta(days=5))
        refused("date_out_of_order", case, lambda: case_transition(case=case, action="record_execution",
                actor=world.alice, data={"executed_on": (case.served_on - dt.timedelta(days=1)).isoformat(),
                                         "execution_note": "已缴纳"}), field="executed_on", says="送达日期")

    def test_a_date_in_the_future_is_refused(self, world):
        case = walk(open_case(world), cast(world), until="notice")
        refused("date_in_future", case, lambda: notice(world, case, TODAY + dt.timedelta(days=1)),
                field="notice_served_on")


@pytest.mark.django_db
class TestDocumentsPerStep:
    def test_a_document_of_a_step_not_reached_is_refused(self, world):
        case = open_case(world)
        refused("document_step_not_reached", case,
                lambda: document_issue(case=case, kind="decision", actor=world.alice), says="决定")

    def test_a_document_no_step_of_the_flow_makes_is_refused(self, world):
        case = case_open(actor=world.alice, item=world.item, party=citizen_party(), title="乱扔烟头",
                         officers=[world.alice_officer, world.bob_officer], procedure="simple", opened_on=TODAY)
        refused("document_not_in_flow", case, lambda: document_issue(case=case, kind="hearing_record",
                                                                     actor=world.alice))

    def test_after_its_step_a_document_is_only_a_correction_with_a_reason(self, world):
        # At 案件审查 the 询问笔录 may still follow the investigation it closes; at 告知 no more.
        case = walk(open_case(world), cast(world), until="examination")
        document_issue(case=case, kind="inquiry_record", actor=world.alice, extra=INQUIRY)
        case = walk(case, cast(world), until="notice")
        refused("document_correction_required", case,
                lambda: document_issue(case=case, kind="inquiry_record", actor=world.alice, extra=INQUIRY),
                field="correction_reason", says="补正")
        doc = document_issue(case=case, kind="inquiry_record", actor=world.alice, extra=INQUIRY,
                             correction_reason="调查时漏记被询问人签名页")
        assert doc.content["correction"]["reason"] == "调查时漏记被询问人签名页"

    def test_a_record_that_ends_before_it_starts_is_refused(self, world):
        case = walk(open_case(world), cast(world), until="examination")
        ends_early = {**INQUIRY, "ended_at": f"{OPENED + dt.timedelta(days=1)} 09:00"}
        refused("ended_before_started", case,
                lambda: document_issue(case=case, kind="inquiry_record", actor=world.alice, extra=ends_early),
                field="ended_at", says="不能早于“询问开始时间”")

    def test_a_walked_through_record_time_is_never_in_the_future(self):
        # Demo data and tests open cases "today" at any hour; at 00:01 a record "at 09:00 today" is
        # in the future and the document refuses it, so the walkthrough takes the earlier of the two.
        just_after_midnight = timezone.make_aware(dt.datetime.combine(TODAY, dt.time(0, 1)))
        with mock.patch("django.utils.timezone.now", lambda: just_after_midnight):
            assert record_time(TODAY, 9) == timezone.localtime(just_after_midnight).isoformat(timespec="minutes")
        assert record_time(TODAY - dt.timedelta(days=1), 9).endswith("T09:00+08:00")

    def test_the_decision_document_is_made_right_after_the_decision(self, world):
        case = walk(open_case(world), cast(world), until="service", start=OPENED + dt.timedelta(days=5))
        assert "correction" not in document_issue(case=case, kind="decision", actor=world.alice).content

    def test_after_closing_only_the_head_makes_a_correction_and_the_dossier_shows_why(self, world, client):
        case = walk(open_case(world), cast(world), until="archive", documents=False,
                    start=OPENED + dt.timedelta(days=5))
        refused("document_after_closing", case,
                lambda: document_issue(case=case, kind="filing_approval", actor=world.alice))
        refused("correction_needs_head", case, lambda: document_issue(
            case=case, kind="filing_approval", actor=world.alice, correction_reason="补制立案审批表"))
        doc = document_issue(case=case, kind="filing_approval", actor=world.erin, correction_reason="补制立案审批表")
        assert doc.content["correction"] == {"reason": "补制立案审批表", "approved_by": str(world.erin)}
        client.force_login(world.erin)
        page = client.get(f"/staff/cases/{case.pk}/dossier/").content.decode()
        assert "补正：补制立案审批表" in page


# --- §3 separation of duties ---------------------------------------------------------------------


@pytest.fixture
def handling_head(world):
    """A unit head who is also one of the two handling officers of the case."""
    user, officer = officer_user(world.agency, Role.UNIT_HEAD, "hank", "韩科长")
    return user, officer


@pytest.mark.django_db
class TestSeparation:
    @pytest.mark.parametrize("stop,action,data", [
        ("filing", "approve_filing", {"filing_opinion": "同意立案"}),
        ("examination", "approve_proposal", {"examination_opinion": "同意"}),
        ("closing", "approve_closing", {"closing_opinion": "同意结案"}),
    ])
    def test_an_approver_who_handles_the_case_is_refused(self, world, handling_head, stop, action, data):
        user, officer = handling_head
        case = open_case(world, officers=[world.alice_officer, officer])
        case = walk(case, cast(world), until=stop, start=OPENED + dt.timedelta(days=5))
        refused("approver_is_handler", case, lambda: case_transition(case=case, action=action, actor=user,
                                                                     data=data), says="第五十七条")

    def test_the_legal_reviewer_cannot_make_investigation_documents(self, world):
        case = walk(open_case(world), cast(world), until="investigation")
        refused("reviewer_investigating", case,
                lambda: document_issue(case=case, kind="inquiry_record", actor=world.dave, extra=INQUIRY),
                says="第五十八条")

    def test_the_legal_reviewer_is_not_assigned_as_a_handling_officer(self, world):
        before = ledger_size()
        with pytest.raises(DomainError) as err:
            open_case(world, officers=[world.alice_officer, world.dave_officer])
        assert err.value.code == "reviewer_investigating" and err.value.field == "officers"
        assert ledger_size() == before and not Case.objects.exists()

    def test_the_legal_reviewer_cannot_upload_evidence(self, world):
        case = walk(open_case(world), cast(world), until="investigation")
        refused("reviewer_investigating", case, lambda: attach(world, case, kind="photo", actor=world.dave),
                says="上传证据")

    def test_a_malformed_hearing_host_is_refused_by_its_field_not_a_server_error(self, world):
        case = walk(open_case(world), cast(world), fine=20000, hearing=True, until="hearing",
                    start=OPENED + dt.timedelta(days=5))
        refused("field_invalid", case, lambda: case_transition(case=case, action="record_hearing", actor=world.alice,
                data={"hearing_host": "abc"}), field="hearing_notified_on")

    def test_the_head_does_not_decide_a_case_he_handles(self, world):
        head, officer = officer_user(world.agency, Role.AGENCY_HEAD, "harry", "何局长")
        case = walk(open_case(world, officers=[world.alice_officer, officer]), cast(world), until="decision",
                    start=OPENED + dt.timedelta(days=5))
        refused("decider_is_handler", case, lambda: decide(world, case, TODAY, actor=head), says="第五十七条")

    def test_only_the_head_decides_whatever_roles_the_flow_lists(self, world):
        case = walk(open_case(world), cast(world), until="decision", start=OPENED + dt.timedelta(days=5))
        act = engine.flow_spec(case.flow).steps["decision"].actions["decide"]
        ctx = engine.Context(case=case, action=act, values={}, actor=world.alice, today=TODAY)
        with pytest.raises(DomainError) as err:
            engine.SEPARATIONS["decided_by_head"](ctx)
        assert err.value.code == "decision_not_by_head"
        assert "decided_by_head" in act.separation
