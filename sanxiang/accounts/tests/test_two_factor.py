"""TOTP 2FA with recovery codes, required for the roles SANXIANG_OTP_REQUIRED_ROLES names (8.1.4.1 d)."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from sanxiang.accounts.models import Role
from sanxiang.accounts.otp import otp_required, totp_device
from sanxiang.ledger.models import Entry
from sanxiang.testing import TEST_PASSWORD, UserFactory, otp_code_for, totp_device_for

pytestmark = pytest.mark.django_db


def sign_in(client, username):
    return client.post("/accounts/login/", {"username": username, "password": TEST_PASSWORD})


def code_for(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return str(totp.token()).zfill(device.digits)


def wait_out_throttle(device) -> None:
    """Time travel: django-otp makes the user wait 2^n seconds after n wrong codes."""
    import datetime as dt

    device.refresh_from_db()
    if device.throttling_failure_timestamp is not None:
        device.throttling_failure_timestamp -= dt.timedelta(minutes=10)
        device.save(update_fields=["throttling_failure_timestamp"])


def test_the_default_required_roles_are_heads_reviewers_supervisors_and_administrators():
    assert set(settings.SANXIANG_OTP_REQUIRED_ROLES) == {
        Role.UNIT_HEAD, Role.AGENCY_HEAD, Role.LEGAL_REVIEWER, Role.SUPERVISOR, Role.ADMIN, Role.SECURITY_ADMIN,
        Role.AUDIT_ADMIN}


@pytest.mark.parametrize("persona", ["carol", "dave", "erin", "sam"])
def test_required_roles_without_a_device_are_sent_to_enrol_before_anything_else(world, client, persona):
    sign_in(client, persona)
    response = client.get("/staff/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/otp/enrol/")
    assert client.get("/api/cases/").json()["error"]["code"] == "otp_required"


def test_an_officer_is_not_asked(world, client):
    assert not otp_required(world.alice)
    sign_in(client, "alice")
    assert client.get("/staff/").status_code == 200


def test_the_roles_are_a_setting(world, client, settings):
    settings.SANXIANG_OTP_REQUIRED_ROLES = ["officer"]
    assert otp_required(world.alice) and not otp_required(world.carol)


def test_enrolment_shows_an_inline_qr_then_ten_recovery_codes_once(world, client):
    sign_in(client, "carol")
    page = client.get("/accounts/otp/enrol/")
    html = page.content.decode()
    assert 'src="data:image/svg+xml;base64,' in html and "https://" not in html.split("<main")[1].split("</main>")[0]
    device = TOTPDevice.objects.get(user=world.carol, confirmed=False)
    wrong = client.post("/accounts/otp/enrol/", {"otp": "000000" if code_for(device) != "000000" else "111111"})
    assert wrong.status_code == 400 and "验证码不正确" in wrong.content.decode()
    throttled = client.post("/accounts/otp/enrol/", {"otp": code_for(device)})
    assert throttled.status_code == 400 and "秒后再试" in throttled.content.decode()
    wait_out_throttle(device)
    done = client.post("/accounts/otp/enrol/?next=/staff/", {"otp": code_for(device), "next": "/staff/"})
    codes = re.findall(r"<li><code>([a-z2-7]+)</code></li>", done.content.decode())
    assert len(codes) == 10 and len(set(codes)) == 10
    assert client.get("/staff/").status_code == 200  # verified by the enrolment itself
    assert Entry.objects.filter(kind="audit.otp_enrolled", actor="carol").exists()
    assert Entry.objects.filter(kind="audit.otp_failed", actor="carol").exists()


def test_login_asks_for_the_code_and_refuses_a_wrong_one(world, client):
    device = totp_device_for(world.erin)
    sign_in(client, "erin")
    assert client.get("/staff/")["Location"].startswith("/accounts/otp/")
    wrong = client.post("/accounts/otp/", {"otp": "12345"})
    assert wrong.status_code == 400 and "验证码不正确" in wrong.content.decode()
    assert client.get("/staff/").status_code == 302
    wait_out_throttle(device)
    ok = client.post("/accounts/otp/", {"otp": code_for(device), "next": "/staff/"})
    assert ok.status_code == 302 and ok["Location"] == "/staff/"
    assert client.get("/staff/").status_code == 200
    assert Entry.objects.filter(kind="audit.otp_verified", actor="erin").exists()


def test_a_code_cannot_be_replayed(world, client):
    device = totp_device_for(world.erin)
    code = code_for(device)
    sign_in(client, "erin")
    assert client.post("/accounts/otp/", {"otp": code}).status_code == 302
    client.post("/accounts/logout/")
    sign_in(client, "erin")
    assert client.post("/accounts/otp/", {"otp": code}).status_code == 400


def test_a_recovery_code_works_once(world, client):
    from sanxiang.accounts.otp import recovery_codes_issue

    totp_device_for(world.dave)
    codes = recovery_codes_issue(user=world.dave)
    sign_in(client, "dave")
    assert client.post("/accounts/otp/", {"otp": codes[0]}).status_code == 302
    assert client.get("/staff/").status_code == 200
    stored = set(StaticToken.objects.filter(device__user=world.dave).values_list("token", flat=True))
    assert len(stored) == 9 and not stored & set(codes)  # kept as keyed hashes, never the codes
    assert Entry.objects.filter(kind="audit.otp_recovery_used", actor="dave").exists()
    client.post("/accounts/logout/")
    sign_in(client, "dave")
    assert client.post("/accounts/otp/", {"otp": codes[0]}).status_code == 400
    wait_out_throttle(totp_device(world.dave))
    from django_otp.plugins.otp_static.models import StaticDevice

    wait_out_throttle(StaticDevice.objects.get(user=world.dave))
    assert client.post("/accounts/otp/", {"otp": codes[1]}).status_code == 302


def test_a_bound_device_is_not_replaced_without_the_code(world, client):
    totp_device_for(world.erin)
    sign_in(client, "erin")
    response = client.get("/accounts/otp/enrol/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/otp/")
    assert TOTPDevice.objects.filter(user=world.erin).count() == 1


def test_token_api_requires_the_otp_field_for_required_roles(world):
    client = APIClient()
    missing = client.post("/api/auth/token/", {"username": "erin", "password": TEST_PASSWORD}, format="json")
    assert missing.status_code == 400 and missing.json()["error"]["code"] == "otp_not_enrolled"
    totp_device_for(world.erin)
    missing = client.post("/api/auth/token/", {"username": "erin", "password": TEST_PASSWORD}, format="json")
    assert missing.status_code == 400
    assert missing.json()["error"]["code"] == "otp_invalid" and missing.json()["error"]["field"] == "otp"
    wrong = client.post("/api/auth/token/", {"username": "erin", "password": TEST_PASSWORD, "otp": "99999x"},
                        format="json")
    assert wrong.status_code == 400
    wait_out_throttle(totp_device(world.erin))
    ok = client.post("/api/auth/token/", {"username": "erin", "password": TEST_PASSWORD,
                                          "otp": otp_code_for(world.erin)}, format="json")
    assert ok.status_code == 200 and ok.json()["token"]


def test_officers_get_a_token_without_otp(world):
    ok = APIClient().post("/api/auth/token/", {"username": "alice", "password": TEST_PASSWORD}, format="json")
    assert ok.status_code == 200


def test_administrators_need_the_second_factor_for_admin_too(world, client):
    sec = UserFactory(username="secadm", role=Role.SECURITY_ADMIN, agency=None, is_staff=True)
    assert otp_required(sec)
    client.post("/admin/login/", {"username": "secadm", "password": TEST_PASSWORD})
    response = client.get("/admin/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/otp/enrol/")
    assert totp_device(sec) is None


def test_roles_that_need_no_second_factor_cannot_bind_one(world, client):
    client.force_login(world.alice)
    response = client.get("/accounts/otp/enrol/")
    assert response.status_code == 302 and response["Location"] == "/staff/"
    assert not TOTPDevice.objects.filter(user=world.alice).exists()


def test_the_demo_secret_and_the_totp_command_give_a_code_the_login_accepts(world, client):
    import base64
    import io

    from django.core.management import call_command

    from sanxiang.demo import DEMO_TOTP_SECRET, demo_totp_enrol

    device = demo_totp_enrol(world.carol)
    assert device.bin_key == base64.b32decode(DEMO_TOTP_SECRET)
    out = io.StringIO()
    call_command("totp", "carol", stdout=out, stderr=io.StringIO())
    code = out.getvalue().strip()
    assert re.fullmatch(r"\d{6}", code)
    sign_in(client, "carol")
    assert client.post("/accounts/otp/", {"otp": code}).status_code == 302
    assert client.get("/staff/").status_code == 200
