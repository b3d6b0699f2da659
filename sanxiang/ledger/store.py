"""NodeStore over the database: level 0 from Entry.leaf_hash, higher levels from TreeNode."""

from __future__ import annotations

from django.db.models import Q

from sanxiang.ledger.models import Entry, TreeNode


class DbNodeStore:
    def get(self, level: int, index: int) -> bytes:
        return self.get_many([(level, index)])[(level, index)]

    def get_many(self, keys):
        keys = list(dict.fromkeys(keys))
        found: dict[tuple[int, int], bytes] = {}
        leaves = [i for (lvl, i) in keys if lvl == 0]
        if leaves:
            for index, leaf in Entry.objects.filter(index__in=leaves).values_list("index", "leaf_hash"):
                found[(0, index)] = bytes(leaf)
        upper = [(lvl, i) for (lvl, i) in keys if lvl > 0]
        if upper:
            query = Q()
            for lvl, i in upper:
                query |= Q(level=lvl, index=i)
            for lvl, i, h in TreeNode.objects.filter(query).values_list("level", "index", "hash"):
                found[(lvl, i)] = bytes(h)
        missing = [k for k in keys if k not in found]
        if missing:
            raise LookupError(f"ledger tree nodes missing: {missing[:5]}")
        return found
