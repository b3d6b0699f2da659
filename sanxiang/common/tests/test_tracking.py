"""进度查询: the one public lookup dispatches to the apps' trackers; wrong code and unknown number
look the same; codes are stored hashed; the lookup is rate-limited."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from sanxiang.common import tracking
from sanxiang.common.tracking import Progress, ProgressStep, query_code_hash, query_code_matches


@pytest.fixture
def fake_tracker():
    stored = {"SQ-2026-0001": query_code_hash("ab23-cd45")}

    def lookup(number, code):
        if number in stored and query_code_matches(code, stored[number]):
            return Progress(kind="test", kind_label="测试申请", number=number, title="测试事项", status="已受理",
                            agency="河洛市测试局", steps=(ProgressStep("2026-12-01", "提交申请"),),
                            links=(("公示信息", "/decisions/1/"),))
        return None

    saved = dict(tracking.TRACKERS)
    tracking.tracker("test", "测试申请")(lookup)
    cache.clear()
    yield stored
    tracking.TRACKERS.clear()
    tracking.TRACKERS.update(saved)


def test_query_codes_are_random_unambiguous_and_hashed():
    codes = {tracking.new_query_code() for _ in range(200)}
    assert len(codes) == 200
    assert all(len(c) == tracking.QUERY_CODE_LENGTH and not set(c) & set("01OIL") for c in codes)
    code = codes.pop()
    stored = query_code_hash(code)
    assert code not in stored and len(stored) == 64
    # Typed in lower case or with a separator, the code still matches; another does not.
    assert query_code_matches(code.lower()[:4] + "-" + code[4:], stored)
    assert not query_code_matches(tracking.new_query_code(), stored)
    assert not query_code_matches(code, "")


@pytest.mark.django_db
def test_lookup_needs_number_and_code(fake_tracker):
    assert tracking.progress_lookup("SQ-2026-0001", "AB23CD45").status == "已受理"
    assert tracking.progress_lookup("SQ-2026-0001", "AB23CD46") is None
    assert tracking.progress_lookup("SQ-2026-9999", "AB23CD45") is None
    assert tracking.progress_lookup("", "AB23CD45") is None


@pytest.mark.django_db
def test_portal_page_and_api(client, fake_tracker):
    page = client.get("/progress/")
    assert page.status_code == 200 and "测试申请" in page.content.decode()
    found = client.post("/progress/", {"number": "SQ-2026-0001", "code": "ab23cd45"})
    body = found.content.decode()
    assert found.status_code == 200 and "已受理" in body and "提交申请" in body and "/decisions/1/" in body
    wrong = client.post("/progress/", {"number": "SQ-2026-0001", "code": "XXXXXXXX"})
    assert wrong.status_code == 404 and "查询码不正确" in wrong.content.decode()
    api = client.post("/api/public/progress/", {"number": "SQ-2026-0001", "code": "AB23CD45"},
                      content_type="application/json")
    assert api.status_code == 200 and api.json()["steps"] == [{"at": "2026-12-01", "text": "提交申请"}]
    missing = client.post("/api/public/progress/", {"number": "SQ-2026-0001"}, content_type="application/json")
    assert missing.status_code == 400 and "code" in str(missing.json())
    unknown = client.post("/api/public/progress/", {"number": "SQ-1", "code": "AB23CD45"},
                          content_type="application/json")
    assert unknown.status_code == 404


@pytest.mark.django_db
def test_lookup_is_rate_limited(client, fake_tracker, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "progress_lookup": "3/minute"}
    statuses = [client.post("/progress/", {"number": "SQ-2026-0001", "code": "XXXXXXXX"}).status_code
                for _ in range(4)]
    assert statuses == [404, 404, 404, 429]
