"""Login failure handling (GB/T 22239-2019 8.1.4.1 b): 5 failures lock the account, and the
address, for 30 minutes, in the staff login, the token API and the /admin/ login."""

from __future__ import annotations

import datetime as dt

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from rest_framework.test import APIClient

from sanxiang.accounts.models import Role
from sanxiang.accounts.services import user_unlock
from sanxiang.ledger.models import Entry
from sanxiang.testing import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
ADMIN_LOGIN = "/admin/login/"
TOKEN = "/api/auth/token/"


def fail(client, path, username, times, address="10.0.0.1"):
    responses = []
    for _ in range(times):
        if path == TOKEN:
            responses.append(client.post(path, {"username": username, "password": "wrong-Password1"}, format="json",
                                         REMOTE_ADDR=address))
        else:
            responses.append(client.post(path, {"username": username, "password": "wrong-Password1"},
                                         REMOTE_ADDR=address))
    return responses


def rewind_attempts(minutes: int) -> None:
    """Time travel: the failures happened `minutes` ago."""
    for attempt in AccessAttempt.objects.all():
        attempt.attempt_time -= dt.timedelta(minutes=minutes)
        attempt.save(update_fields=["attempt_time"])


def test_the_figures_are_five_failures_and_thirty_minutes():
    assert settings.AXES_FAILURE_LIMIT == settings.SANXIANG_LOCKOUT_FAILURES == 5
    assert settings.AXES_COOLOFF_TIME == dt.timedelta(minutes=30)
    assert settings.AXES_LOCKOUT_PARAMETERS == ["username", "ip_address"]


def test_staff_login_locks_after_five_failures_and_refuses_the_right_password(world, client):
    responses = fail(client, LOGIN, "alice", 4)
    assert all(r.status_code == 200 for r in responses)  # the form again, with its error
    fifth = fail(client, LOGIN, "alice", 1)[0]
    assert fifth.status_code == 429
    assert "连续登录失败 5 次" in fifth.content.decode() and "30 分钟" in fifth.content.decode()
    right = client.post(LOGIN, {"username": "alice", "password": TEST_PASSWORD}, REMOTE_ADDR="10.0.0.1")
    assert right.status_code == 429
    assert "_auth_user_id" not in client.session
    assert Entry.objects.filter(kind="audit.lockout").exists()
    assert Entry.objects.filter(kind="audit.login_failed").count() >= 6


def test_twenty_wrong_passwords_then_the_right_one_is_refused(world, client):
    fail(client, LOGIN, "alice", 20)
    assert client.post(LOGIN, {"username": "alice", "password": TEST_PASSWORD}).status_code == 429


def test_the_account_is_locked_from_every_address(world, client):
    for n in range(5):
        fail(client, LOGIN, "alice", 1, address=f"10.0.1.{n}")
    elsewhere = client.post(LOGIN, {"username": "alice", "password": TEST_PASSWORD}, REMOTE_ADDR="10.0.9.9")
    assert elsewhere.status_code == 429


def test_the_address_is_locked_for_every_account(world, client):
    for name in ("u1", "u2", "u3", "u4", "u5"):
        fail(client, LOGIN, name, 1, address="10.0.2.2")
    other_account = client.post(LOGIN, {"username": "bob", "password": TEST_PASSWORD}, REMOTE_ADDR="10.0.2.2")
    assert other_account.status_code == 429
    from_elsewhere = client.post(LOGIN, {"username": "bob", "password": TEST_PASSWORD}, REMOTE_ADDR="10.0.3.3")
    assert from_elsewhere.status_code == 302


def test_token_api_locks_with_the_json_error(world):
    client = APIClient()
    responses = fail(client, TOKEN, "alice", 5)
    assert [r.status_code for r in responses[:4]] == [400] * 4
    assert responses[0].json()["error"]["code"] == "invalid_credentials"
    locked = client.post(TOKEN, {"username": "alice", "password": TEST_PASSWORD}, format="json", REMOTE_ADDR="10.0.0.1")
    assert locked.status_code == 429
    error = locked.json()["error"]
    assert error["code"] == "account_locked"
    assert "30 分钟" in error["message"] and "8.1.4.1" in error["rule"]


def test_admin_login_locks_too(world, client):
    UserFactory(username="secadm", role=Role.SECURITY_ADMIN, agency=None, is_staff=True)
    fail(client, ADMIN_LOGIN, "secadm", 5)
    locked = client.post(ADMIN_LOGIN, {"username": "secadm", "password": TEST_PASSWORD}, REMOTE_ADDR="10.0.0.1")
    assert locked.status_code == 429
    assert "连续登录失败" in locked.content.decode()


def test_the_lock_lifts_after_thirty_minutes(world, client):
    fail(client, LOGIN, "alice", 5)
    rewind_attempts(29)
    assert client.post(LOGIN, {"username": "alice", "password": TEST_PASSWORD},
                       REMOTE_ADDR="10.0.0.1").status_code == 429
    rewind_attempts(2)  # 31 minutes ago now
    ok = client.post(LOGIN, {"username": "alice", "password": TEST_PASSWORD}, REMOTE_ADDR="10.0.0.1")
    assert ok.status_code == 302


def test_a_security_administrator_can_unlock_early_and_it_is_audited(world, client):
    sec = UserFactory(username="secadm", role=Role.SECURITY_ADMIN, agency=None)
    fail(client, LOGIN, "alice", 5, address="10.0.4.4")
    assert user_unlock(username="alice", actor=sec) >= 1
    ok = client.post(LOGIN, {"username": "alice", "password": TEST_PASSWORD}, REMOTE_ADDR="10.0.5.5")
    assert ok.status_code == 302
    assert Entry.objects.filter(kind="audit.admin_change", actor="secadm").exists()


def test_only_the_security_administrator_unlocks(world):
    from sanxiang.common.exceptions import RoleNotAllowed

    sysadm = UserFactory(username="sysadm", role=Role.ADMIN, agency=None)
    with pytest.raises(RoleNotAllowed):
        user_unlock(username="alice", actor=sysadm)
