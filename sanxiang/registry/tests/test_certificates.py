"""执法证资格管理: each act is a service with its reason and a ledger entry; the engine and the
public directory see the change at once; the refusals name their rule."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from sanxiang.common.alerts import ALERT_RULES
from sanxiang.common.exceptions import NotFound, RoleNotAllowed, TransitionNotAllowed, ValidationFailed
from sanxiang.ledger.models import Entry
from sanxiang.registry.certificates import certificate_act
from sanxiang.registry.choices import OfficerStatus, StaffType
from sanxiang.registry.models import CertificateEvent, Officer
from sanxiang.registry.selectors import reviewer_staffing
from sanxiang.testing import OfficerFactory, build_world, force_login_verified, token_client

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


@pytest.fixture
def world():
    return build_world()


def newcomer(world, name="新人甲"):
    return OfficerFactory(agency=world.agency, name=name, certificate_no=None, valid_from=None, valid_to=None,
                          enforcement_kinds=[])


def act(world, officer, action, actor=None, **data):
    return certificate_act(actor=actor or world.sam, officer=officer, action=action, data=data)


def test_from_application_to_certificate_the_engine_sees_it(world):
    officer = newcomer(world)
    assert officer.certificate_problem(TODAY()) == "新人甲未取得行政执法证"
    act(world, officer, "apply", actor=world.erin, enforcement_kinds=["penalty", "inspection"])
    act(world, officer, "training", actor=world.erin, hours="40", course="行政处罚法")
    act(world, officer, "training", actor=world.erin, hours="24", course="执法技能")
    act(world, officer, "exam", score="82")
    event = act(world, officer, "issue", certificate_no="41030020269999")
    officer.refresh_from_db()
    assert officer.certificate_no == "41030020269999" and officer.status == OfficerStatus.ACTIVE
    assert officer.enforcement_kinds == ["penalty", "inspection"]
    assert officer.valid_to == officer.valid_from.replace(year=officer.valid_from.year + 5) - dt.timedelta(days=1)
    assert officer.certificate_problem(TODAY(), "penalty") is None
    assert "未载明" in officer.certificate_problem(TODAY(), "compulsion")
    entry = Entry.objects.get(index=event.ledger_index)
    assert entry.kind == "certificate.issue" and "新人甲".encode() in bytes(entry.body)
    # The public directory shows the new certificate at once.
    client = __import__("django.test", fromlist=["Client"]).Client()
    assert "41030020269999" in client.get("/officers/", {"q": "41030020269999"}).content.decode()


def test_issue_needs_exam_and_training_hours(world):
    officer = newcomer(world)
    with pytest.raises(TransitionNotAllowed, match="须先登记申领"):
        act(world, officer, "issue", certificate_no="X1")
    act(world, officer, "apply", actor=world.erin, enforcement_kinds=["penalty"])
    act(world, officer, "training", actor=world.erin, hours="20", course="法律知识")
    act(world, officer, "exam", score="55")
    with pytest.raises(TransitionNotAllowed, match="尚无合格的资格考试成绩"):
        act(world, officer, "issue", certificate_no="X1")
    act(world, officer, "exam", score="60")
    with pytest.raises(TransitionNotAllowed, match="不足每年60学时") as exc:
        act(world, officer, "issue", certificate_no="X1")
    assert exc.value.code == "training_hours_short" and "法治政府建设实施纲要" in exc.value.rule
    act(world, officer, "training", actor=world.erin, hours="40", course="业务知识")
    act(world, officer, "issue", certificate_no="X1")
    assert Officer.objects.get(pk=officer.pk).certificate_no == "X1"


def test_suspend_restore_revoke_need_reasons_and_revoked_is_final(world):
    officer = world.alice_officer
    with pytest.raises(ValidationFailed) as exc:
        act(world, officer, "suspend", reason=" ")
    assert exc.value.field == "reason"
    act(world, officer, "suspend", reason="涉嫌违法执法，停职调查")
    officer.refresh_from_db()
    assert officer.status == OfficerStatus.SUSPENDED and "暂扣" in officer.certificate_problem(TODAY())
    with pytest.raises(TransitionNotAllowed, match="不在有效状态"):
        act(world, officer, "suspend", reason="再次")
    act(world, officer, "restore", reason="调查结束，未发现违法")
    assert Officer.objects.get(pk=officer.pk).status == OfficerStatus.ACTIVE
    act(world, officer, "revoke", reason="调离执法岗位，注销证件")
    for action in ("renew", "restore", "suspend", "annual_review"):
        with pytest.raises(TransitionNotAllowed, match="已吊销"):
            act(world, officer, action, reason="试图恢复")
    assert CertificateEvent.objects.filter(officer=officer).count() == 3


def test_annual_review_checks_the_years_hours_and_a_failure_suspends(world):
    officer = world.bob_officer
    year = TODAY().year - 1
    act(world, officer, "training", actor=world.erin, hours="30", course="法律知识", on=dt.date(year, 6, 1))
    with pytest.raises(TransitionNotAllowed, match="不足60学时"):
        act(world, officer, "annual_review", year=year, passed="1")
    with pytest.raises(ValidationFailed) as exc:
        act(world, officer, "annual_review", year=year, passed="0")
    assert exc.value.field == "reason"
    act(world, officer, "annual_review", year=year, passed="0", reason="培训学时不足")
    assert Officer.objects.get(pk=officer.pk).status == OfficerStatus.SUSPENDED
    with pytest.raises(TransitionNotAllowed, match="已审验"):
        act(world, officer, "annual_review", year=year, passed="0", reason="重复")


def test_roles_scope_and_auxiliary_staff(world):
    officer = newcomer(world)
    with pytest.raises(RoleNotAllowed):
        act(world, officer, "apply", actor=world.alice, enforcement_kinds=["penalty"])
    with pytest.raises(RoleNotAllowed, match="执法监督人员"):
        act(world, officer, "issue", actor=world.erin, certificate_no="Y1")
    other = OfficerFactory(agency=world.other_agency, name="外机关")
    with pytest.raises(NotFound):
        act(world, other, "training", actor=world.erin, hours="8", course="x")
    helper = OfficerFactory(agency=world.agency, name="协管员", staff_type=StaffType.AUXILIARY, certificate_no=None,
                            valid_from=None, valid_to=None)
    with pytest.raises(TransitionNotAllowed, match="协管人员"):
        act(world, helper, "apply", actor=world.erin, enforcement_kinds=["penalty"])
    with pytest.raises(ValidationFailed) as exc:
        act(world, officer, "training", actor=world.erin, hours="abc", course="x")
    assert exc.value.field == "hours"
    with pytest.raises(ValidationFailed) as exc:
        act(world, officer, "training", actor=world.erin, hours="8", course="x", on="2999-01-01")
    assert exc.value.field == "on"


def test_reviewer_staffing_against_the_five_percent_rule(world):
    staffing = reviewer_staffing(world.agency)
    assert staffing["reviewers"] == 1 and staffing["ok"]
    for n in range(20):
        OfficerFactory(agency=world.agency, name=f"执法员{n}")
    staffing = reviewer_staffing(world.agency)
    assert staffing["officers"] >= 21 and staffing["required"] == 2 and not staffing["ok"]
    assert staffing["rows"] == [{"name": "戴维", "qualification_no": "A20151100000001"}]
    findings = list(ALERT_RULES["legal_reviewers_short"].find(5, TODAY()))
    # The other agency has a certified officer and no reviewer at all: it is short too.
    by_agency = {f.agency_id: f for f in findings}
    assert set(by_agency) == {world.agency.pk, world.other_agency.pk}
    assert "法制审核人员1人" in by_agency[world.agency.pk].text and "应不少于2人" in by_agency[world.agency.pk].text


def test_expiry_warning(world):
    officer = world.bob_officer
    Officer.objects.filter(pk=officer.pk).update(valid_to=TODAY() + dt.timedelta(days=10))
    findings = [f for f in ALERT_RULES["certificate_expiring"].find(30, TODAY()) if f.subject.pk == officer.pk]
    assert len(findings) == 1 and "将于" in findings[0].text and findings[0].user_ids == (world.bob.pk,)
    assert not [f for f in ALERT_RULES["certificate_expiring"].find(5, TODAY()) if f.subject.pk == officer.pk]


def test_pages_and_api(client, world):
    officer = newcomer(world)
    force_login_verified(client, world.erin)
    page = client.get("/staff/registry/officers/")
    body = page.content.decode()
    assert page.status_code == 200 and "新人甲" in body and "法制审核人员配备" in body and "马洛" not in body
    done = client.post(f"/staff/registry/officers/{officer.pk}/certificate/training/",
                       {"on": TODAY().isoformat(), "hours": "12", "course": "行政强制法"})
    assert done.status_code == 302
    refused = client.post(f"/staff/registry/officers/{officer.pk}/certificate/issue/", {"certificate_no": "Z"})
    assert refused.status_code == 403 and "执法监督人员" in refused.content.decode()
    assert client.get(f"/staff/registry/officers/{world.mallory_officer.pk}/").status_code == 404
    force_login_verified(client, world.alice)
    assert client.get("/staff/registry/officers/").status_code == 403
    api = token_client(world.sam)
    answer = api.post(f"/api/officers/{officer.pk}/certificate/apply/", {"enforcement_kinds": ["penalty"]},
                      format="json")
    assert answer.status_code == 201 and answer.json()["action"] == "apply"
    state = api.get(f"/api/officers/{officer.pk}/certificate/").json()
    assert [h["action"] for h in state["history"]] == ["training", "apply"] or \
        sorted(h["action"] for h in state["history"]) == ["apply", "training"]
    bad = api.post(f"/api/officers/{officer.pk}/certificate/suspend/", {"reason": ""}, format="json")
    assert bad.status_code in (400, 409) and "certificate" not in bad.json().get("code", "x")
    assert Decimal(state["history"][0]["hours"] or 0) >= 0
