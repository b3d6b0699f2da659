"""A bounded schemathesis run against /api/schema/ (issue 8 §6): generated requests to every
operation, authenticated as an officer with a token, find no server error and no answer that
breaks the schema (status code, content type, body).

Marked `slow` (about half a minute); `-m "not slow"` leaves it out. FUZZ_EXAMPLES sets the
examples per operation (default 10); FUZZ_RANDOM=1 draws new examples each run instead of the
same derandomized ones (for a longer hunt by hand).
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase
from hypothesis import settings as hypothesis_settings
from rest_framework.test import APIClient
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from sanxiang.cases.services import case_open
from sanxiang.testing import citizen_party

pytestmark = [pytest.mark.slow, pytest.mark.django_db]

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "10"))
DERANDOMIZE = os.environ.get("FUZZ_RANDOM") != "1"
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
RUN = {"cases": 0, "by_status": {}}
TOKEN = {"key": ""}
# Upload chunks (tus-style media type) are raw bytes.
schemathesis.serializer.alias("application/offset+octet-stream", "application/octet-stream")


@pytest.fixture
def api_schema(world, settings):
    # Generated requests come faster than any person: lift the rate limits so the run reaches the
    # views (429 itself is covered by test_rate_limits), and keep the figures the run reports.
    settings.RATE_LIMITS = {"login": "100000/minute", "public_search": "100000/minute"}
    case_open(actor=world.alice, item=world.item, party=citizen_party(), title="擅自倾倒建筑垃圾",
              officers=[world.alice_officer, world.bob_officer])
    # The token the way a client gets one (whatever token model the accounts app uses).
    response = APIClient().post("/api/auth/token/", {"username": "alice", "password": "pass12345"}, format="json")
    assert response.status_code == 200, response.content
    TOKEN["key"] = response.json()["token"]
    # The WSGI handler closes the database connection after each request (request_finished); on
    # PostgreSQL that would end the test's transaction. Django's test client disconnects the same
    # receivers for the same reason.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/schema/", WSGIHandler())
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    # The figures of the run (pytest -s shows them); a run that sent nothing proves nothing.
    print(f"\nschemathesis: {RUN['cases']} requests, answers by status {dict(sorted(RUN['by_status'].items()))}")
    assert RUN["cases"] >= 100, RUN


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@hypothesis_settings(max_examples=EXAMPLES, deadline=None, derandomize=DERANDOMIZE, phases=[Phase.explicit, Phase.generate],
                     suppress_health_check=list(HealthCheck))
def test_api_answers_every_generated_request_within_its_schema(case, world):
    response = case.call_and_validate(headers={"Authorization": f"Token {TOKEN['key']}"}, checks=CHECKS)
    RUN["cases"] += 1
    RUN["by_status"][response.status_code] = RUN["by_status"].get(response.status_code, 0) + 1
