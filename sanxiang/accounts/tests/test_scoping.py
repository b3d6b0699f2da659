"""The one rule (accounts.scoping): denied by default on every scoped model, restricted evidence for
the named people only, and permission denials in the audit trail for signed-in users only."""

from __future__ import annotations

import json

import pytest
from django.apps import apps
from django.contrib.auth.models import AnonymousUser
from django.test import Client

from sanxiang.accounts.models import Role
from sanxiang.accounts.scoping import ScopedQuerySet
from sanxiang.compulsion.testing import SCOPED_MODELS as COMPULSION_SCOPED
from sanxiang.compulsion.testing import compulsion_rows_for
from sanxiang.evaluation.testing import SCOPED_MODELS as EVALUATION_SCOPED
from sanxiang.evaluation.testing import evaluation_objects
from sanxiang.inspections.testing import SCOPED_MODELS as INSPECTION_SCOPED
from sanxiang.inspections.testing import inspection_rows_for
from sanxiang.ledger.models import Entry
from sanxiang.records.models import Evidence
from sanxiang.supervision.testing import supervision_objects
from sanxiang.testing import UserFactory, build_records_world

pytestmark = pytest.mark.django_db

# Every model whose rows belong to an agency's cases must be scoped; a new one must be added here.
SCOPED = {"cases.case", "cases.party", "cases.caseofficer", "cases.caseevent", "cases.decision",
          "records.evidence", "records.uploadsession", "documents.document", "disclosure.publication",
          "supervision.accesslog", "reviews.legalreview", "supervision.complaint", "supervision.matter"} \
    | INSPECTION_SCOPED | COMPULSION_SCOPED | EVALUATION_SCOPED
# Scoped by agency but not case content (an agency's fee list, its annual report, its alerts, the
# public's applications, error reports and 信用修复 applications): the same one rule, checked below
# for the users who must see nothing; their own apps' tests check who sees which row.
AGENCY_SCOPED = {"licensing.feeitem", "licensing.application", "exchange.annualreport", "monitoring.alert",
                 "disclosure.errorreport", "disclosure.creditrepair", "draws.seedcommitment"}


@pytest.fixture
def rw(settings, tmp_path):
    settings.EVIDENCE_UPLOAD_DIR = str(tmp_path / "uploads")
    rw = build_records_world()
    inspection_rows_for(rw)  # a row of each scoped model of the inspection apps
    compulsion_rows_for(rw)
    evaluation_objects(rw)
    supervision_objects(rw)
    return rw


def scoped_models():
    return {m._meta.label_lower: m for m in apps.get_models() if isinstance(m._default_manager.all(), ScopedQuerySet)}


def test_every_case_model_is_scoped():
    assert set(scoped_models()) == SCOPED | AGENCY_SCOPED


def test_denied_by_default_on_every_scoped_model(rw):
    stray = UserFactory(username="stray", role=Role.OFFICER, agency=rw.world.agency)
    stray.agency = None  # an account whose agency was taken away (not saved: the constraint forbids it)
    inactive = UserFactory(username="gone", role=Role.SUPERVISOR, agency=None, is_active=False)
    roleless = UserFactory(username="roleless", role=Role.OFFICER, agency=rw.world.agency)
    roleless.role = "auditor"  # a role the rule does not name (not saved: the field refuses it)
    for label in AGENCY_SCOPED:
        model = scoped_models()[label]
        for user in (AnonymousUser(), stray, inactive, roleless, rw.root, rw.audrey):
            assert not model._default_manager.visible_to(user).exists(), (label, str(user))
    for label, model in scoped_models().items():
        if label in AGENCY_SCOPED:
            continue
        # The fixture case (a 800-yuan fine) needs no legal review; every other model has rows.
        assert model._default_manager.exists() or label == "reviews.legalreview", f"{label}: no row to hide"
        for user in (AnonymousUser(), stray, inactive, roleless):
            assert not model._default_manager.visible_to(user).exists(), (label, str(user))
        # The supervisor sees the rows (upload sessions are their owner's only).
        if label not in ("records.uploadsession", "reviews.legalreview"):
            assert model._default_manager.visible_to(rw.world.sam).exists(), label
        # Every row of the world belongs to the first agency: the other agency's officer sees none.
        assert not model._default_manager.visible_to(rw.world.mallory).exists(), label


def test_restricted_evidence_follows_the_rule(rw):
    flagged = rw.flagged
    for user in (rw.world.alice, rw.world.bob, rw.world.carol, rw.world.dave, rw.world.erin, rw.world.sam):
        assert Evidence.objects.visible_to(user).filter(pk=flagged.pk).exists(), user.username
        assert not Evidence.objects.withheld_from(user).exists(), user.username
    assert not Evidence.objects.visible_to(rw.oscar).filter(pk=flagged.pk).exists()
    assert list(Evidence.objects.withheld_from(rw.oscar)) == [flagged]
    # Another agency, and the administrators (三权分立), neither see it nor learn that it exists.
    for user in (rw.world.mallory, rw.root, rw.audrey):
        assert not Evidence.objects.visible_to(user).exists(), user.username
        assert not Evidence.objects.withheld_from(user).exists(), user.username
    # No row is repeated by the rule (a join through the case officers would repeat it).
    ids = list(Evidence.objects.visible_to(rw.world.alice).values_list("pk", flat=True))
    assert len(ids) == len(set(ids))


def _denials():
    return [json.loads(bytes(e.body)) for e in Entry.objects.filter(kind="audit.permission_denied").order_by("index")]


def test_out_of_scope_probe_is_a_plain_404_and_is_audited(rw):
    client = Client()
    client.force_login(rw.world.mallory)
    hidden = client.get(f"/staff/cases/{rw.case.pk}/", HTTP_USER_AGENT="probe/1.0", REMOTE_ADDR="10.0.0.7")
    missing = client.get("/staff/cases/999999/")
    assert hidden.status_code == missing.status_code == 404
    [entry] = _denials()  # the missing case is no denial
    assert entry["actor"] == "mallory" and entry["agency"] == rw.world.other_agency.code
    assert entry["data"]["object"] == rw.case.ledger_ref()
    assert entry["data"]["path"] == f"/staff/cases/{rw.case.pk}/"
    assert entry["data"]["address"] == "10.0.0.7" and entry["data"]["user_agent"] == "probe/1.0"
    api = client.get(f"/api/evidence/{rw.flagged.pk}/")
    assert api.status_code == 404 and api.json()["error"]["code"] == "not_found"
    assert _denials()[-1]["data"]["object"] == rw.flagged.ledger_ref()


def test_restricted_evidence_probe_by_a_colleague_is_audited(rw):
    client = Client()
    client.force_login(rw.oscar)
    assert client.get(f"/api/evidence/{rw.flagged.pk}/").status_code == 404
    assert client.get(f"/api/evidence/{rw.plain.pk}/").status_code == 200
    assert [d["data"]["object"] for d in _denials()] == [rw.flagged.ledger_ref()]


def test_anonymous_probing_writes_nothing(rw):
    before = Entry.objects.count()
    client = Client()
    for n in range(30):
        client.get(f"/staff/cases/{rw.case.pk + n}/")
        client.get(f"/api/evidence/{rw.flagged.pk + n}/")
        client.post(f"/api/publications/{rw.publication.pk}/publish/")
    assert Entry.objects.count() == before


def test_a_refused_role_is_audited(rw):
    client = Client()
    client.force_login(rw.world.alice)
    response = client.get("/api/access-log/")
    assert response.status_code == 403
    [entry] = _denials()
    assert entry["data"]["status"] == 403 and entry["data"]["path"] == "/api/access-log/"


def test_denial_through_token_auth_is_audited_with_the_token_user(rw):
    from rest_framework.test import APIClient

    client = APIClient()
    # As the other API tests do (records/tests/conftest.py): a token from the token endpoint.
    token = client.post("/api/auth/token/", {"username": "mallory", "password": "pass12345"}, format="json")
    assert token.status_code == 200, token.content
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.json()['token']}")
    assert client.get(f"/api/cases/{rw.case.pk}/").status_code == 404
    assert client.get(f"/api/cases/{rw.case.pk}/documents/").status_code == 404
    assert [(d["actor"], d["data"]["object"]) for d in _denials()] == [("mallory", rw.case.ledger_ref())] * 2
