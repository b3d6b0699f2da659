"""三权分立 (8.1.4.2 d): system, security and audit administrators are separate roles; none reads
case content or another user's token; the audit administrator only reads the audit trail."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.contrib import admin
from django.utils import timezone

from sanxiang.accounts.models import ApiToken, Role, User
from sanxiang.cases.models import Case, CaseEvent, Decision, Party
from sanxiang.cases.services import case_open
from sanxiang.disclosure.models import Publication
from sanxiang.documents.models import Document
from sanxiang.ledger.models import Entry
from sanxiang.records.models import Evidence, StoredFile, UploadSession
from sanxiang.reviews.models import LegalReview
from sanxiang.supervision.models import AccessLog
from sanxiang.testing import UserFactory, citizen_party, token_credentials

pytestmark = pytest.mark.django_db

CASE_CONTENT = (Case, CaseEvent, Decision, Party, Evidence, StoredFile, UploadSession, Document, LegalReview,
                Publication, AccessLog)


@pytest.fixture
def admins(world):
    return {
        "sys": UserFactory(username="sysadm", role=Role.ADMIN, agency=None, is_staff=True),
        "sec": UserFactory(username="secadm", role=Role.SECURITY_ADMIN, agency=None, is_staff=True),
        "aud": UserFactory(username="audadm", role=Role.AUDIT_ADMIN, agency=None),
        # A superuser flag on an administrator role is no bypass to case content.
        "root": UserFactory(username="root", role=Role.ADMIN, agency=None, is_staff=True, is_superuser=True),
    }


@pytest.fixture
def case(world):
    return case_open(actor=world.alice, item=world.item, party=citizen_party(), title="擅自倾倒建筑垃圾",
                     officers=[world.alice_officer, world.bob_officer],
                     opened_on=timezone.localdate() - dt.timedelta(days=30))


def test_no_case_content_is_registered_in_the_admin():
    registered = set(admin.site._registry)
    assert not registered & set(CASE_CONTENT)
    assert Entry not in registered


def test_no_admin_can_delete_ledger_entries_or_any_registered_row_for_the_audit_admin(admins, rf):
    request = rf.get("/admin/")
    request.user = admins["aud"]
    for model_admin in admin.site._registry.values():
        assert not model_admin.has_delete_permission(request), model_admin
        assert not model_admin.has_view_permission(request), model_admin
    assert not any(model is Entry for model in admin.site._registry)


@pytest.mark.parametrize("who", ["sys", "sec", "aud", "root"])
def test_administrators_read_no_case_content(world, admins, case, client, who):
    user = admins[who]
    assert user.visible_agency_ids() == []
    client.force_login(user)
    assert client.get(f"/staff/cases/{case.pk}/").status_code == 404
    assert case.number not in client.get("/staff/").content.decode() if case.number else True
    listing = client.get("/api/cases/")
    assert listing.status_code in (200, 403)
    if listing.status_code == 200:
        data = listing.json()
        rows = data.get("results", data) if isinstance(data, dict) else data
        assert rows == []
    assert client.get(f"/api/cases/{case.pk}/").status_code in (403, 404)


def test_the_system_administrator_configures_the_registry_but_not_accounts(admins, client):
    client.force_login(admins["sys"])
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/registry/agency/").status_code == 200
    assert client.get("/admin/accounts/user/").status_code == 403
    assert client.get("/admin/accounts/apitoken/").status_code == 403
    assert client.get("/admin/axes/accessattempt/").status_code == 403
    denied = Entry.objects.filter(kind="audit.permission_denied", actor="sysadm")
    assert {json.loads(bytes(e.body))["data"]["path"] for e in denied} >= {
        "/admin/accounts/user/", "/admin/accounts/apitoken/", "/admin/axes/accessattempt/"}


def test_the_security_administrator_manages_accounts_but_not_the_registry(world, admins, client):
    client.force_login(admins["sec"])
    assert client.get("/admin/accounts/user/").status_code == 200
    assert client.get("/admin/axes/accessattempt/").status_code == 200
    assert client.get("/admin/registry/agency/").status_code == 403
    assert client.get("/admin/reviews/catalogueentry/").status_code == 403
    assert client.get("/staff/audit/").status_code == 403


def test_the_security_administrator_sees_token_prefixes_never_secrets(world, admins, client):
    from rest_framework.test import APIClient

    secret = APIClient().post("/api/auth/token/", token_credentials(world.alice), format="json").json()["token"]
    token = ApiToken.objects.get(user=world.alice)
    client.force_login(admins["sec"])
    html = client.get("/admin/accounts/apitoken/").content.decode() + client.get(
        f"/admin/accounts/apitoken/{token.pk}/change/").content.decode()
    assert token.prefix in html
    assert secret not in html and token.digest not in html


def test_the_audit_administrator_only_reads_the_audit_trail(world, admins, client, case):
    client.force_login(admins["aud"])
    assert client.get("/staff/audit/").status_code == 200
    assert client.get("/admin/").status_code == 302  # not staff: /admin/ sends to its login
    assert client.get("/admin/registry/agency/").status_code == 302
    assert client.get(f"/staff/cases/{case.pk}/").status_code == 404


def test_the_security_administrator_creates_accounts_without_superuser_or_groups(world, admins, client):
    client.force_login(admins["sec"])
    response = client.post("/admin/accounts/user/add/", {
        "username": "newofficer", "password1": "Harbour-Lamp42", "password2": "Harbour-Lamp42",
        "display_name": "新人", "agency": world.agency.pk, "role": Role.OFFICER, "is_superuser": "on",
        "_save": "保存"}, HTTP_USER_AGENT="admin-probe/2.0", REMOTE_ADDR="10.9.8.7")
    assert response.status_code == 302, response.content.decode()[:2000]
    created = User.objects.get(username="newofficer")
    assert not created.is_superuser and not created.is_staff and created.password_change_required
    entry = Entry.objects.filter(kind="audit.admin_change", actor="secadm").order_by("-index").first()
    body = bytes(entry.body)
    assert b"10.9.8.7" in body and b"admin-probe/2.0" in body


def test_a_weak_password_is_refused_in_the_admin_too(world, admins, client):
    client.force_login(admins["sec"])
    response = client.post("/admin/accounts/user/add/", {
        "username": "weak", "password1": "12345678", "password2": "12345678", "agency": world.agency.pk,
        "role": Role.OFFICER})
    assert response.status_code == 200
    assert "至少需要 10 个字符" in response.content.decode()
    assert not User.objects.filter(username="weak").exists()


def test_the_security_administrator_cannot_change_their_own_role(admins, client):
    client.force_login(admins["sec"])
    page = client.get(f"/admin/accounts/user/{admins['sec'].pk}/change/").content.decode()
    assert 'name="role"' not in page
    other = client.get(f"/admin/accounts/user/{admins['sys'].pk}/change/").content.decode()
    assert 'name="role"' in other and 'name="is_superuser"' not in other


def test_an_admin_reset_through_the_admin_forces_a_change_and_is_audited(world, admins, client):
    client.force_login(admins["sec"])
    response = client.post(f"/admin/accounts/user/{world.alice.pk}/password/",
                           {"password1": "Harbour-Lamp42", "password2": "Harbour-Lamp42"})
    assert response.status_code == 302
    world.alice.refresh_from_db()
    assert world.alice.password_change_required and world.alice.check_password("Harbour-Lamp42")
    assert Entry.objects.filter(kind="audit.password_reset", actor="secadm").exists()


def test_staff_cannot_read_the_audit_trail_and_the_attempt_is_recorded(world, client):
    client.force_login(world.sam)
    assert client.get("/staff/audit/").status_code == 403
    assert Entry.objects.filter(kind="audit.permission_denied", actor="sam").exists()


def test_a_refusal_on_a_scoped_object_is_audited_with_address(world, case, client):
    client.post("/accounts/login/", {"username": "mallory", "password": "pass12345"}, REMOTE_ADDR="10.7.7.7",
                HTTP_USER_AGENT="probe/9")
    assert client.get(f"/staff/cases/{case.pk}/", REMOTE_ADDR="10.7.7.7", HTTP_USER_AGENT="probe/9").status_code == 404
    entry = Entry.objects.filter(kind="audit.permission_denied", actor="mallory").get()
    data = bytes(entry.body)
    assert b"10.7.7.7" in data and b"probe/9" in data and f"/staff/cases/{case.pk}/".encode() in data


def test_a_token_users_refusal_is_audited_too(world, case):
    from rest_framework.test import APIClient

    api = APIClient()
    token = api.post("/api/auth/token/", token_credentials(world.mallory), format="json").json()["token"]
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api.get(f"/api/cases/{case.pk}/").status_code == 404
    assert Entry.objects.filter(kind="audit.permission_denied", actor="mallory").exists()
