"""Security audit (8.1.4.3): every security event is a ledger entry with time, user, address and
user agent; the audit administrator's page filters, pages and exports them; nothing deletes them."""

from __future__ import annotations

import io
import json

import pytest
from django.test import Client
from django_otp.oath import TOTP
from openpyxl import load_workbook

from sanxiang.accounts.models import Role
from sanxiang.ledger.audit import AUDIT_EVENTS, audit_record
from sanxiang.ledger.models import Entry
from sanxiang.testing import TEST_PASSWORD, UserFactory, otp_code_for, totp_device_for

pytestmark = pytest.mark.django_db

ADDRESS = "10.20.30.40"
AGENT = "audit-probe/3.1"


def body(entry: Entry) -> dict:
    return json.loads(bytes(entry.body))


def probe_client() -> Client:
    return Client(REMOTE_ADDR=ADDRESS, HTTP_USER_AGENT=AGENT)


def test_every_security_event_is_written_with_address_and_user_agent(world, settings):
    from rest_framework.test import APIClient

    client = probe_client()
    # login_failed ×5 → lockout (an address of its own, so the later logins are not locked)
    locked = Client(REMOTE_ADDR="10.20.30.41", HTTP_USER_AGENT=AGENT)
    for _ in range(5):
        locked.post("/accounts/login/", {"username": "bob", "password": "Wrong-pass99"})
    # login, otp_failed, otp_verified, password_changed, logout
    device = totp_device_for(world.erin)
    client.post("/accounts/login/", {"username": "erin", "password": TEST_PASSWORD})
    client.post("/accounts/otp/", {"otp": "abc"})
    device.refresh_from_db()
    device.throttling_failure_timestamp = None
    device.save()
    client.post("/accounts/otp/", {"otp": str(TOTP(device.bin_key).token()).zfill(6)})
    client.post("/accounts/password/", {"old_password": TEST_PASSWORD, "new_password": "Harbour-Lamp42",
                                        "new_password2": "Harbour-Lamp42"})
    client.post("/accounts/logout/")
    # token_created, token_revoked (API logout)
    api = APIClient(REMOTE_ADDR=ADDRESS, HTTP_USER_AGENT=AGENT)
    token = api.post("/api/auth/token/", {"username": "alice", "password": TEST_PASSWORD}, format="json").json()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token['token']}")
    api.post("/api/auth/logout/")
    # permission_denied (signed in through the page: force_login's bare request has no address)
    client.post("/accounts/login/", {"username": "alice", "password": TEST_PASSWORD})
    client.get("/staff/audit/")
    # session_expired
    session = client.session
    session["sanxiang_session_seen"] = 0
    session.save()
    client.get("/staff/")
    # password_reset and admin_change through /admin/
    sec = UserFactory(username="secadm", role=Role.SECURITY_ADMIN, agency=None, is_staff=True)
    client.post("/admin/login/", {"username": "secadm", "password": TEST_PASSWORD})
    client.post("/accounts/otp/", {"otp": otp_code_for(sec)})
    client.post(f"/admin/accounts/user/{world.bob.pk}/password/",
                {"password1": "Harbour-Lamp43", "password2": "Harbour-Lamp43"})

    seen = {}
    for entry in Entry.objects.filter(kind__startswith="audit."):
        seen.setdefault(entry.kind.removeprefix("audit."), []).append(body(entry))
    expected = {"login", "login_failed", "lockout", "logout", "otp_failed", "otp_verified", "password_changed",
                "password_reset", "token_created", "token_revoked", "permission_denied", "session_expired",
                "admin_change"}
    assert expected <= set(seen), expected - set(seen)
    for event in expected:
        for data in (b["data"] for b in seen[event]):
            assert data["address"] in (ADDRESS, "10.20.30.41"), (event, data)
            assert data["user_agent"] == AGENT, (event, data)
        assert any(b["actor"] not in ("", "anonymous") for b in seen[event]), event
        assert all(b["time"] for b in seen[event])


@pytest.fixture
def auditor(world):
    return UserFactory(username="audadm", role=Role.AUDIT_ADMIN, agency=None)


def test_the_page_filters_by_event_user_address_and_date(world, auditor, client, rf):
    request = rf.post("/accounts/login/", REMOTE_ADDR="192.0.2.7", HTTP_USER_AGENT="x")
    audit_record("login_failed", request=request, username="mallory")
    audit_record("login", request=rf.get("/", REMOTE_ADDR="192.0.2.8"), user=world.alice)
    client.force_login(auditor)
    page = client.get("/staff/audit/").content.decode()
    assert "192.0.2.7" in page and "192.0.2.8" in page
    only_failed = client.get("/staff/audit/", {"event": "login_failed"}).content.decode()
    assert "192.0.2.7" in only_failed and "192.0.2.8" not in only_failed
    by_user = client.get("/staff/audit/", {"user": "alice"}).content.decode()
    assert "192.0.2.8" in by_user and "192.0.2.7" not in by_user
    by_address = client.get("/staff/audit/", {"address": "192.0.2.7"}).content.decode()
    assert "192.0.2.7" in by_address and "192.0.2.8" not in by_address
    from django.utils import timezone

    today = timezone.localdate().isoformat()
    assert "192.0.2.7" in client.get("/staff/audit/", {"date_from": today, "date_to": today}).content.decode()
    assert "192.0.2.7" not in client.get("/staff/audit/", {"date_from": "2001-01-01",
                                                           "date_to": "2001-01-02"}).content.decode()


@pytest.mark.parametrize(("params", "message"), [
    ({"date_from": "2026-13-45"}, "起始日期格式应为 YYYY-MM-DD"),
    ({"date_to": "yesterday"}, "截止日期格式应为 YYYY-MM-DD"),
    ({"date_from": "2026-05-02", "date_to": "2026-05-01"}, "截止日期不得早于起始日期"),
    ({"event": "made_up"}, "选择一个有效的选项"),
])
def test_bad_filters_are_field_errors_not_server_errors(auditor, client, params, message):
    client.force_login(auditor)
    response = client.get("/staff/audit/", params)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert client.get("/staff/audit/export.xlsx", params).status_code == 400


def test_the_page_is_paginated(world, auditor, client, rf):
    for n in range(60):
        audit_record("login_failed", request=rf.post("/", REMOTE_ADDR=f"198.51.100.{n}"), username=f"probe{n}")
    client.force_login(auditor)
    first = client.get("/staff/audit/", {"event": "login_failed"}).content.decode()
    assert "第 1 / 2 页" in first and "198.51.100.59" in first and "198.51.100.0<" not in first
    second = client.get("/staff/audit/", {"event": "login_failed", "page": "2"}).content.decode()
    assert "198.51.100.0<" in second
    assert client.get("/staff/audit/", {"page": "999"}).status_code == 200
    assert client.get("/staff/audit/", {"page": "x"}).status_code == 200


def test_excel_export_has_every_matching_row_and_is_itself_audited(world, auditor, client, rf):
    for n in range(3):
        audit_record("login_failed", request=rf.post("/", REMOTE_ADDR=f"203.0.113.{n}", HTTP_USER_AGENT="ua"),
                     username="probe")
    client.force_login(auditor)
    response = client.get("/staff/audit/export.xlsx", {"event": "login_failed"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:6] == ("日志序号", "时间", "事件", "操作人", "涉及账户", "地址")
    assert sorted(r[5] for r in rows[1:]) == ["203.0.113.0", "203.0.113.1", "203.0.113.2"]
    assert {r[2] for r in rows[1:]} == {AUDIT_EVENTS["login_failed"]}
    assert Entry.objects.filter(kind="audit.audit_exported", actor="audadm").exists()


def test_there_is_no_delete_path_for_the_trail(world, auditor, client, rf):
    audit_record("login_failed", request=rf.post("/"), username="probe")
    before = Entry.objects.filter(kind__startswith="audit.").count()
    client.force_login(auditor)
    assert client.post("/staff/audit/", {"delete": "1"}).status_code == 405
    assert client.delete("/staff/audit/").status_code == 405
    assert client.post("/staff/audit/export.xlsx").status_code == 405
    # Nothing went: the refused requests added entries (the login), never removed one.
    assert Entry.objects.filter(kind__startswith="audit.").count() >= before
    assert Entry.objects.filter(kind="audit.login_failed", actor="probe").exists()
    from sanxiang.accounts.audit_urls import urlpatterns

    assert {p.name for p in urlpatterns} == {"trail", "export"}  # read and export only
