"""The decision list's pages: 20 rows, 下一页/上一页 by a (decided_on, id) cursor, the filters kept,
a deep page read from the index at its cursor (no OFFSET), a bad cursor named, never a 500."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sanxiang.disclosure import selectors
from sanxiang.disclosure.models import Publication
from sanxiang.disclosure.tests.test_portal import published_case

ROW = re.compile(r'<td class="nowrap"><a href="/decisions/(\d+)/">')


def _copies(world, n: int) -> list[Publication]:
    """n released decisions, three to a day, so the id breaks ties within a day."""
    _, original = published_case(world)
    rows = []
    for k in range(n - 1):
        p = Publication.objects.get(pk=original.pk)
        p.pk = None
        p.decision_number = f"城管罚〔2026〕{1000 + k}号"
        p.decided_on = dt.date(2026, 1, 1) + dt.timedelta(days=k // 3)
        p.save()
        rows.append(p)
    return [original, *rows]


def _ids(body: str) -> list[int]:
    return [int(x) for x in ROW.findall(body)]


def _link(body: str, rel: str) -> str | None:
    m = re.search(rf'rel="{rel}" href="([^"]+)"', body)
    return m.group(1).replace("&amp;", "&") if m else None


@pytest.mark.django_db
def test_pages_walk_the_whole_list_newest_first_and_back(client, world):
    rows = _copies(world, 45)
    expected = [p.pk for p in sorted(rows, key=lambda p: (p.decided_on, p.pk), reverse=True)]
    url, seen, pages = reverse("portal:decisions"), [], []
    while url:
        body = client.get(url).content.decode()
        pages.append((url, _ids(body), body))
        seen += _ids(body)
        nxt = _link(body, "next")
        url = reverse("portal:decisions") + nxt if nxt else None
    assert seen == expected
    assert [len(ids) for _, ids, _ in pages] == [20, 20, 5]
    assert _link(pages[0][2], "prev") is None
    # 上一页 from the last page shows exactly the middle page again, with its own links.
    back = client.get(reverse("portal:decisions") + _link(pages[2][2], "prev")).content.decode()
    assert _ids(back) == pages[1][1]
    assert _link(back, "prev") and _link(back, "next")
    again = client.get(reverse("portal:decisions") + _link(back, "prev")).content.decode()
    assert _ids(again) == pages[0][1] and _link(again, "prev") is None


@pytest.mark.django_db
def test_a_deep_page_is_read_at_its_cursor_not_by_offset(world):
    rows = _copies(world, 30)
    last = sorted(rows, key=lambda p: (p.decided_on, p.pk))[5]
    with CaptureQueriesContext(connection) as queries:
        page = selectors.decision_page(selectors.published(), after=selectors.cursor_of(last))
    assert [p.pk for p in page.rows] == [p.pk for p in sorted(rows, key=lambda p: (p.decided_on, p.pk),
                                                                     reverse=True) if (p.decided_on, p.pk) <
                                         (last.decided_on, last.pk)]
    assert not any("OFFSET" in q["sql"].upper() for q in queries.captured_queries)


@pytest.mark.django_db
def test_the_filters_stay_in_the_page_links(client, world):
    _copies(world, 25)
    body = client.get(reverse("portal:decisions"), {"agency": world.agency.code, "penalty": "罚款"}).content.decode()
    nxt = _link(body, "next")
    assert f"agency={world.agency.code}" in nxt and "penalty=" in nxt and "after=" in nxt
    assert len(_ids(client.get(reverse("portal:decisions") + nxt).content.decode())) == 5


@pytest.mark.django_db
@pytest.mark.parametrize("cursor", ["yesterday", "2026-13-01.5", "2026-01-01.x", "2026-01-01"])
def test_a_bad_cursor_is_named_and_the_first_page_shown(client, world, cursor):
    rows = _copies(world, 3)
    answer = client.get(reverse("portal:decisions"), {"after": cursor})
    body = answer.content.decode()
    assert answer.status_code == 200 and 'id="cursor-error"' in body and "after/before" in body
    assert len(_ids(body)) == len(rows)
