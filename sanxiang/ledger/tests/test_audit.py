import pytest
from django.test import RequestFactory

from sanxiang.ledger.audit import audit_record
from sanxiang.ledger.models import Entry


@pytest.mark.django_db
def test_audit_record_logs_address_agent_and_user():
    request = RequestFactory().post("/accounts/login/", HTTP_USER_AGENT="probe/1.0", REMOTE_ADDR="127.0.0.9")
    entry = audit_record("login_failed", request=request, username="nobody")
    stored = Entry.objects.get(index=entry.index)
    assert stored.kind == "audit.login_failed"
    assert stored.actor == "nobody"
    body = bytes(stored.body).decode()
    assert "127.0.0.9" in body and "probe/1.0" in body


def test_unknown_event_refused():
    with pytest.raises(ValueError):
        audit_record("made_up")
