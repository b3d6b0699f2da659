"""The portal's text search index: substring search over title, party name and 文号 without a scan.

`selectors.published(query=...)` matches a substring of the title, the party name or the 文号
(icontains). Over a million rows a LIKE '%…%' reads every row, so each engine gets a trigram
index that answers the same question (README 门户性能):

- PostgreSQL: GIN indexes with pg_trgm on UPPER(column) (the expression Django's icontains
  compares), made by migration 0004; the planner uses them for icontains as it is.
- SQLite: an FTS5 table with the trigram tokenizer (SQLite ≥ 3.34), external content (it stores
  only the index, the text stays in the publication row), kept in step by triggers. Django
  rebuilds a SQLite table to alter it, and the triggers go with the old table, so they are
  (re)made after every `migrate` (post_migrate) and the index is rebuilt when its row count
  disagrees with the table's. A query shorter than three characters has no trigram and falls
  back to LIKE.
"""

from __future__ import annotations

from django.db import connections

TABLE = "disclosure_publication"
FTS = "disclosure_publication_search"
COLUMNS = ("title", "party_name", "decision_number")
MIN_TRIGRAM = 3




def fts_phrase(query: str) -> str:
    """An FTS5 phrase: with the trigram tokenizer it matches the query as a substring."""
    return '"' + query.replace('"', '""') + '"'


def _sqlite_statements() -> list[str]:
    cols = ", ".join(COLUMNS)
    new = ", ".join(f"new.{c}" for c in COLUMNS)
    old = ", ".join(f"old.{c}" for c in COLUMNS)
    delete = f"INSERT INTO {FTS}({FTS}, rowid, {cols}) VALUES ('delete', old.id, {old});"
    insert = f"INSERT INTO {FTS}(rowid, {cols}) VALUES (new.id, {new});"
    return [
        f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS} USING fts5({cols}, content='{TABLE}', content_rowid='id', "
        f"tokenize='trigram')",
        f"CREATE TRIGGER IF NOT EXISTS {FTS}_ai AFTER INSERT ON {TABLE} BEGIN {insert} END",
        f"CREATE TRIGGER IF NOT EXISTS {FTS}_ad AFTER DELETE ON {TABLE} BEGIN {delete} END",
        f"CREATE TRIGGER IF NOT EXISTS {FTS}_au AFTER UPDATE OF {cols} ON {TABLE} BEGIN {delete} {insert} END",
    ]


def ensure(using: str = "default") -> None:
    """Make the SQLite search table and its triggers if missing; rebuild the index when stale."""
    connection = connections[using]
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        if TABLE not in connection.introspection.table_names(cursor):
            return
        for sql in _sqlite_statements():
            cursor.execute(sql)
        cursor.execute(f"SELECT count(*) FROM {TABLE}")
        rows = cursor.fetchone()[0]
        # The docsize shadow table holds one row per indexed document.
        cursor.execute(f"SELECT count(*) FROM {FTS}_docsize")
        if cursor.fetchone()[0] != rows:
            cursor.execute(f"INSERT INTO {FTS}({FTS}) VALUES ('rebuild')")


def post_migrate(sender, using="default", **kwargs) -> None:
    ensure(using)


POSTGRES_UP = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    *[f"CREATE INDEX IF NOT EXISTS pub_trgm_{c} ON {TABLE} USING gin (UPPER({c}) gin_trgm_ops)" for c in COLUMNS],
]
POSTGRES_DOWN = [f"DROP INDEX IF EXISTS pub_trgm_{c}" for c in COLUMNS]
