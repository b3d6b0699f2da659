"""NodeStore over the database: level 0 from Entry.leaf_hash, higher levels from TreeNode.

Every root, proof and append reads its O(log n) nodes with one hand-written query (a UNION of
the entry leaves and the tree nodes asked for): building the same query through the ORM cost
more than running it, and an inclusion proof is on the public API's hot path.
"""

from __future__ import annotations

from django.db import connection

from sanxiang.ledger.models import Entry, TreeNode

_CHUNK = 400  # keys per query, far below every backend's limit on parameters


class DbNodeStore:
    """Reads through `cursor` when given (the append path passes its own), else a new one."""

    def __init__(self, cursor=None) -> None:
        self.cursor = cursor

    def get(self, level: int, index: int) -> bytes:
        return self.get_many([(level, index)])[(level, index)]

    def get_many(self, keys):
        keys = list(dict.fromkeys(keys))
        found: dict[tuple[int, int], bytes] = {}
        if self.cursor is not None:
            self._read(self.cursor, keys, found)
        else:
            with connection.cursor() as cursor:
                self._read(cursor, keys, found)
        missing = [k for k in keys if k not in found]
        if missing:
            raise LookupError(f"ledger tree nodes missing: {missing[:5]}")
        return found

    @staticmethod
    def _read(cursor, keys: list[tuple[int, int]], found: dict[tuple[int, int], bytes]) -> None:
        for start in range(0, len(keys), _CHUNK):
            sql, params = _query(keys[start:start + _CHUNK])
            cursor.execute(sql, params)
            for level, index, value in cursor.fetchall():
                found[(level, index)] = bytes(value)


def _query(keys: list[tuple[int, int]]) -> tuple[str, list[int]]:
    leaves = [index for level, index in keys if level == 0]
    upper = [(level, index) for level, index in keys if level > 0]
    parts: list[str] = []
    params: list[int] = []
    if leaves:
        parts.append(f'SELECT 0, "index", leaf_hash FROM {Entry._meta.db_table} '
                     f'WHERE "index" IN ({", ".join(["%s"] * len(leaves))})')
        params.extend(leaves)
    if upper:
        # One equality pair per node: both backends answer it from the (level, index) unique index.
        parts.append(f'SELECT level, "index", hash FROM {TreeNode._meta.db_table} WHERE '
                     + " OR ".join(['(level = %s AND "index" = %s)'] * len(upper)))
        for level, index in upper:
            params.extend((level, index))
    if not parts:  # only negative levels were asked for: nothing can match
        return f'SELECT level, "index", hash FROM {TreeNode._meta.db_table} WHERE 1 = 0', []
    return " UNION ALL ".join(parts), params
