"""公示的全生命周期: display periods, correction, withdrawal, expiry and 信用修复, with their
ledger entries, the portal's view of each state and the refusals (Chinese, naming the rule)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from sanxiang.common.exceptions import RoleNotAllowed, TransitionNotAllowed, ValidationFailed
from sanxiang.common.tracking import progress_lookup
from sanxiang.disclosure.lifecycle import (
    credit_repair_apply,
    credit_repair_decide,
    publication_correct,
    publication_withdraw,
    publications_expire,
)
from sanxiang.disclosure.models import (
    DisplayPeriod,
    EventKind,
    Publication,
    PublicationEvent,
    PublicationStatus,
    RepairStatus,
)
from sanxiang.disclosure.periods import add_months, period_for
from sanxiang.disclosure.tests.test_portal import published_case
from sanxiang.ledger.models import Entry
from sanxiang.ledger.verification import verify_all

TODAY = timezone.localdate()


def entry_json(index):
    import json

    return json.loads(bytes(Entry.objects.get(index=index).body).decode())


# --- display periods ------------------------------------------------------------------------------


@pytest.mark.django_db
class TestDisplayPeriods:
    def test_defaults_are_installed_as_data(self, world):
        rows = {(r.penalty_kind, r.sector): (r.min_months, r.max_months) for r in DisplayPeriod.objects.all()}
        assert rows[("", "")] == (3, 36)
        assert rows[("", "安全生产")] == rows[("", "消防")] == rows[("", "特种设备")] == (12, 36)
        assert rows[("warning", "")] == rows[("criticism", "")] == (3, 3)

    def test_the_longest_penalty_of_a_decision_governs(self, world):
        assert (period_for(["warning"], "").max_months, period_for(["warning"], "").min_months) == (3, 3)
        both = period_for(["warning", "fine"], "")
        assert (both.min_months, both.max_months) == (3, 36)

    def test_the_sector_raises_the_minimum_to_a_year(self, world):
        p = period_for(["fine"], "未按规定配备消防设施 《中华人民共和国消防法》")
        assert (p.min_months, p.max_months) == (12, 36)
        assert period_for(["fine"], "擅自倾倒建筑垃圾").min_months == 3

    def test_an_administrator_edit_of_the_rows_changes_the_period(self, world):
        from sanxiang.common.services import record_save

        row = DisplayPeriod.objects.get(penalty_kind="", sector="")
        row.max_months = 24
        record_save(row, actor=world.sam)
        assert period_for(["fine"], "").max_months == 24

    def test_a_minimum_longer_than_the_maximum_is_refused(self, world):
        from sanxiang.common.services import record_save

        with pytest.raises(ValidationFailed, match="最短公示期不得长于最长公示期"):
            record_save(DisplayPeriod(min_months=12, max_months=3), actor=world.sam)

    def test_release_sets_the_period_from_the_day_of_release(self, world):
        _, publication = published_case(world)
        start = timezone.localdate(publication.published_at)
        assert publication.min_until == add_months(start, 3)
        assert publication.display_until == add_months(start, 36)
        assert "最短3个月" in publication.period_basis

    def test_add_months_keeps_the_end_of_month(self):
        assert add_months(dt.date(2026, 1, 31), 1) == dt.date(2026, 2, 28)
        assert add_months(dt.date(2026, 11, 30), 3) == dt.date(2027, 2, 28)


# --- correction ---------------------------------------------------------------------------------


@pytest.mark.django_db
class TestCorrection:
    def test_a_correction_is_a_new_version_and_the_old_text_leaves_the_portal(self, client, world):
        _, old = published_case(world)
        assert "幸福路" in old.text
        new = publication_correct(publication=old, actor=world.carol, reason="地址属于个人信息，补充脱敏",
                                  extra_redactions=["幸福路"])
        old.refresh_from_db()
        assert old.status == PublicationStatus.CORRECTED and new.status == PublicationStatus.PUBLISHED
        assert new.version == 2 and new.supersedes_id == old.pk and "幸福路" not in new.text
        event = PublicationEvent.objects.get(publication=old)
        assert event.kind == EventKind.CORRECTED and event.replacement_id == new.pk
        body = entry_json(new.ledger_index)
        assert body["kind"] == "publication.correct" and body["public"] is True
        assert body["data"]["publication"]["text"] == new.text
        assert body["data"]["notice"]["publication_sha256"] == old.content_sha256
        assert body["supersedes"] == old.ledger_index
        # the old page names the replacement and no longer shows the old text
        page = client.get(reverse("portal:decision", args=[old.pk])).content.decode()
        assert "本公示已更正" in page and "幸福路" not in page and "补充脱敏" in page
        assert reverse("portal:decision", args=[new.pk]) in page
        assert client.get(reverse("portal:decision-pdf", args=[old.pk])).status_code == 404
        page = client.get(reverse("portal:decision", args=[new.pk])).content.decode()
        assert "第2版" in page and 'id="decision-text"' in page
        # the old entry is still in the log, and the whole log verifies
        assert entry_json(old.ledger_index)["content"]["publication"] == old.content_sha256
        assert verify_all().ok
        listed = client.get(reverse("portal:decisions")).content.decode()
        assert listed.count(old.decision_number) == 1

    def test_a_correction_without_a_reason_is_refused(self, world):
        _, old = published_case(world)
        with pytest.raises(ValidationFailed, match="更正公示信息须说明更正理由") as exc:
            publication_correct(publication=old, actor=world.carol, reason=" ", extra_redactions=["幸福路"])
        assert exc.value.code == "reason_required" and exc.value.field == "reason"
        old.refresh_from_db()
        assert old.status == PublicationStatus.PUBLISHED

    def test_a_correction_that_changes_nothing_is_refused(self, world):
        _, old = published_case(world)
        with pytest.raises(ValidationFailed, match="完全相同") as exc:
            publication_correct(publication=old, actor=world.carol, reason="核对后重新发布")
        assert exc.value.code == "correction_unchanged"

    def test_an_officer_cannot_correct(self, world):
        _, old = published_case(world)
        with pytest.raises(RoleNotAllowed, match="更正须由"):
            publication_correct(publication=old, actor=world.alice, reason="地址补充脱敏", extra_redactions=["幸福路"])


# --- withdrawal ---------------------------------------------------------------------------------


@pytest.mark.django_db
class TestWithdrawal:
    def test_withdrawal_shows_the_reason_and_keeps_the_proof(self, client, world):
        _, p = published_case(world)
        event = publication_withdraw(publication=p, actor=world.erin, ground="revoked",
                                     reason="行政复议机关决定撤销该处罚决定", occurred_on=TODAY)
        p.refresh_from_db()
        assert p.status == PublicationStatus.WITHDRAWN and p.withdrawn_reason.startswith("行政复议机关")
        assert event.due_on == TODAY + dt.timedelta(days=3) and event.late is False
        body = entry_json(event.ledger_index)
        assert body["kind"] == "publication.withdraw" and body["public"] is True
        assert body["data"]["notice"]["reason"] == "行政复议机关决定撤销该处罚决定"
        page = client.get(reverse("portal:decision", args=[p.pk])).content.decode()
        assert "本决定信息已撤回" in page and "行政复议机关决定撤销该处罚决定" in page and "决定被依法撤销" in page
        assert 'id="decision-text"' not in page and 'data-mode="notice"' in page
        assert client.get(reverse("portal:decision-pdf", args=[p.pk])).status_code == 404
        assert p.decision_number not in client.get(reverse("portal:decisions")).content.decode()
        assert verify_all().ok

    def test_a_late_withdrawal_is_made_and_marked_late(self, client, world):
        _, p = published_case(world)
        event = publication_withdraw(publication=p, actor=world.erin, ground="unlawful",
                                     reason="人民法院判决确认违法", occurred_on=TODAY - dt.timedelta(days=5))
        assert event.late is True
        assert "逾期撤回" in client.get(reverse("portal:decision", args=[p.pk])).content.decode()

    def test_the_withdraw_days_parameter_sets_the_due_day(self, world):
        from sanxiang.common.services import record_save
        from sanxiang.registry.models import Parameter

        row = Parameter.objects.get(key="withdraw_days", agency__isnull=True)
        row.value = 1
        record_save(row, actor=world.sam)
        _, p = published_case(world)
        event = publication_withdraw(publication=p, actor=world.erin, ground="changed", reason="复议变更处罚内容",
                                     occurred_on=TODAY - dt.timedelta(days=2))
        assert event.late is True and event.due_on == TODAY - dt.timedelta(days=1)

    def test_a_withdrawal_without_a_reason_is_refused(self, world):
        _, p = published_case(world)
        with pytest.raises(ValidationFailed, match="撤回公示须公开说明理由（《行政处罚法》第四十八条") as exc:
            publication_withdraw(publication=p, actor=world.erin, ground="revoked", reason="", occurred_on=TODAY)
        assert exc.value.code == "reason_required" and exc.value.rule == "行政处罚法第四十八条"

    def test_a_withdrawal_without_a_ground_or_date_is_refused(self, world):
        _, p = published_case(world)
        with pytest.raises(ValidationFailed, match="请选择撤回情形") as exc:
            publication_withdraw(publication=p, actor=world.erin, ground="", reason="复议撤销", occurred_on=TODAY)
        assert exc.value.field == "ground"
        with pytest.raises(ValidationFailed, match="请填写决定被变更") as exc:
            publication_withdraw(publication=p, actor=world.erin, ground="revoked", reason="复议撤销", occurred_on=None)
        with pytest.raises(ValidationFailed, match="之后、今天之前") as exc:
            publication_withdraw(publication=p, actor=world.erin, ground="revoked", reason="复议撤销",
                                 occurred_on=TODAY + dt.timedelta(days=1))
        assert exc.value.code == "occurred_on_invalid"

    def test_a_withdrawn_publication_cannot_be_withdrawn_or_corrected_again(self, world):
        _, p = published_case(world)
        publication_withdraw(publication=p, actor=world.erin, ground="revoked", reason="复议撤销决定", occurred_on=TODAY)
        with pytest.raises(TransitionNotAllowed, match="只有正在公示的信息可以撤回"):
            publication_withdraw(publication=p, actor=world.erin, ground="revoked", reason="复议撤销决定",
                                 occurred_on=TODAY)
        with pytest.raises(TransitionNotAllowed, match="只有正在公示的信息可以更正"):
            publication_correct(publication=p, actor=world.erin, reason="补充脱敏内容", extra_redactions=["幸福路"])

    def test_another_agency_cannot_withdraw(self, world):
        from sanxiang.accounts.scoping import OutOfScope
        from sanxiang.testing import UserFactory

        _, p = published_case(world)
        other_head = UserFactory(username="otherhead", role="agency_head", agency=world.other_agency)
        with pytest.raises(OutOfScope):
            publication_withdraw(publication=p, actor=other_head, ground="revoked", reason="复议撤销决定",
                                 occurred_on=TODAY)


# --- expiry -------------------------------------------------------------------------------------


@pytest.mark.django_db
class TestExpiry:
    def test_the_job_takes_down_publications_at_the_end_of_their_period(self, client, world):
        _, p = published_case(world)
        assert publications_expire(on=p.display_until - dt.timedelta(days=1)) == []
        done = publications_expire(on=p.display_until)
        p.refresh_from_db()
        assert [e.publication_id for e in done] == [p.pk] and p.status == PublicationStatus.EXPIRED
        body = entry_json(done[0].ledger_index)
        assert body["kind"] == "publication.expire" and body["actor"] == "job:expire_publications"
        response = client.get(reverse("portal:decision", args=[p.pk]))
        assert response.status_code == 410 and "公示期已届满" in response.content.decode()
        assert p.party_name not in response.content.decode()
        assert publications_expire(on=p.display_until) == []  # once only
        assert verify_all().ok

    def test_the_periodic_task_runs_the_same_service(self, world):
        from sanxiang.disclosure.tasks import expire_publications_job

        _, p = published_case(world)
        Publication.objects.filter(pk=p.pk).update(display_until=TODAY)  # as if released 3 years ago
        assert expire_publications_job.call_local() == 1


# --- 信用修复 -------------------------------------------------------------------------------------


def _apply(case, p, **kw):
    values = {"decision_number": p.decision_number, "identity": case.party.id_number, "applicant": "欧阳明远",
              "contact": "13800000000", "statement": "已足额缴纳罚款并清理倾倒的建筑垃圾，消除了不良影响。",
              "on": p.min_until}
    return credit_repair_apply(**{**values, **kw})


@pytest.mark.django_db
class TestCreditRepair:
    def test_before_the_minimum_period_it_is_refused(self, world):
        case, p = published_case(world)
        with pytest.raises(ValidationFailed, match="届满前不能申请提前停止公示") as exc:
            _apply(case, p, on=p.min_until - dt.timedelta(days=1))
        assert exc.value.code == "min_period_not_reached"

    def test_a_wrong_id_number_is_refused(self, world):
        case, p = published_case(world)
        with pytest.raises(ValidationFailed, match="证件号码与该决定书所载当事人") as exc:
            _apply(case, p, identity="410101199001011234")
        assert exc.value.code == "identity_mismatch" and exc.value.field == "identity"

    def test_severe_penalties_cannot_be_taken_down_early(self, world):
        from sanxiang.cases.models import Decision

        case, p = published_case(world)
        Decision.objects.filter(pk=case.decision.pk).update(penalty_kinds=["fine", "revoke_licence"])
        with pytest.raises(ValidationFailed, match="吊销许可证件等较为严重行政处罚的，不得申请提前停止公示") as exc:
            _apply(case, p)
        assert exc.value.code == "early_takedown_not_allowed"

    def test_an_unknown_number_is_refused(self, world):
        case, p = published_case(world)
        with pytest.raises(ValidationFailed, match="未找到正在公示的该文号"):
            _apply(case, p, decision_number="不存在〔2026〕1号")

    def test_granted_with_reasons_it_takes_the_publication_down(self, client, world):
        case, p = published_case(world)
        repair, code = _apply(case, p, identity=case.party.id_number.lower())
        assert progress_lookup(repair.number, code).status == "待审查"
        assert progress_lookup(repair.number, "WRONGCODE") is None
        with pytest.raises(ValidationFailed, match="信用修复决定须说明理由"):
            credit_repair_decide(repair=repair, actor=world.erin, grant=True, reason="")
        with pytest.raises(ValidationFailed, match="已有待审查的信用修复申请"):
            _apply(case, p)
        repair = credit_repair_decide(repair=repair, actor=world.erin, grant=True, reason="已履行义务，符合提前停止公示条件")
        p.refresh_from_db()
        assert repair.status == RepairStatus.GRANTED and p.status == PublicationStatus.REPAIRED
        assert client.get(reverse("portal:decision", args=[p.pk])).status_code == 410
        found = progress_lookup(repair.number, code)
        assert found.status == "同意提前撤下" and "符合提前停止公示条件" in found.outcome
        kinds = list(Entry.objects.filter(kind__startswith="publication.repair").values_list("kind", flat=True))
        assert kinds == ["publication.repair_apply", "publication.repair_grant"]
        with pytest.raises(TransitionNotAllowed, match="不能再次决定"):
            credit_repair_decide(repair=repair, actor=world.erin, grant=False, reason="重复提交的决定")

    def test_refused_with_reasons_it_stays_published(self, world):
        case, p = published_case(world)
        repair, _ = _apply(case, p)
        repair = credit_repair_decide(repair=repair, actor=world.carol, grant=False, reason="尚未缴纳罚款")
        p.refresh_from_db()
        assert repair.status == RepairStatus.REFUSED and p.status == PublicationStatus.PUBLISHED
        assert Entry.objects.filter(kind="publication.repair_refuse").count() == 1

    def test_the_portal_form_applies_and_shows_the_refusal(self, client, world, monkeypatch):
        case, p = published_case(world)
        data = {"decision_number": p.decision_number, "identity": "410101199001011234", "applicant": "欧阳明远",
                "contact": "138", "statement": "已足额缴纳罚款并清理现场，消除影响。"}
        response = client.post(reverse("portal:credit-repair"), data)
        assert response.status_code == 400 and "证件号码与该决定书所载当事人" in response.content.decode()
        response = client.post(reverse("portal:credit-repair"), {**data, "identity": case.party.id_number})
        assert response.status_code == 400 and "届满前不能申请" in response.content.decode()
        assert client.get(reverse("portal:credit-repair")).status_code == 200


@pytest.mark.django_db
def test_the_administrator_edits_display_periods_in_the_admin(client, world):
    from sanxiang.testing import UserFactory

    root = UserFactory(username="rootp", role="admin", agency=None, is_staff=True, is_superuser=True)
    client.force_login(root)
    row = DisplayPeriod.objects.get(penalty_kind="", sector="")
    url = reverse("admin:disclosure_displayperiod_change", args=[row.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"penalty_kind": "", "sector": "", "min_months": 6, "max_months": 24,
                                 "basis": row.basis, "is_active": "on"})
    assert response.status_code == 302
    row.refresh_from_db()
    assert (row.min_months, row.max_months) == (6, 24)
    assert Entry.objects.filter(kind="disclosure.displayperiod.update").count() == 1
