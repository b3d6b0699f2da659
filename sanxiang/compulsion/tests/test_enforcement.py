"""行政强制执行 (《行政强制法》第三十四条至第五十四条): an unpaid fine carried over, the whole flow through
the API (by the agency itself and by application to the court), and each rule's refusal."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from sanxiang.cases.services import case_open, case_transition
from sanxiang.cases.walkthrough import Cast, walk
from sanxiang.common.exceptions import DomainError
from sanxiang.compulsion.services import enforcement_open_from_penalty
from sanxiang.compulsion.testing import grant_enforcement_power, last_public_holiday, last_working_day, video
from sanxiang.testing import citizen_party, token_client

TODAY = timezone.localdate()


def unpaid_penalty(w, served_days_ago: int = 52):
    """A penalty case with a fine of 800 served `served_days_ago` days ago and not paid."""
    start = TODAY - dt.timedelta(days=served_days_ago + 8)
    case = case_open(actor=w.alice, item=w.item, party=citizen_party(), title="擅自倾倒建筑垃圾",
                     officers=[w.alice_officer, w.bob_officer], opened_on=start - dt.timedelta(days=10))
    return walk(case, Cast(w.alice, w.carol, w.dave, w.erin), until="execution", fine=800, start=start)


def opened(w, opened_on):
    return case_open(actor=w.alice, item=w.enforcement_item, party=citizen_party(), title="逾期不履行限期拆除决定",
                     officers=[w.alice_officer, w.bob_officer], opened_on=opened_on)


def reminded(w, served: dt.date, deadline: dt.date, opened_on=None):
    case = opened(w, opened_on or served)
    case_transition(case=case, action="serve_reminder", actor=w.alice, data={
        "obligation": "自行拆除违法建设的彩钢棚", "reminder_served_on": served.isoformat(),
        "performance_deadline": deadline.isoformat()})
    case_transition(case=case, action="record_statement", actor=w.alice, data={"statement_received": False})
    case.refresh_from_db()
    return case


@pytest.mark.django_db
def test_unpaid_fine_walked_whole_through_the_api(cworld):
    w = cworld
    grant_enforcement_power(w.agency)
    penalty = unpaid_penalty(w)
    alice, erin = token_client(w.alice), token_client(w.erin)
    # carol is no officer: opening a case is an officer's act.
    assert token_client(w.carol).post(f"/api/compulsion/from-penalty/{penalty.pk}/", {}, format="json").status_code == 403
    response = alice.post(f"/api/compulsion/from-penalty/{penalty.pk}/", {}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    pk = body["id"]
    assert body["flow"] == "compulsion_enforcement" and body["state"] == "reminder"
    from sanxiang.cases.models import Case

    case = Case.objects.get(pk=pk)
    # 52 - 15 = 37 days late × 3% × 800 = 888, capped at the fine (第四十五条).
    assert case.data["fine_amount"] == "800.00" and case.data["surcharge"] == "800.00"
    assert case.data["amount_due"] == "1600.00" and penalty.number in case.data["origin_case"]
    again = alice.post(f"/api/compulsion/from-penalty/{penalty.pk}/", {}, format="json")
    assert again.status_code == 409 and again.json()["error"]["code"] == "enforcement_exists"

    def act(client, action, data):
        r = client.post(f"/api/cases/{pk}/actions/{action}/", data, format="json")
        assert r.status_code == 200, r.json()
        return r.json()

    served = TODAY - dt.timedelta(days=20)
    case.opened_on = served  # keep dates in order: the case was registered on the day of service
    Case.objects.filter(pk=pk).update(opened_on=served)
    act(alice, "serve_reminder", {"obligation": case.data["obligation"], "reminder_served_on": served.isoformat(),
                                  "performance_deadline": (served + dt.timedelta(days=10)).isoformat()})
    doc = alice.post(f"/api/cases/{pk}/documents/", {"kind": "reminder_notice"}, format="json")
    assert doc.status_code == 201, doc.json()
    text = str(doc.json()["content"])
    assert "1,600.00" in text or "1600" in text
    assert "加处罚款" in text and "第三十五条" in text
    # Art. 36: a statement received must be answered.
    r = alice.post(f"/api/cases/{pk}/actions/record_statement/", {"statement_received": True,
                                                                   "statement": "经济困难，申请分期"}, format="json")
    assert r.status_code == 400 and r.json()["error"]["code"] == "statement_not_answered"
    act(alice, "record_statement", {"statement_received": True, "statement": "经济困难，申请分期",
                                    "statement_reply": "经复核，当事人未提供证据，不予采纳。"})
    act(erin, "decide_enforcement", {"enforcement_decided_on": (TODAY - dt.timedelta(days=5)).isoformat(),
                                     "enforcement_method": "deposit", "enforcement_reasons": "逾期不缴纳罚款及加处罚款"})
    assert alice.post(f"/api/cases/{pk}/documents/", {"kind": "enforcement_decision"},
                      format="json").status_code == 201
    case.refresh_from_db()
    assert case.data["publish_due"] > (TODAY - dt.timedelta(days=5)).isoformat()  # 20 working days (other kinds)
    video(case, w.alice)
    day = last_working_day(TODAY)
    body = act(alice, "execute", {"executed_at": f"{day.isoformat()} 10:00",
                                  "execution_note": "已划拨当事人存款1600元"})
    assert body["state"] == "executed"
    overview = alice.get("/api/compulsion/").json()
    assert pk in [e["case"] for e in overview["enforcements"]]


@pytest.mark.django_db
def test_fine_not_overdue_cannot_be_carried_over(cworld):
    w = cworld
    penalty = unpaid_penalty(w, served_days_ago=5)
    with pytest.raises(DomainError) as err:
        enforcement_open_from_penalty(actor=w.alice, penalty_case=penalty)
    assert err.value.code == "fine_not_overdue" and "第三十五条" in err.value.message


SUBSTITUTE = {"substitute": "河洛市某拆除工程有限公司", "subject": "彩钢棚约120平方米", "budget": "人民币8000元",
              "method": "机械拆除"}


def substituting(w, decided: dt.date):
    """A case whose enforcement decision (on `decided`) chose 代履行: it waits at the 催告 step."""
    grant_enforcement_power(w.agency)
    case = reminded(w, TODAY - dt.timedelta(days=20), TODAY - dt.timedelta(days=10))
    move = case_transition(case=case, action="decide_enforcement", actor=w.erin, data={
        "enforcement_decided_on": decided.isoformat(), "enforcement_method": "substitute",
        "enforcement_reasons": "逾期不拆除"})
    assert move.to_state == "substitute_notice"
    case.refresh_from_db()
    return case


def _serve_substitute_reminder(w, case, served: dt.date):
    return case_transition(case=case, action="serve_substitute_reminder", actor=w.alice,
                           data={"substitute_reminder_served_on": served.isoformat()})


@pytest.mark.django_db
def test_substitute_performance_walked_through_decision_reminder_and_execution(cworld):
    """第五十一条: 代履行决定书 served, then a 催告 at least three (working) days before 代履行."""
    from sanxiang.documents.services import document_issue

    w = cworld
    decided = TODAY - dt.timedelta(days=9)
    case = substituting(w, decided)
    with pytest.raises(DomainError) as err:
        _serve_substitute_reminder(w, case, decided)
    assert err.value.code == "substitute_decision_missing" and "第五十一条" in err.value.message
    with pytest.raises(DomainError) as err:
        document_issue(case=case, kind="substitute_reminder", actor=w.alice)
    assert err.value.code == "document_not_available" and "代履行决定书" in err.value.message
    document_issue(case=case, kind="substitute_decision", actor=w.alice, extra=SUBSTITUTE)
    with pytest.raises(DomainError) as err:
        _serve_substitute_reminder(w, case, decided)
    assert err.value.code == "substitute_reminder_missing" and "第五十一条" in err.value.message
    notice = document_issue(case=case, kind="substitute_reminder", actor=w.alice)
    assert "强代催〔" in notice.number and "停止代履行" in str(notice.content) and "第五十一条" in str(notice.content)
    assert _serve_substitute_reminder(w, case, decided).to_state == "execution"
    video(case, w.alice)
    day = last_working_day(TODAY)
    move = case_transition(case=case, action="execute", actor=w.alice,
                           data={"executed_at": f"{day.isoformat()} 10:00", "execution_note": "委托第三方拆除"})
    assert move.to_state == "executed"


@pytest.mark.django_db
def test_substitute_performance_within_three_days_of_the_reminder_is_refused(cworld):
    from sanxiang.common.calendar import add_working_days
    from sanxiang.documents.services import document_issue

    w = cworld
    served = TODAY - dt.timedelta(days=1)
    case = substituting(w, served)
    document_issue(case=case, kind="substitute_decision", actor=w.alice, extra=SUBSTITUTE)
    document_issue(case=case, kind="substitute_reminder", actor=w.alice)
    _serve_substitute_reminder(w, case, served)
    video(case, w.alice)
    case.refresh_from_db()
    now = timezone.localtime()
    with pytest.raises(DomainError) as err:
        case_transition(case=case, action="execute", actor=w.alice, data={
            "executed_at": now.strftime("%Y-%m-%d %H:%M"), "emergency": True, "emergency_reasons": "赶工",
            "execution_note": "委托第三方拆除"})
    assert err.value.code == "substitute_reminder_too_late"
    assert "《行政强制法》第五十一条" in err.value.message
    assert str(add_working_days(served, 3, what="t")) in err.value.message


@pytest.mark.django_db
def test_party_performing_after_the_substitute_reminder_stops_it(cworld):
    from sanxiang.documents.services import document_issue

    w = cworld
    decided = TODAY - dt.timedelta(days=9)
    case = substituting(w, decided)
    document_issue(case=case, kind="substitute_decision", actor=w.alice, extra=SUBSTITUTE)
    move = case_transition(case=case, action="record_performance", actor=w.alice, data={
        "performed_on": TODAY.isoformat(), "performance_note": "当事人收到代履行决定书后自行拆除"})
    assert move.to_state == "performed"
    case.refresh_from_db()
    assert case.closed_on is not None


@pytest.mark.django_db
def test_decision_before_the_reminder_deadline_is_refused(cworld):
    w = cworld
    grant_enforcement_power(w.agency)
    case = reminded(w, TODAY - dt.timedelta(days=3), TODAY + dt.timedelta(days=7))
    with pytest.raises(DomainError) as err:
        case_transition(case=case, action="decide_enforcement", actor=w.erin, data={
            "enforcement_decided_on": TODAY.isoformat(), "enforcement_method": "direct", "enforcement_reasons": "x"})
    assert err.value.code == "reminder_deadline_running" and "第三十七条" in err.value.message


@pytest.mark.django_db
def test_without_power_the_agency_applies_to_the_court(cworld):
    w = cworld
    case = reminded(w, TODAY - dt.timedelta(days=20), TODAY - dt.timedelta(days=10))
    with pytest.raises(DomainError) as err:
        case_transition(case=case, action="decide_enforcement", actor=w.erin, data={
            "enforcement_decided_on": TODAY.isoformat(), "enforcement_method": "direct", "enforcement_reasons": "x"})
    assert err.value.code == "no_enforcement_power" and "第五十三条" in err.value.message


def _at(case, w, hour: int, day: dt.date, **extra):
    return case_transition(case=case, action="execute", actor=w.alice, data={
        "executed_at": f"{day.isoformat()} {hour:02d}:30", "execution_note": "拆除完毕", **extra})


def executing(w, before: dt.date):
    grant_enforcement_power(w.agency)
    case = reminded(w, before - dt.timedelta(days=20), before - dt.timedelta(days=10))
    case_transition(case=case, action="decide_enforcement", actor=w.erin, data={
        "enforcement_decided_on": (before - dt.timedelta(days=5)).isoformat(), "enforcement_method": "direct",
        "enforcement_reasons": "逾期不拆除"})
    video(case, w.alice)
    return case


@pytest.mark.django_db
def test_night_enforcement_is_refused_unless_emergency(cworld):
    w = cworld
    day = last_working_day(TODAY)
    case = executing(w, day)
    for hour in (22, 5):
        with pytest.raises(DomainError) as err:
            _at(case, w, hour, day)
        assert err.value.code == "enforcement_at_night" and "第四十三条" in err.value.message
    with pytest.raises(DomainError) as err:
        _at(case, w, 23, day, emergency=True)
    assert err.value.code == "emergency_reasons_missing"
    assert _at(case, w, 23, day, emergency=True, emergency_reasons="违法建筑随时可能倒塌，危及行人安全").to_state == "executed"


@pytest.mark.django_db
def test_public_holiday_enforcement_is_refused_unless_emergency(cworld):
    w = cworld
    holiday = last_public_holiday(TODAY)
    case = executing(w, holiday)
    with pytest.raises(DomainError) as err:
        _at(case, w, 10, holiday)
    assert err.value.code == "enforcement_on_holiday" and "法定节假日" in err.value.message
    assert _at(case, w, 10, holiday, emergency=True, emergency_reasons="堵塞消防通道").to_state == "executed"


def applying(w):
    served = TODAY - dt.timedelta(days=150)
    return reminded(w, served, served + dt.timedelta(days=10), opened_on=served), served


@pytest.mark.django_db
def test_court_application_walked_whole_through_the_api(cworld):
    w = cworld
    case, served = applying(w)
    erin, alice = token_client(w.erin), token_client(w.alice)
    r = erin.post(f"/api/cases/{case.pk}/actions/apply_to_court/", {
        "applied_on": (TODAY - dt.timedelta(days=100)).isoformat(), "court": "河洛市西工区人民法院",
        "remedy_ended_on": (TODAY - dt.timedelta(days=130)).isoformat()}, format="json")
    assert r.status_code == 200, r.json()
    assert r.json()["state"] == "court_review"
    doc = alice.post(f"/api/cases/{case.pk}/documents/", {"kind": "court_application"}, format="json")
    assert doc.status_code == 201 and "第五十四条" in str(doc.json()["content"])
    r = alice.post(f"/api/cases/{case.pk}/actions/record_court_ruling/", {
        "ruled_on": (TODAY - dt.timedelta(days=80)).isoformat(), "court_ruling": "granted",
        "court_note": "（2026）豫0303行审12号，裁定准予执行"}, format="json")
    assert r.status_code == 200 and r.json()["state"] == "court_ruled"


@pytest.mark.django_db
def test_court_application_sooner_than_10_days_after_service_is_refused(cworld):
    w = cworld
    case, served = applying(w)
    with pytest.raises(DomainError) as err:
        case_transition(case=case, action="apply_to_court", actor=w.erin, data={
            "applied_on": (served + dt.timedelta(days=5)).isoformat(), "court": "西工区人民法院",
            "remedy_ended_on": (served - dt.timedelta(days=30)).isoformat()})
    assert err.value.code == "court_application_too_soon" and "第五十四条" in err.value.message


@pytest.mark.django_db
def test_court_application_later_than_3_months_is_refused(cworld):
    w = cworld
    case, served = applying(w)
    with pytest.raises(DomainError) as err:
        case_transition(case=case, action="apply_to_court", actor=w.erin, data={
            "applied_on": (TODAY - dt.timedelta(days=5)).isoformat(), "court": "西工区人民法院",
            "remedy_ended_on": (TODAY - dt.timedelta(days=130)).isoformat()})
    assert err.value.code == "court_application_too_late" and "第五十三条" in err.value.message
    with pytest.raises(DomainError) as err:
        case_transition(case=case, action="apply_to_court", actor=w.erin, data={
            "applied_on": (TODAY - dt.timedelta(days=100)).isoformat(), "court": "西工区人民法院",
            "remedy_ended_on": (TODAY - dt.timedelta(days=100)).isoformat()})
    assert err.value.code == "court_application_before_remedy_end"


@pytest.mark.django_db
def test_court_window_from_a_carried_over_fine(cworld):
    """The remedy periods of a fine carried over run from the service of the penalty decision."""
    from sanxiang.compulsion.facts import add_months
    from sanxiang.compulsion.rules import remedy_end

    w = cworld
    penalty = unpaid_penalty(w)
    case = enforcement_open_from_penalty(actor=w.alice, penalty_case=penalty)
    assert remedy_end(case, {}) == add_months(penalty.served_on, 6)
    assert Decimal(case.data["surcharge"]) <= penalty.fine_amount
