"""The portal's search index (README 门户性能): the same answers as a substring search, from the
trigram index; the SQLite index follows inserts and updates and survives a table rebuild."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sanxiang.disclosure import search_index, selectors
from sanxiang.disclosure.models import Publication
from sanxiang.disclosure.tests.test_portal import published_case


@pytest.mark.django_db
def test_search_by_party_number_and_title_substrings(world):
    _, publication = published_case(world)
    for query in (publication.decision_number, publication.decision_number[2:-1], publication.party_name,
                  "城市管理局行政处罚", "ABSENT-XYZ"):
        expected = {p.pk for p in Publication.objects.released() if query.lower() in
                    (p.title + "\n" + p.party_name + "\n" + p.decision_number).lower()}
        assert {p.pk for p in selectors.published(query=query)} == expected, query
    assert [p.pk for p in selectors.published(query=publication.decision_number)] == [publication.pk]
    assert list(selectors.published(query="ABSENT-XYZ")) == []
    # Two characters have no trigram: the substring scan answers.
    assert publication.pk in {p.pk for p in selectors.published(query=publication.party_name[:2])}


@pytest.mark.django_db
def test_a_whole_decision_number_is_looked_up_exactly(world):
    _, publication = published_case(world)
    number = publication.decision_number
    assert "〔" in number and number.endswith("号")
    with CaptureQueriesContext(connection) as queries:
        assert [p.pk for p in selectors.published(query=number)] == [publication.pk]
    assert all("decision_number\" = " in q["sql"] for q in queries)
    assert not any("MATCH" in q["sql"] or "LIKE" in q["sql"] for q in queries)
    # A number no decision has exactly is still a substring search (here: the same number with
    # another agency prefix finds nothing; a part of the number finds the decision).
    assert list(selectors.published(query="另" + number)) == []
    assert publication.pk in {p.pk for p in selectors.published(query=number[number.index("〔"):])}


@pytest.mark.django_db
def test_sqlite_search_uses_the_fts_index_and_follows_updates(world):
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL answers icontains from its pg_trgm indexes")
    _, publication = published_case(world)
    with CaptureQueriesContext(connection) as queries:
        list(selectors.published(query=publication.party_name))
    assert search_index.FTS in queries.captured_queries[-1]["sql"]
    # The trigger keeps the index in step with a row written after it (a correction's new text).
    Publication.objects.filter(pk=publication.pk).update(party_name="某某新名称有限公司")
    assert [p.pk for p in selectors.published(query="新名称有限")] == [publication.pk]
    assert list(selectors.published(query=publication.party_name + "不存在")) == []


@pytest.mark.django_db
def test_sqlite_index_is_remade_after_a_table_rebuild(world):
    """A later migration that rebuilds the table drops its triggers: post_migrate makes them again
    and rebuilds a stale index."""
    if connection.vendor != "sqlite":
        pytest.skip("SQLite only")
    _, publication = published_case(world)
    with connection.cursor() as cursor:
        for suffix in ("ai", "ad", "au"):
            cursor.execute(f"DROP TRIGGER {search_index.FTS}_{suffix}")
        cursor.execute(f"INSERT INTO {search_index.FTS}({search_index.FTS}) VALUES ('delete-all')")
    assert list(selectors.published(query=publication.party_name)) == []
    search_index.ensure()
    assert [p.pk for p in selectors.published(query=publication.party_name)] == [publication.pk]
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name LIKE %s",
                       [f"{search_index.FTS}_%"])
        assert cursor.fetchone()[0] == 3


@pytest.mark.django_db
def test_home_count_is_kept_for_a_minute(world, client):
    from django.core.cache import cache

    published_case(world)
    assert selectors.published_count() == 1
    with CaptureQueriesContext(connection) as queries:
        assert selectors.published_count() == 1
    assert queries.captured_queries == []
    cache.clear()
    assert selectors.published_count() == Publication.objects.released().count()
