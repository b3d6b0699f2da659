"""Push to configured endpoints: a loopback receiver that fails, then recovers; retries with
exponential backoff; every attempt in the delivery log and the ledger."""

import datetime as dt
import http.server
import json
import threading

import pytest
from django.utils import timezone

from sanxiang.common.services import record_save
from sanxiang.exchange.models import Delivery, DeliveryStatus, Endpoint
from sanxiang.exchange.push import backoff_seconds, endpoint_cursor, push_endpoint
from sanxiang.exchange.tests.helpers import withdraw
from sanxiang.ledger.models import Entry

pytestmark = pytest.mark.django_db


class Receiver(http.server.ThreadingHTTPServer):
    """Answers 500 to the first `fail` requests, then 200; keeps every body and header it got."""

    def __init__(self, fail: int):
        self.fail, self.received = fail, []
        super().__init__(("127.0.0.1", 0), Handler)


class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802 - http.server's naming
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.server.received.append({"body": body, "auth": self.headers.get("Authorization"),
                                     "key": self.headers.get("Idempotency-Key")})
        status = 500 if self.server.fail > 0 else 200
        self.server.fail -= 1
        self.send_response(status)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):
        pass


@pytest.fixture
def receiver():
    server = Receiver(fail=2)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_failing_endpoint_is_retried_with_backoff_until_it_recovers(rw, receiver, settings):
    settings.EXCHANGE_PUSH_BACKOFF_SECONDS = 60
    endpoint = record_save(Endpoint(name="省级行政执法监督平台", url=f"http://127.0.0.1:{receiver.server_port}/in",
                                    auth_header="Bearer s3cret"), actor="factory")
    t0 = timezone.now()

    (first,) = push_endpoint(endpoint, now=t0)
    assert first.status == DeliveryStatus.FAILED and first.http_status == 500 and first.attempt == 1
    assert first.next_attempt_at == t0 + dt.timedelta(seconds=60)
    assert push_endpoint(endpoint, now=t0 + dt.timedelta(seconds=59)) == []  # backing off
    assert len(receiver.received) == 1

    t1 = t0 + dt.timedelta(seconds=61)
    (second,) = push_endpoint(endpoint, now=t1)
    assert second.status == DeliveryStatus.FAILED and second.attempt == 2
    assert second.next_attempt_at == t1 + dt.timedelta(seconds=120)  # doubled
    assert push_endpoint(endpoint, now=t1 + dt.timedelta(seconds=119)) == []

    (third,) = push_endpoint(endpoint, now=t1 + dt.timedelta(seconds=121))
    assert third.status == DeliveryStatus.OK and third.attempt == 3 and third.http_status == 200
    assert third.cursor_to == rw.publication.ledger_index == endpoint_cursor(endpoint)
    assert len(receiver.received) == 3
    assert {r["key"] for r in receiver.received} == {f"{endpoint.pk}:-1:{third.cursor_to}"}  # the same batch
    assert receiver.received[-1]["auth"] == "Bearer s3cret"
    (item,) = receiver.received[-1]["body"]["items"]
    assert item["publication_id"] == rw.publication.pk and item["action"] == "upsert"

    # Each attempt is in the delivery log and the ledger; the secret is not in the ledger.
    assert list(Delivery.objects.filter(endpoint=endpoint).order_by("pk").values_list("status", flat=True)) == [
        "failed", "failed", "ok"]
    assert Entry.objects.filter(kind="exchange.delivery").count() == 3
    assert not any(b"s3cret" in bytes(e.body) for e in Entry.objects.all())

    # Nothing new: no attempt. A withdrawal is pushed as a new item after the release.
    later = third.started_at + dt.timedelta(seconds=1)
    assert push_endpoint(endpoint, now=later) == []
    withdraw(rw.publication, reason="决定被依法撤销", actor=rw.world.erin)
    (fourth,) = push_endpoint(endpoint, now=later)
    assert fourth.status == DeliveryStatus.OK and fourth.attempt == 1 and fourth.cursor_from == third.cursor_to
    assert receiver.received[-1]["body"]["items"][0]["action"] == "delete"

    from sanxiang.ledger.verification import verify_all

    report = verify_all(jobs=1)
    assert report.ok, [p.message for p in report.problems]  # every delivery row matches its logged state


def test_unreachable_endpoint_is_logged_and_backoff_is_capped(rw, settings):
    import socket

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()  # nothing listens there now
    endpoint = record_save(Endpoint(name="不可达", url=f"http://127.0.0.1:{port}/"), actor="factory")
    (attempt,) = push_endpoint(endpoint, timeout=2)
    assert attempt.status == DeliveryStatus.FAILED and attempt.http_status is None and "Error" in attempt.error
    settings.EXCHANGE_PUSH_BACKOFF_SECONDS, settings.EXCHANGE_PUSH_BACKOFF_MAX_SECONDS = 60, 600
    assert [backoff_seconds(n) for n in (1, 2, 3, 4, 5, 6)] == [60, 120, 240, 480, 600, 600]


def test_the_job_pushes_every_active_endpoint(rw, receiver):
    from sanxiang.exchange.tasks import exchange_push_scheduled

    receiver.fail = 0
    record_save(Endpoint(name="平台", url=f"http://127.0.0.1:{receiver.server_port}/"), actor="factory")
    record_save(Endpoint(name="停用", url="http://127.0.0.1:9/", is_active=False), actor="factory")
    assert exchange_push_scheduled.call_local() == 1
    assert len(receiver.received) == 1
