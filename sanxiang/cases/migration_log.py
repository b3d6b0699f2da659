"""Logging rows that a data migration writes, so `verify_ledger` still finds every row's state.

A migration sees historical models, which lack Recorded's methods; this adapter computes the
same reference and state hash from their columns (Recorded.ledger_state: every concrete
column but ledger_index) and appends one ledger entry for all of them.
"""

from __future__ import annotations

from sanxiang.common.canonical import canonical_bytes, sha256_hex


class _Historical:
    def __init__(self, row) -> None:
        self.row = row

    def ledger_ref(self) -> str:
        return f"{self.row._meta.label_lower}:{self.row.pk}"

    def ledger_state_hash(self) -> str:
        state = {f.attname: getattr(self.row, f.attname) for f in self.row._meta.concrete_fields
                 if f.attname != "ledger_index"}
        return sha256_hex(canonical_bytes(state))


def log_migrated_rows(*querysets, kind: str, summary: str) -> None:
    """One ledger entry naming the current state of every row of `querysets` (none: no entry)."""
    from sanxiang.ledger.services import ledger_append

    rows = [_Historical(row) for qs in querysets for row in qs.order_by("pk")]
    if rows:
        ledger_append(kind=kind, actor=None, subjects=rows, summary=summary)
