"""Session idle and absolute limits; API tokens hashed, expiring, revoked at logout, password
change, reset and deactivation (8.1.4.1 d, 8.1.4.3)."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from sanxiang.accounts.middleware import SESSION_SEEN, SESSION_STARTED
from sanxiang.accounts.models import ApiToken, Role
from sanxiang.accounts.services import password_change, password_reset, user_set_active
from sanxiang.ledger.models import Entry
from sanxiang.testing import TEST_PASSWORD, UserFactory, token_credentials

pytestmark = pytest.mark.django_db


def shift_session(client, key: str, seconds: int) -> None:
    session = client.session
    session[key] = int(session[key]) - seconds
    session.save()


def signed_in(client, user):
    client.force_login(user)
    assert client.get("/staff/").status_code == 200  # starts the session clocks
    return client


def test_idle_timeout_after_thirty_minutes(world, client, settings):
    assert settings.SANXIANG_SESSION_IDLE_MINUTES == 30
    signed_in(client, world.alice)
    shift_session(client, SESSION_SEEN, 29 * 60)
    assert client.get("/staff/").status_code == 200
    shift_session(client, SESSION_SEEN, 31 * 60)
    response = client.get("/staff/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/?expired=idle")
    assert client.get("/staff/")["Location"].startswith("/accounts/login/")  # the session is gone
    entry = Entry.objects.filter(kind="audit.session_expired", actor="alice").get()
    assert b'"reason":"idle"' in bytes(entry.body)
    assert "空闲超过 30 分钟" in client.get(response["Location"]).content.decode()


def test_absolute_limit_even_when_active(world, client, settings):
    assert settings.SANXIANG_SESSION_ABSOLUTE_HOURS == 12
    signed_in(client, world.alice)
    shift_session(client, SESSION_STARTED, 11 * 3600)
    assert client.get("/staff/").status_code == 200
    shift_session(client, SESSION_STARTED, 2 * 3600)
    assert client.get("/staff/")["Location"].startswith("/accounts/login/?expired=absolute")
    assert Entry.objects.filter(kind="audit.session_expired", actor="alice").exists()


def test_limits_are_settings_and_the_api_answers_json(world, client, settings):
    settings.SANXIANG_SESSION_IDLE_MINUTES = 5
    signed_in(client, world.alice)
    shift_session(client, SESSION_SEEN, 6 * 60)
    response = client.get("/api/cases/")
    assert response.status_code == 401 and response.json()["error"]["code"] == "session_expired"


def issue(user) -> tuple[APIClient, str]:
    client = APIClient()
    response = client.post("/api/auth/token/", token_credentials(user), format="json")
    assert response.status_code == 200, response.content
    secret = response.json()["token"]
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    return client, secret


def refused(client) -> bool:
    response = client.get("/api/cases/")
    return response.status_code in (401, 403) and response.json()["error"]["code"] in ("token_invalid", "token_expired")


def test_tokens_are_stored_as_sha256_with_only_a_prefix(world):
    client, secret = issue(world.alice)
    token = ApiToken.objects.get(user=world.alice)
    assert token.digest == hashlib.sha256(secret.encode()).hexdigest()
    assert token.prefix == secret[:8] and len(secret) >= 40
    assert secret not in str(list(ApiToken.objects.values()))
    assert client.get("/api/cases/").status_code == 200
    created = Entry.objects.get(kind="audit.token_created", actor="alice")
    assert secret.encode() not in bytes(created.body) and token.prefix.encode() in bytes(created.body)


def test_tokens_expire_after_eight_hours(world, settings):
    assert settings.SANXIANG_API_TOKEN_HOURS == 8
    client, _ = issue(world.alice)
    token = ApiToken.objects.get(user=world.alice)
    assert dt.timedelta(hours=7, minutes=59) < token.expires_at - token.created_at <= dt.timedelta(hours=8, seconds=5)
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    response = client.get("/api/cases/")
    assert response.json()["error"]["code"] == "token_expired"


def test_api_logout_kills_the_token(world):
    client, _ = issue(world.alice)
    assert client.post("/api/auth/logout/").status_code == 204
    assert refused(client)
    assert Entry.objects.filter(kind="audit.token_revoked", actor="alice").exists()
    assert Entry.objects.filter(kind="audit.logout", actor="alice").exists()


def test_staff_logout_kills_the_users_tokens(world, client):
    api, _ = issue(world.alice)
    client.post("/accounts/login/", {"username": "alice", "password": TEST_PASSWORD})
    client.post("/accounts/logout/")
    assert refused(api)


def test_password_change_kills_tokens(world):
    api, _ = issue(world.alice)
    password_change(user=world.alice, old_password=TEST_PASSWORD, new_password="Harbour-Lamp42")
    assert refused(api)


def test_reset_and_deactivation_kill_tokens(world):
    sec = UserFactory(username="secadm", role=Role.SECURITY_ADMIN, agency=None)
    api_alice, _ = issue(world.alice)
    api_bob, _ = issue(world.bob)
    password_reset(user=world.alice, new_password="Harbour-Lamp42", actor=sec)
    assert refused(api_alice)
    user_set_active(user=world.bob, active=False, actor=sec)
    assert refused(api_bob)
    reasons = set(ApiToken.objects.values_list("revoked_reason", flat=True))
    assert reasons == {"password_reset", "deactivated"}


def test_a_made_up_token_is_refused(world):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token " + "x" * 40)
    assert refused(client)


def test_the_clear_text_token_app_is_gone():
    from django.apps import apps
    from django.db import connection

    assert not apps.is_installed("rest_framework.authtoken")
    assert "authtoken_token" not in connection.introspection.table_names()
