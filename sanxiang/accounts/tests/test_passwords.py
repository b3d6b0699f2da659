"""Password policy, history, expiry, forced change at first login and after a reset (8.1.4.1 a)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from sanxiang.accounts.models import PasswordHistory, Role, User
from sanxiang.accounts.services import (
    PasswordRejected,
    password_change,
    password_reset,
    user_create,
    validate_new_password,
)
from sanxiang.common.exceptions import RoleNotAllowed
from sanxiang.ledger.models import Entry
from sanxiang.testing import TEST_PASSWORD, UserFactory, token_credentials

pytestmark = pytest.mark.django_db

GOOD = "Harbour-Lamp42"


@pytest.fixture
def sec(db):
    return UserFactory(username="secadm", role=Role.SECURITY_ADMIN, agency=None)


@pytest.mark.parametrize(("password", "code", "words"), [
    ("12345678", "password_too_short", "至少需要 10 个字符"),
    ("password", "password_too_short", "至少需要 10 个字符"),
    ("alllowercaseletters", "password_too_simple", "至少 3 类"),
    ("ALLUPPER1234", "password_too_simple", "至少 3 类"),
    ("Alice2026!xyz", "password_contains_username", "不得包含用户名"),
    ("Password123", "password_too_common", "常见弱口令"),
])
def test_policy_refuses_with_the_rule_named(world, password, code, words):
    with pytest.raises(PasswordRejected) as refused:
        validate_new_password(password, user=world.alice)
    assert refused.value.code == code
    assert words in refused.value.message and "GB/T 22239-2019" in refused.value.message
    assert refused.value.field == "new_password"


def test_a_good_password_passes(world):
    validate_new_password(GOOD, user=world.alice)
    validate_new_password("中文口令也可以Ab1", user=world.alice)  # CJK counts as the fourth class


def test_the_minimum_length_is_a_setting(world, settings):
    settings.SANXIANG_PASSWORD_MIN_LENGTH = 16
    with pytest.raises(PasswordRejected, match="至少需要 16 个字符"):
        validate_new_password(GOOD, user=world.alice)


def test_none_of_the_last_five_passwords_can_come_back(world):
    alice = world.alice
    used = [f"Harbour-Lamp{n:02d}" for n in range(6)]
    password_change(user=alice, old_password=TEST_PASSWORD, new_password=used[0])
    for old, new in zip(used, used[1:], strict=False):
        password_change(user=alice, old_password=old, new_password=new)
    # Current is used[5]; the last five are used[1..5]; used[0] is six back and allowed again.
    for recent in used[1:]:
        with pytest.raises(PasswordRejected) as refused:
            password_change(user=alice, old_password=used[5], new_password=recent)
        assert refused.value.code == "password_reused"
    password_change(user=alice, old_password=used[5], new_password=used[0])
    assert PasswordHistory.objects.filter(user=alice).count() == 4
    assert not PasswordHistory.objects.filter(password__contains="Harbour").exists()  # hashes only


def test_a_wrong_current_password_is_refused_on_its_field(world):
    with pytest.raises(PasswordRejected) as refused:
        password_change(user=world.alice, old_password="not-it", new_password=GOOD)
    assert refused.value.field == "old_password"


def test_a_new_account_must_change_its_password_at_first_login(world, client, sec):
    user_create(username="newbie", password=GOOD, role=Role.OFFICER, agency=world.agency, actor=sec)
    response = client.post("/accounts/login/", {"username": "newbie", "password": GOOD})
    assert response.status_code == 302
    page = client.get("/staff/")
    assert page.status_code == 302 and page["Location"].startswith("/accounts/password/")
    form = client.get("/accounts/password/")
    assert "须先设置新密码" in form.content.decode()
    changed = client.post("/accounts/password/", {"old_password": GOOD, "new_password": "Other-Lamp77",
                                                  "new_password2": "Other-Lamp77"})
    assert changed.status_code == 302
    assert client.get("/staff/").status_code == 200
    assert not User.objects.get(username="newbie").password_change_required
    assert Entry.objects.filter(kind="audit.password_changed", actor="newbie").exists()


def test_the_change_page_shows_the_rule_and_keeps_the_old_password(world, client):
    client.force_login(world.alice)
    refused = client.post("/accounts/password/", {"old_password": TEST_PASSWORD, "new_password": "12345678",
                                                  "new_password2": "12345678"})
    assert refused.status_code == 400
    assert "至少需要 10 个字符" in refused.content.decode()
    world.alice.refresh_from_db()
    assert world.alice.check_password(TEST_PASSWORD)


def test_an_administrators_reset_forces_a_change(world, client, sec):
    password_reset(user=world.alice, new_password=GOOD, actor=sec)
    client.post("/accounts/login/", {"username": "alice", "password": GOOD})
    assert client.get("/staff/")["Location"].startswith("/accounts/password/")
    assert Entry.objects.filter(kind="audit.password_reset", actor="secadm").exists()


def test_only_the_security_administrator_resets(world):
    with pytest.raises(RoleNotAllowed):
        password_reset(user=world.bob, new_password=GOOD, actor=UserFactory(username="sys", role=Role.ADMIN,
                                                                             agency=None))


def test_an_expired_password_forces_a_change(world, client, settings):
    settings.SANXIANG_PASSWORD_MAX_AGE_DAYS = 90
    User.objects.filter(pk=world.alice.pk).update(password_changed_at=timezone.now() - dt.timedelta(days=91))
    client.force_login(world.alice)
    assert client.get("/staff/")["Location"].startswith("/accounts/password/")
    settings.SANXIANG_PASSWORD_MAX_AGE_DAYS = 0  # 0 switches expiry off
    assert client.get("/staff/").status_code == 200


def test_api_password_change_and_forced_change_through_the_api(world, sec):
    password_reset(user=world.alice, new_password=GOOD, actor=sec)
    client = APIClient()
    issued = client.post("/api/auth/token/", {"username": "alice", "password": GOOD}, format="json")
    assert issued.status_code == 200 and issued.json()["password_change_required"] is True
    client.credentials(HTTP_AUTHORIZATION=f"Token {issued.json()['token']}")
    blocked = client.get("/api/cases/")
    assert blocked.status_code == 403 and blocked.json()["error"]["code"] == "password_change_required"
    weak = client.post("/api/auth/password/", {"old_password": GOOD, "new_password": "password"}, format="json")
    assert weak.status_code == 400 and weak.json()["error"]["field"] == "new_password"
    done = client.post("/api/auth/password/", {"old_password": GOOD, "new_password": "Other-Lamp77"}, format="json")
    assert done.status_code == 204
    # The change revoked every token, the one used included.
    revoked = client.get("/api/cases/")
    assert revoked.status_code in (401, 403) and revoked.json()["error"]["code"] == "token_invalid"
    fresh = APIClient()
    body = token_credentials(world.alice) | {"password": "Other-Lamp77"}
    token = fresh.post("/api/auth/token/", body, format="json").json()["token"]
    fresh.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert fresh.get("/api/cases/").status_code == 200


def test_password_writes_keep_the_ledger_verifiable(world, sec):
    from sanxiang.ledger.verification import verify_all

    password_change(user=world.alice, old_password=TEST_PASSWORD, new_password=GOOD)
    password_reset(user=world.bob, new_password=GOOD, actor=sec)
    assert verify_all().ok


def test_the_admins_own_password_form_leads_to_the_one_change_page(world, client):
    client.force_login(UserFactory(username="sys", role=Role.ADMIN, agency=None, is_staff=True))
    response = client.get("/admin/password_change/")
    assert response.status_code == 302 and response["Location"] == "/accounts/password/"
