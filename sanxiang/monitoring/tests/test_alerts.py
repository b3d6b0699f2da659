"""预警: each rule firing and not firing, stored once per finding, on the workbench of the people
concerned, in the daily digest; acknowledging or dismissing needs a reason and is logged."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from sanxiang.cases.models import Case
from sanxiang.cases.walkthrough import Cast, walk
from sanxiang.common.exceptions import NotFound, RoleNotAllowed, TransitionNotAllowed, ValidationFailed
from sanxiang.ledger.models import Entry
from sanxiang.monitoring import selectors
from sanxiang.monitoring.models import Alert, AlertRule, AlertStatus, Digest
from sanxiang.monitoring.services import alert_handle, alert_rule_set, alert_rules_install, alerts_run
from sanxiang.monitoring.tasks import alerts_daily
from sanxiang.monitoring.tests.conftest import TODAY, open_case

pytestmark = pytest.mark.django_db


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def _run(code: str, on: dt.date) -> list[Alert]:
    alerts_run(on, codes=[code])
    return list(Alert.objects.filter(rule__code=code, found_on=on))


def _threshold(code: str, value, actor) -> None:
    alert_rules_install()
    alert_rule_set(rule=AlertRule.objects.get(code=code), actor=actor, threshold=value, enabled=True, reason="测试阈值")


@pytest.fixture
def root(db):
    from sanxiang.testing import UserFactory

    return UserFactory(username="root", role="admin", agency=None, display_name="系统管理员", is_staff=True,
                       is_superuser=True)


def _decided(scene):
    w = scene.world
    return walk(scene.overdue, Cast(w.alice, w.carol, w.dave, w.erin), until="service")


def test_overdue_fires_after_the_deadline_only(scene):
    due = scene.overdue.decision_due
    assert _run("case_overdue", due) == []
    [alert] = _run("case_overdue", due + dt.timedelta(days=1))
    assert alert.case == scene.overdue and "决定期限" in alert.text and alert.severity == "serious"
    recipients = set(alert.recipients.values_list("user__username", flat=True))
    assert {"alice", "bob", "carol", "erin", "sam"} <= recipients and "mallory" not in recipients


def test_deadline_approaching_per_kind_and_threshold(scene, root):
    due = scene.overdue.decision_due
    assert _run("deadline_soon_penalty", due - dt.timedelta(days=10)) == []
    [alert] = _run("deadline_soon_penalty", due - dt.timedelta(days=2))
    assert "2日后" in alert.text
    # Another kind's rule does not warn about a penalty case.
    assert _run("deadline_soon_inspection", due - dt.timedelta(days=2)) == []
    # The administrator widens the window: ten days ahead now warns too (a new day, a new finding once).
    _threshold("deadline_soon_penalty", 12, root)
    assert len(_run("deadline_soon_penalty", due - dt.timedelta(days=10))) == 0  # same (subject, key): stored once
    assert Alert.objects.filter(rule__code="deadline_soon_penalty").count() == 1


def test_a_rerun_stores_nothing_twice_and_a_gone_finding_is_resolved(scene):
    on = scene.overdue.decision_due + dt.timedelta(days=1)
    alerts_run(on)
    count = Alert.objects.count()
    alerts_run(on)
    assert Alert.objects.count() == count
    entries = Entry.objects.filter(kind="alert.run").count()
    alerts_run(on)
    assert Entry.objects.filter(kind="alert.run").count() == entries  # nothing new: no entry either
    # Decided: the deadline no longer runs, the alert is resolved on the next run.
    _decided(scene)
    alerts_run(TODAY, codes=["case_overdue"])
    alert = Alert.objects.get(rule__code="case_overdue", case=scene.overdue, key__startswith="decision")
    assert alert.status == AlertStatus.RESOLVED


def test_outside_discretion_fires_for_a_decision_outside_its_tier(scene):
    case = _decided(scene)
    assert _run("outside_discretion", TODAY) == []
    # guidance.guards records the flag when a decision departs from the suggested tier (with reasons).
    Case.objects.filter(pk=case.pk).update(outside_benchmark=True, benchmark_tier="general")
    [alert] = _run("outside_discretion", TODAY)
    assert alert.case_id == case.pk and "裁量基准" in alert.text


def test_publication_past_its_due_date(scene):
    case = _decided(scene)
    publication = case.publications.get()
    assert _run("publication_overdue", publication.due_on) == []
    [alert] = _run("publication_overdue", publication.due_on + dt.timedelta(days=1))
    assert publication.decision_number in alert.text and "《行政处罚法》第四十八条" in alert.text
    assert "dave" in alert.recipients.values_list("user__username", flat=True)


def test_closed_without_the_mandatory_video(scene):
    from sanxiang.registry.services import av_list_install

    w = scene.world
    case = walk(scene.overdue, Cast(w.alice, w.carol, w.dave, w.erin))
    assert case.state == "archived"
    assert _run("closed_without_video", TODAY) == []
    # The list now names 现场检查 at 调查取证: the archived case has no video of that step.
    av_list_install(agency=w.agency)
    [alert] = _run("closed_without_video", TODAY)
    assert alert.case_id == case.pk and "音像记录" in alert.text


def test_officer_fines_far_below_the_benchmark(scene):
    from sanxiang.testing import construction_waste_item, org_party, standard_benchmark

    w = scene.world
    item = construction_waste_item(w.agency)
    benchmark = standard_benchmark(item)
    tier = benchmark.tiers.exclude(org_min=None).exclude(org_max=None).first()
    mid = (tier.org_min + tier.org_max) / 2
    cases = [open_case(w, days_ago=5, agency_item=item, party=org_party()) for _ in range(3)]
    ids = [c.pk for c in cases]
    Case.objects.filter(pk__in=ids).update(benchmark=benchmark, benchmark_tier=tier.tier, decided_on=TODAY,
                                           fine_amount=mid)
    assert _run("fines_below_benchmark", TODAY) == []
    Case.objects.filter(pk__in=ids).update(fine_amount=max(mid / 10, 1))
    [alert] = _run("fines_below_benchmark", TODAY)
    assert w.alice_officer.name in alert.text and alert.subject == w.alice_officer.ledger_ref()


def test_repeated_access_to_one_partys_records(scene, root):
    from sanxiang.supervision.services import access_record

    w = scene.world
    _threshold("repeated_access", 3, root)
    for _ in range(2):
        access_record(actor=w.alice, case=scene.fresh, target=scene.fresh, label="案件")
    assert _run("repeated_access", TODAY) == []
    access_record(actor=w.alice, case=scene.fresh, target=scene.fresh, label="案件")
    [alert] = _run("repeated_access", TODAY)
    assert "alice" in alert.text and "3次" in alert.text
    assert "erin" in alert.recipients.values_list("user__username", flat=True)


def test_acknowledge_and_dismiss_need_a_reason_and_are_logged(scene):
    w = scene.world
    alerts_run(scene.overdue.decision_due + dt.timedelta(days=1), codes=["case_overdue"])
    alert = Alert.objects.get(rule__code="case_overdue")
    with pytest.raises(ValidationFailed) as err:
        alert_handle(alert=alert, actor=w.erin, action="acknowledge", reason="  ")
    assert err.value.code == "reason_required"
    with pytest.raises(NotFound):  # another agency's officer: the alert does not exist for him
        alert_handle(alert=alert, actor=w.mallory, action="dismiss", reason="无关")
    handled = alert_handle(alert=alert, actor=w.erin, action="acknowledge", reason="已督促承办人本周内作出决定")
    assert handled.status == AlertStatus.ACKNOWLEDGED
    entry = Entry.objects.filter(kind="alert.acknowledge").get()
    assert "已督促承办人" in bytes(entry.body).decode()
    with pytest.raises(TransitionNotAllowed):
        alert_handle(alert=alert, actor=w.sam, action="dismiss", reason="重复")


def test_alert_pages_workbench_and_refusal_without_reason(scene):
    w = scene.world
    alerts_run(scene.overdue.decision_due + dt.timedelta(days=1), codes=["case_overdue"])
    alert = Alert.objects.get(rule__code="case_overdue")
    home = _client(w.alice).get(reverse("cases:my_cases")).content.decode()
    assert 'id="alerts"' in home and alert.text in home
    assert alert.text not in _client(w.mallory).get(reverse("cases:my_cases")).content.decode()
    listing = _client(w.sam).get(reverse("monitoring:alerts"), {"rule": "case_overdue", "status": "open"})
    assert alert.text in listing.content.decode()
    assert alert.text not in _client(scene.hank).get(reverse("monitoring:alerts")).content.decode()
    url = reverse("monitoring:alert_action", kwargs={"pk": alert.pk, "action": "dismiss"})
    refused = _client(w.erin).post(url, {"reason": ""})
    assert refused.status_code == 400 and "须填写理由" in refused.content.decode()
    assert _client(w.mallory).post(url, {"reason": "x"}).status_code == 404
    done = _client(w.erin).post(url, {"reason": "当事人已申请延期，期限已依法延长"})
    assert done.status_code == 302
    alert.refresh_from_db()
    assert alert.status == AlertStatus.DISMISSED and alert.handled_by == w.erin


def test_api_alerts_and_action(scene):
    w = scene.world
    alerts_run(scene.overdue.decision_due + dt.timedelta(days=1), codes=["case_overdue"])
    alert = Alert.objects.get(rule__code="case_overdue")
    api = APIClient()
    api.force_login(w.carol)
    assert [a["id"] for a in api.get("/api/monitoring/alerts/", {"mine": "1"}).json()] == [alert.pk]
    refused = api.post(f"/api/monitoring/alerts/{alert.pk}/acknowledge/", {}, format="json")
    assert refused.status_code == 400 and refused.json()["error"]["code"] == "reason_required"
    ok = api.post(f"/api/monitoring/alerts/{alert.pk}/acknowledge/", {"reason": "已安排"}, format="json")
    assert ok.status_code == 200 and ok.json()["status"] == "acknowledged"


def test_daily_digest_job_one_row_per_user_and_day(scene, settings):
    w = scene.world
    alerts_run(scene.overdue.decision_due + dt.timedelta(days=1), codes=["case_overdue"])
    result = alerts_daily()
    assert result["digests"] >= 5
    digest = Digest.objects.get(user=w.alice, day=TODAY)
    assert len(digest.alert_ids) >= 1 and "案件超期" in digest.text
    assert alerts_daily()["digests"] == 0  # made once per day
    assert not Digest.objects.filter(user=w.mallory).exists()
    page = _client(w.alice).get(reverse("monitoring:digests")).content.decode()
    assert "预警日报" in page and scene.overdue.number in page


def test_only_an_administrator_sets_thresholds_with_a_reason(scene, root):
    alert_rules_install()
    rule = AlertRule.objects.get(code="case_overdue")
    with pytest.raises(RoleNotAllowed):
        alert_rule_set(rule=rule, actor=scene.world.sam, threshold=2, enabled=True, reason="放宽")
    with pytest.raises(ValidationFailed):
        alert_rule_set(rule=rule, actor=root, threshold=2, enabled=True, reason="")
    with pytest.raises(ValidationFailed):
        alert_rule_set(rule=rule, actor=root, threshold="abc", enabled=True, reason="x")
    alert_rule_set(rule=rule, actor=root, threshold=2, enabled=False, reason="试运行期间停用")
    rule.refresh_from_db()
    assert rule.threshold == 2 and not rule.enabled
    assert alerts_run(scene.overdue.decision_due + dt.timedelta(days=1)).get("case_overdue") is None
    assert selectors.alert_list(root).count() == 0  # administrators read no case content


def test_every_registered_rule_is_seeded_once(db):
    from sanxiang.common.alerts import ALERT_RULES

    first = alert_rules_install()
    assert {r.code for r in first} == set(ALERT_RULES)
    assert alert_rules_install() == []
    assert {"case_overdue", "outside_discretion", "closed_without_video", "fines_below_benchmark",
            "repeated_access", "publication_overdue", "deadline_soon_penalty"} <= set(ALERT_RULES)
