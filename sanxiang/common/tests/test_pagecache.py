"""Public pages kept for visitors who are not signed in (common.pagecache): served again until the
next ledger write, each visitor with their own CSRF token, never for a signed-in user."""

from __future__ import annotations

import pytest
from django.db import connection
from django.middleware.csrf import _unmask_cipher_token
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sanxiang.common.pagecache import HIT_HEADER
from sanxiang.disclosure.lifecycle import publication_correct, publication_withdraw
from sanxiang.disclosure.tests.test_portal import published_case


@pytest.fixture(autouse=True)
def _kept(settings):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 60


def token_in(page: str) -> str:
    return page.split('"X-CSRFToken": "', 1)[1][:64]


@pytest.mark.django_db
def test_a_page_is_served_again_with_one_query_until_the_next_write(client, world):
    _, p = published_case(world)
    url = reverse("portal:decision", args=[p.pk])
    first = client.get(url)
    assert first[HIT_HEADER] == "miss"
    with CaptureQueriesContext(connection) as queries:
        again = client.get(url)
    assert again[HIT_HEADER] == "hit" and len(queries) == 1  # the ledger's size, the page's version
    assert again.content.decode().replace(token_in(again.content.decode()), "") == \
        first.content.decode().replace(token_in(first.content.decode()), "")
    # A correction is a ledger write: the next answer is rendered anew and shows it.
    publication_correct(publication=p, actor=world.carol, reason="地址属于个人信息，补充脱敏", extra_redactions=["幸福路"])
    after = client.get(url)
    assert after[HIT_HEADER] == "miss" and "本公示已更正" in after.content.decode()
    listed = client.get(reverse("portal:decisions"))
    assert listed[HIT_HEADER] == "miss"
    publication_withdraw(publication=p.__class__.objects.get(supersedes=p), actor=world.erin, ground="revoked",
                         reason="行政复议机关决定撤销该处罚决定", occurred_on=p.decided_on)
    assert p.decision_number not in client.get(reverse("portal:decisions")).content.decode()


@pytest.mark.django_db
def test_each_visitor_gets_a_token_for_their_own_cookie(world):
    _, p = published_case(world)
    url = reverse("portal:decision", args=[p.pk])
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    assert first.get(url)[HIT_HEADER] == "miss"
    answer = second.get(url)
    assert answer[HIT_HEADER] == "hit"
    page = answer.content.decode()
    token = token_in(page)
    assert page.count(token) >= 2  # hx-headers and the 报告错误 form's hidden field
    secret = second.cookies["csrftoken"].value
    assert _unmask_cipher_token(token) == secret != first.cookies["csrftoken"].value
    # The kept page's form works for the second visitor: the report is received.
    sent = second.post(reverse("portal:decision-report", args=[p.pk]),
                       {"csrfmiddlewaretoken": token, "description": "当事人名称有误，应为“某某公司”。"})
    assert sent.status_code == 200 and "查询码" in sent.content.decode()


@pytest.mark.django_db
def test_signed_in_users_and_visitors_with_a_session_are_never_served_a_kept_page(client, world):
    url = reverse("portal:home")
    client.force_login(world.alice)  # (a login is a ledger write: pages kept before it are not served)
    for _ in range(2):
        answer = client.get(url)
        assert answer.status_code == 200 and HIT_HEADER not in answer
    # What the signed-in user saw was not kept either: the first visitor's page is rendered anew.
    assert Client().get(url)[HIT_HEADER] == "miss"
    assert Client().get(url)[HIT_HEADER] == "hit"
    with_session = Client()
    with_session.cookies["sessionid"] = "x" * 32
    assert HIT_HEADER not in with_session.get(url)


@pytest.mark.django_db
def test_switched_off_nothing_is_kept(client, settings, world):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 0
    assert HIT_HEADER not in client.get(reverse("portal:home"))
    assert HIT_HEADER not in client.get(reverse("portal:home"))


@pytest.mark.django_db
def test_error_pages_are_not_kept(client, world):
    for _ in range(2):
        answer = client.get(reverse("portal:decision", args=[999999]))
        assert answer.status_code == 404 and HIT_HEADER not in answer
