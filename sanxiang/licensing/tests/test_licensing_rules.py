"""One refusal per rule of the licensing flow (each would pass without its guard), and the late
certificate warning. Services are called directly; `today` is moved where a period must run."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from sanxiang.cases.services import case_is_overdue, case_transition
from sanxiang.common.alerts import ALERT_RULES
from sanxiang.common.calendar import add_working_days
from sanxiang.common.exceptions import DomainError, OfficerNotQualified
from sanxiang.documents.services import document_issue
from sanxiang.licensing.services import application_register, application_submit
from sanxiang.licensing.testing import applicant, build_licensing_world, files, multipart
from sanxiang.testing import build_world

TODAY = timezone.localdate()


@pytest.fixture
def worlds(db, settings, tmp_path):
    settings.EVIDENCE_UPLOAD_DIR = str(tmp_path / "uploads")
    world = build_world()
    return world, build_licensing_world(world)


def _case(lw, received_on=None, keys=("form", "id", "plan"), officers=None):
    application, _ = application_submit(item=lw.item, applicant=applicant(), request="设置广告牌一块",
                                        files=files(*keys), actor=lw.lina, received_on=received_on)
    return application_register(application=application, actor=lw.lina,
                                officers=officers or [lw.lina_officer, lw.mike_officer])


def _do(case, action, actor, **data):
    return case_transition(case=case, action=action, actor=actor,
                           data={k: v.isoformat() if hasattr(v, "isoformat") else v for k, v in data.items()})


def _refused(case, action, actor, code, **data):
    with pytest.raises(DomainError) as exc:
        _do(case, action, actor, **data)
    assert exc.value.code == code, exc.value.message
    return exc.value


def _to_decision(lw, accepted_on, *, received_on=None):
    case = _case(lw, received_on=received_on or accepted_on)
    _do(case, "accept", lw.lina, accepted_on=accepted_on)
    document_issue(case=case, kind="acceptance_notice", actor=lw.lina)
    _do(case, "record_examination", lw.lina, examined_on=accepted_on, examination_opinion="符合条件",
        recommendation="grant")
    case.refresh_from_db()
    return case


GRANT = {"licence_scope": "广告牌一块", "valid_until": "三年", "decision_reasons": "符合设置规划"}


def test_supplement_after_five_working_days_is_refused(worlds):
    world, lw = worlds
    case = _case(lw, received_on=TODAY - dt.timedelta(days=12), keys=("form", "id"))
    error = _refused(case, "request_supplement", lw.lina, "supplement_too_late", supplement_on=TODAY,
                     missing_materials=["plan"])
    assert "第三十二条" in error.message and "即为受理" in error.message and error.rule.startswith("行政许可法")
    within = add_working_days(case.opened_on, 5, what="t")
    _do(case, "request_supplement", lw.lina, supplement_on=within, missing_materials=["plan"])


def test_supplement_lists_everything_at_once_and_only_once(worlds):
    world, lw = worlds
    case = _case(lw, keys=("form",))
    error = _refused(case, "request_supplement", lw.lina, "supplement_incomplete", supplement_on=TODAY,
                     missing_materials=["plan"])
    assert "申请人身份证明" in error.message
    _do(case, "request_supplement", lw.lina, supplement_on=TODAY, missing_materials=["plan", "id"])
    from sanxiang.licensing.models import Application
    from sanxiang.licensing.services import materials_add

    document_issue(case=case, kind="supplement_notice", actor=lw.lina)
    materials_add(application=Application.objects.get(case=case), actor=lw.lina, files=files("plan", "id"))
    _do(case, "record_supplement", lw.lina, supplemented_on=TODAY)
    _refused(case, "request_supplement", lw.lina, "supplement_twice", supplement_on=TODAY, missing_materials=["plan"])


def test_accept_needs_every_required_material(worlds):
    world, lw = worlds
    case = _case(lw, keys=("form", "id"))
    error = _refused(case, "accept", lw.lina, "materials_incomplete", accepted_on=TODAY)
    assert "设置方案及效果图" in error.message and "场地权属人同意书" not in error.message


def test_not_accepted_without_reason_is_refused(worlds):
    world, lw = worlds
    case = _case(lw)
    error = _refused(case, "not_accept", lw.lina, "reason_required", not_accepted_on=TODAY, refusal_reason="")
    assert "第三十二条" in error.message and error.field == "refusal_reason"


def test_refusal_decision_without_reason_is_refused(worlds):
    world, lw = worlds
    case = _to_decision(lw, TODAY)
    error = _refused(case, "refuse", world.erin, "reason_required", decided_on=TODAY, decision_reasons=" ")
    assert "第三十八条" in error.message and "行政复议" in error.message


def test_decision_on_day_21_without_extension_is_refused(worlds):
    world, lw = worlds
    accepted = TODAY - dt.timedelta(days=60)
    case = _to_decision(lw, accepted)
    assert case.decision_due == add_working_days(accepted, 20, what="t")
    day21 = add_working_days(accepted, 21, what="t")
    error = _refused(case, "grant", world.erin, "decision_period_expired", decided_on=day21, **GRANT)
    assert "第四十二条" in error.message and "未经本行政机关负责人批准延长" in error.message
    assert error.field == "decided_on"
    # Too late to extend now: the 20 days have run.
    _refused(case, "extend_decision_period", world.erin, "extension_after_expiry", extension_reason="需专家论证")
    _do(case, "grant", world.erin, decided_on=add_working_days(accepted, 20, what="t"), **GRANT)


def test_approved_extension_allows_day_21_once(worlds, monkeypatch):
    world, lw = worlds
    accepted = TODAY - dt.timedelta(days=60)
    case = _to_decision(lw, accepted)
    monkeypatch.setattr("sanxiang.cases.services.today", lambda: accepted + dt.timedelta(days=10))
    _do(case, "extend_decision_period", world.erin, extension_reason="涉及多个部门意见，需会商")
    _refused(case, "extend_decision_period", world.erin, "extension_twice", extension_reason="再次延长")
    monkeypatch.undo()
    case.refresh_from_db()
    assert case.decision_due == add_working_days(accepted, 30, what="t")
    _do(case, "grant", world.erin, decided_on=add_working_days(accepted, 21, what="t"), **GRANT)


def test_excluded_time_moves_the_due_date(worlds):
    world, lw = worlds
    accepted = TODAY - dt.timedelta(days=60)
    case = _to_decision(lw, accepted)
    _refused(case, "record_excluded_time", lw.lina, "excluded_days_invalid", excluded_kind="expert",
             excluded_days="abc", excluded_note="书面告知")
    _do(case, "record_excluded_time", lw.lina, excluded_kind="expert", excluded_days="5", excluded_note="已书面告知申请人")
    case.refresh_from_db()
    assert case.decision_due == add_working_days(accepted, 25, what="t")


def test_onsite_check_must_be_recorded(worlds):
    world, lw = worlds
    case = _case(lw)
    _do(case, "accept", lw.lina, accepted_on=TODAY)
    document_issue(case=case, kind="acceptance_notice", actor=lw.lina)
    _refused(case, "record_examination", lw.lina, "onsite_record_missing", examined_on=TODAY, onsite_checked=True,
             onsite_record="", examination_opinion="x", recommendation="grant")


def test_decision_only_by_the_head_not_on_the_case(worlds):
    world, lw = worlds
    case = _to_decision(lw, TODAY)
    _refused(case, "grant", lw.lina, "role_not_allowed", decided_on=TODAY, **GRANT)


def test_officer_without_licensing_on_his_certificate_is_refused(worlds):
    world, lw = worlds
    with pytest.raises(OfficerNotQualified) as exc:
        _case(lw, officers=[lw.lina_officer, world.bob_officer])
    assert "行政许可" in exc.value.message and exc.value.code == "certificate_invalid"


def test_late_certificate_is_flagged_and_warned(worlds):
    world, lw = worlds
    accepted = TODAY - dt.timedelta(days=40)
    case = _to_decision(lw, accepted)
    decided = accepted + dt.timedelta(days=1)
    _do(case, "grant", world.erin, decided_on=decided, **GRANT)
    findings = list(ALERT_RULES["licence_certificate_due"].find(3, TODAY))
    assert [f.case_id for f in findings] == [case.pk] and "第四十四条" in findings[0].text
    case.refresh_from_db()
    assert any("已超期" in r for r in case_is_overdue(case))
    _refused(case, "issue_licence", lw.lina, "document_missing", certificate_on=TODAY)
    document_issue(case=case, kind="licence_grant_decision", actor=lw.lina)
    document_issue(case=case, kind="licence_certificate", actor=lw.lina)
    _do(case, "issue_licence", lw.lina, certificate_on=TODAY)
    case.refresh_from_db()
    assert "第四十四条" in case.data["late"]["licence_certificate"]
    assert list(ALERT_RULES["licence_certificate_due"].find(3, TODAY)) == []


def test_online_application_refusals(worlds, settings):
    world, lw = worlds
    client = Client(REMOTE_ADDR="10.9.9.9")
    bad = multipart(applicant())
    bad["material_unknown"] = files("x")["x"]
    response = client.post(f"/api/public/licensing/items/{lw.item.pk}/apply/", bad)
    assert response.status_code == 400 and response.json()["error"]["code"] == "material_unknown"
    no_name = multipart({**applicant(), "name": ""})
    assert client.post(f"/api/public/licensing/items/{lw.item.pk}/apply/", no_name).status_code == 400
    penalty_item = world.item.pk  # not a licensing item: no such form
    assert client.post(f"/api/public/licensing/items/{penalty_item}/apply/", multipart(applicant())).status_code == 404
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "licensing_apply": "2/hour"}
    limited = Client(REMOTE_ADDR="10.9.9.10")
    codes = [limited.post(f"/api/public/licensing/items/{lw.item.pk}/apply/", multipart(applicant())).status_code
             for _ in range(3)]
    assert codes == [201, 201, 429]


def test_portal_form_and_guide_pages(worlds):
    world, lw = worlds
    client = Client(REMOTE_ADDR="10.9.9.11")
    page = client.get(f"/items/{lw.item.pk}/").content.decode()
    assert "服务指南" in page and "设置方案及效果图" in page and f"/licensing/items/{lw.item.pk}/apply/" in page
    # The flowchart printed is the engine's licensing flow.
    assert "一次告知补正材料" in page and "批准延长决定期限" in page
    form = client.get(f"/licensing/items/{lw.item.pk}/apply/").content.decode()
    assert 'name="material_plan"' in form
    done = client.post(f"/licensing/items/{lw.item.pk}/apply/", multipart(applicant()))
    assert done.status_code == 201 and "查询码" in done.content.decode()
    assert "城市生活垃圾处理费" in client.get("/fees/").content.decode()
