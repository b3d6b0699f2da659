"""Rate limits (issue 8 §6): logins in the UI, the admin and the token API, and the public
searches, per client address; 429 in the one error format with Retry-After."""

from __future__ import annotations

import pytest
from django.test import Client
from rest_framework.test import APIClient

from sanxiang.common.middleware import client_address, parse_rate

pytestmark = pytest.mark.django_db


@pytest.fixture
def tight(settings):
    # Per day: a fixed window that turned over in the middle of a test would reset its count.
    settings.RATE_LIMITS = {"login": "3/day", "public_search": "4/day"}
    return settings


def test_token_api_is_limited_per_address_with_retry_after(world, tight):
    client = APIClient()
    for _ in range(3):
        assert client.post("/api/auth/token/", {"username": "alice", "password": "wrong"}, format="json"
                           ).status_code == 400
    response = client.post("/api/auth/token/", {"username": "alice", "password": "pass12345"}, format="json")
    assert response.status_code == 429
    error = response.json()["error"]
    assert error["code"] == "throttled" and "秒后再试" in error["message"] and error["rule"] == "RATE_LIMITS[login]"
    assert 1 <= int(response["Retry-After"]) <= 86400
    # Another address is not affected.
    other = APIClient(REMOTE_ADDR="10.0.0.9")
    assert other.post("/api/auth/token/", {"username": "alice", "password": "pass12345"}, format="json"
                      ).status_code == 200


def test_ui_login_is_limited_with_a_chinese_page(world, tight):
    client = Client()
    for _ in range(3):
        assert client.post("/accounts/login/", {"username": "alice", "password": "wrong"}).status_code == 200
    response = client.post("/accounts/login/", {"username": "alice", "password": "pass12345"})
    assert response.status_code == 429 and response["Retry-After"]
    assert "请求过于频繁" in response.content.decode()
    # Showing the login form is not counted.
    assert client.get("/accounts/login/").status_code == 200


def test_admin_login_has_the_login_limit_of_its_own(world, tight):
    client = Client()
    for _ in range(3):
        client.post("/admin/login/", {"username": "alice", "password": "wrong"})
    assert client.post("/admin/login/", {"username": "alice", "password": "wrong"}).status_code == 429
    # The staff login form keeps its own budget.
    assert client.post("/accounts/login/", {"username": "alice", "password": "wrong"}).status_code == 200


def test_portal_officer_search_is_limited(world, tight):
    client = Client()
    for _ in range(4):
        assert client.get("/officers/", {"q": "艾"}).status_code == 200
    response = client.get("/officers/", {"q": "艾"})
    assert response.status_code == 429 and int(response["Retry-After"]) >= 1


def test_public_api_search_is_throttled_by_drf_in_the_error_format(world, tight):
    client = APIClient()
    for _ in range(4):
        assert client.get("/api/public/officers/", {"q": "艾"}).status_code == 200
    response = client.get("/api/public/officers/", {"q": "艾"})
    assert response.status_code == 429 and int(response["Retry-After"]) >= 1
    error = response.json()["error"]
    assert error["code"] == "throttled" and "秒后再试" in error["message"]
    # The publications search shares the scope and the address's budget.
    assert client.get("/api/publications/", {"q": "x"}).status_code == 429


def test_forwarded_address_is_believed_only_behind_the_trusted_proxy(rf, settings):
    request = rf.get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7")
    settings.SANXIANG_TRUST_PROXY = False
    assert client_address(request) == "127.0.0.1"
    settings.SANXIANG_TRUST_PROXY = True
    # The last hop is what the proxy saw; the ones before it are whatever the client wrote.
    assert client_address(request) == "203.0.113.7"


def test_rate_notation():
    assert parse_rate("30/minute") == (30, 60)
    assert parse_rate("5/second") == (5, 1)
    assert parse_rate("100/hour") == (100, 3600)
    assert parse_rate("1000/day") == (1000, 86400)
