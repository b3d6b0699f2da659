"""The incremental feed: cursor paging over the ledger, a correction and a withdrawal appearing after
the original release, scope, token authentication and refused input."""

import pytest
from rest_framework.test import APIClient

from sanxiang.exchange.feed import feed_page
from sanxiang.exchange.tests.helpers import correct, withdraw
from sanxiang.testing import citizen_id, token_client

pytestmark = pytest.mark.django_db


def _all(client, limit=1):
    """Walk the feed page by page as a consumer does; returns (items, pages, last cursor)."""
    items, pages, cursor = [], 0, None
    while True:
        params = {"limit": limit, **({"cursor": cursor} if cursor is not None else {})}
        response = client.get("/api/exchange/feed/", params)
        assert response.status_code == 200, response.content
        body = response.json()
        items += body["items"]
        pages += 1
        cursor = body["next_cursor"]
        if not body["has_more"]:
            return items, pages, cursor


def test_paging_and_a_correction_after_the_original(rw_org):
    w = rw_org
    sam = token_client(w.world.sam)
    items, pages, cursor = _all(sam, limit=1)
    assert [i["publication_id"] for i in items] == [w.publication.pk, w.org_publication.pk]
    assert pages >= 2 and all(i["action"] == "upsert" and i["event"] == "publication.publish" for i in items)
    assert items[0]["cursor"] == w.publication.ledger_index < items[1]["cursor"] == w.org_publication.ledger_index
    assert items[0]["records"][0]["party_name"] == "张某"
    assert citizen_id(7) not in str(items)

    # Nothing new: the same cursor answers an empty page.
    again = sam.get("/api/exchange/feed/", {"cursor": cursor}).json()
    assert again == {"cursor": cursor, "next_cursor": cursor, "has_more": False, "items": []}

    fixed = correct(w.publication, text="更正后的决定书全文", actor=w.world.erin)
    gone = withdraw(w.org_publication, reason="决定被依法撤销", actor=w.world.erin)
    later = sam.get("/api/exchange/feed/", {"cursor": cursor}).json()
    assert [(i["event"], i["publication_id"], i["action"]) for i in later["items"]] == [
        ("publication.correct", w.publication.pk, "upsert"),
        ("publication.withdraw", w.org_publication.pk, "delete"),
    ]
    assert [i["cursor"] for i in later["items"]] == [fixed.index, gone.index]
    assert later["items"][1]["records"] == [] and later["items"][1]["reason"] == "决定被依法撤销"
    # The original release is still where it was: a consumer reading from the start sees the
    # release first and the correction after it.
    history = [(i["event"], i["publication_id"]) for i in _all(sam, limit=2)[0]]
    assert history.index(("publication.publish", w.publication.pk)) < history.index(
        ("publication.correct", w.publication.pk))


def test_scope_token_and_refusals(rw):
    w = rw
    assert len(token_client(w.world.erin).get("/api/exchange/feed/").json()["items"]) == 1
    # Another agency's head sees none of it, but the cursor still moves past it.
    from sanxiang.accounts.models import Role
    from sanxiang.testing import UserFactory

    other_head = UserFactory(username="olga", role=Role.AGENCY_HEAD, agency=w.world.other_agency)
    page = feed_page(user=other_head)
    assert page.items == [] and page.next_cursor >= w.publication.ledger_index
    assert APIClient().get("/api/exchange/feed/").status_code == 401
    bad = APIClient()
    bad.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    assert bad.get("/api/exchange/feed/").status_code == 401
    assert token_client(w.world.alice).get("/api/exchange/feed/").status_code == 403
    sam = token_client(w.world.sam)
    assert sam.get("/api/exchange/feed/", {"cursor": "abc"}).json()["error"]["code"] == "cursor_invalid"
    assert sam.get("/api/exchange/feed/", {"limit": "0"}).json()["error"]["code"] == "limit_invalid"
