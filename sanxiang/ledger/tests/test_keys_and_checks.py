"""Never a silent new signing key (issue 8 §9), and the nightly checks shown to supervisors (§8)."""

from __future__ import annotations

import pytest
from django.core import checks
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import Client

from sanxiang.jobs import tasks
from sanxiang.ledger import keys, note
from sanxiang.ledger.models import CheckKind, Checkpoint, IntegrityCheck
from sanxiang.ledger.services import ledger_checkpoint
from sanxiang.ledger.verification import verify_all

pytestmark = pytest.mark.django_db


def errors() -> list[checks.CheckMessage]:
    return [m for m in checks.run_checks() if m.id == "sanxiang.ledger.E001"]


class TestSigningKey:
    def test_key_is_generated_while_the_ledger_has_no_checkpoint(self, world, settings):
        assert not settings.LEDGER_SIGNING_KEY.exists()
        ledger_checkpoint()
        assert settings.LEDGER_SIGNING_KEY.exists() and not errors()

    def test_missing_key_with_checkpoints_refuses_instead_of_generating(self, world, settings, tmp_path):
        from sanxiang.common.models import CalendarYear
        from sanxiang.common.services import record_save

        ledger_checkpoint()
        settings.LEDGER_SIGNING_KEY = tmp_path / "elsewhere" / "ledger.pem"
        record_save(CalendarYear(year=2042, source="测试"), actor="tester")
        with pytest.raises(keys.SigningKeyMissing, match="不会自动生成新密钥"):
            ledger_checkpoint()
        assert not settings.LEDGER_SIGNING_KEY.exists()
        (error,) = errors()
        assert "签名密钥缺失" in error.msg and "Signing key missing" in error.msg
        # The public API says so in its JSON format instead of failing with a 500.
        response = Client().get("/transparency/v1/checkpoint")
        assert response.status_code == 503 and response.json()["error"]["code"] == "signing_key_missing"
        # verify_ledger reports it as a problem.
        assert any("签名密钥缺失" in p.message for p in verify_all().problems)

    def test_another_key_is_refused_at_start_up(self, world, settings, tmp_path):
        ledger_checkpoint()
        other = tmp_path / "other.pem"
        note.load_or_create_private_key(other)
        settings.LEDGER_SIGNING_KEY = other
        (error,) = errors()
        assert "签名密钥不匹配" in error.msg and "did not sign" in error.msg
        # serve, worker and migrate run the system checks before they start.
        with pytest.raises(SystemCheckError, match="sanxiang.ledger.E001"):
            call_command("check")
        with pytest.raises(SystemCheckError):
            call_command("worker", skip_checks=False)
        # Nor does signing carry on with it.
        from sanxiang.common.models import CalendarYear
        from sanxiang.common.services import record_save

        record_save(CalendarYear(year=2044, source="测试"), actor="tester")
        with pytest.raises(keys.SigningKeyMissing, match="签名密钥不匹配"):
            ledger_checkpoint()
        assert Checkpoint.objects.count() == 1


class TestNightlyChecks:
    def test_verify_ledger_job_stores_its_result(self, world):
        ledger_checkpoint()
        tasks.verify_ledger_nightly.call_local()
        row = IntegrityCheck.objects.get(kind=CheckKind.VERIFY_LEDGER)
        assert row.ok and row.message.startswith("通过")
        # The result itself is logged, so verify_ledger checks that row too.
        assert verify_all().ok

    def test_a_failed_check_is_stored_with_its_problems(self, world):
        from sanxiang.common.models import CalendarYear

        ledger_checkpoint()
        CalendarYear.objects.create(year=2040, source="绕过服务写入")
        tasks.verify_ledger_nightly.call_local()
        row = IntegrityCheck.objects.get(kind=CheckKind.VERIFY_LEDGER)
        assert not row.ok and "未经服务写入" in row.details

    def test_evidence_and_cleanup_jobs_store_results(self, world):
        tasks.verify_evidence_nightly.call_local()
        tasks.cleanup_uploads_nightly.call_local()
        kinds = set(IntegrityCheck.objects.values_list("kind", flat=True))
        assert kinds == {CheckKind.VERIFY_EVIDENCE, CheckKind.CLEANUP_UPLOADS}

    def test_failed_scheduled_checkpoint_is_recorded(self, world, settings, tmp_path):
        ledger_checkpoint()
        settings.LEDGER_SIGNING_KEY = tmp_path / "gone.pem"
        from sanxiang.common.models import CalendarYear
        from sanxiang.common.services import record_save

        record_save(CalendarYear(year=2041, source="测试"), actor="tester")
        with pytest.raises(keys.SigningKeyMissing):
            tasks.checkpoint_scheduled.call_local()
        row = IntegrityCheck.objects.get(kind=CheckKind.CHECKPOINT)
        assert not row.ok and "签发检查点失败" in row.message
        assert Checkpoint.objects.count() == 1


class TestIntegrityPage:
    def test_supervisor_sees_results_others_do_not(self, world, client):
        tasks.verify_evidence_nightly.call_local()
        client.force_login(world.sam)
        page = client.get("/staff/supervision/integrity/")
        assert page.status_code == 200
        text = page.content.decode()
        assert "证据文件校验" in text and "通过" in text and "完整性检查" in text
        for persona in (world.alice, world.erin, world.dave):
            client.force_login(persona)
            assert client.get("/staff/supervision/integrity/").status_code == 403
        client.logout()
        assert client.get("/staff/supervision/integrity/").status_code == 302

    def test_menu_links_the_page_for_supervisors_only(self, world, client):
        client.force_login(world.sam)
        assert "/staff/supervision/integrity/" in client.get("/staff/").content.decode()
        client.force_login(world.alice)
        assert "/staff/supervision/integrity/" not in client.get("/staff/").content.decode()
