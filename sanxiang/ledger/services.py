"""Writes to the ledger. `ledger_append` is called by every service, inside its transaction.

Sequencing: the LedgerHead row is the one serialised path. On PostgreSQL it is locked with
SELECT … FOR UPDATE; on SQLite every transaction starts with BEGIN IMMEDIATE (see settings), so
the writer already holds the database write lock. A database sequence is never used: sequences
skip numbers on rollback, and the log must be gapless.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from sanxiang.common.canonical import canonical_bytes
from sanxiang.common.models import Recorded
from sanxiang.ledger import keys, merkle, note
from sanxiang.ledger.models import Checkpoint, Entry, LedgerHead, TreeNode
from sanxiang.ledger.store import DbNodeStore

FORMAT_VERSION = 1


def _actor_fields(actor) -> tuple[str, str]:
    if actor is None:
        return "system", "system"
    if isinstance(actor, str):
        return actor, "system"
    return actor.get_username(), getattr(actor, "role", "") or ("admin" if actor.is_superuser else "")


def _lock_head() -> LedgerHead:
    head = LedgerHead.objects.select_for_update().filter(pk=1).first()
    if head is None:
        LedgerHead.objects.get_or_create(pk=1)
        head = LedgerHead.objects.select_for_update().get(pk=1)
    return head


def ledger_append(
    *,
    kind: str,
    actor=None,
    agency=None,
    subjects: Iterable[Recorded] = (),
    summary: str = "",
    content: dict[str, str] | None = None,
    files: Iterable[str] = (),
    data: dict | None = None,
    supersedes: int | None = None,
    public: bool = False,
) -> Entry:
    """Append one entry describing an event and the resulting state of every row it wrote.

    `subjects` are the rows written (their state hashes are committed), `content` maps names to
    SHA-256 hex of published or generated text, `files` lists SHA-256 hex of stored files.
    Must run inside the caller's transaction so the entry and the rows commit together.
    """
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        raise RuntimeError("ledger_append must run inside the writing service's transaction")
    subjects = list(subjects)
    username, role = _actor_fields(actor)
    head = _lock_head()
    index = head.size
    now = timezone.now()
    agency_code = getattr(agency, "code", "") or ""
    body_obj = {
        "v": FORMAT_VERSION,
        "index": index,
        "time": now,
        "kind": kind,
        "agency": agency_code or None,
        "actor": username,
        "role": role,
        "summary": summary,
        "subjects": {s.ledger_ref(): s.ledger_state_hash() for s in subjects},
        "content": dict(content or {}),
        "files": sorted(set(files)),
        "data": data or {},
        "supersedes": supersedes,
        "public": public,
        "nonce": secrets.token_hex(16),
    }
    body = canonical_bytes(body_obj)
    leaf = merkle.leaf_hash(body)
    entry = Entry.objects.create(
        index=index, leaf_hash=leaf, body=body, kind=kind,
        subject=subjects[0].ledger_ref() if subjects else "", agency_code=agency_code,
        actor=username, public=public, created_at=now,
    )
    new_nodes = [n for n in merkle.nodes_to_add(index, leaf, DbNodeStore()) if n[0] > 0]
    if new_nodes:
        TreeNode.objects.bulk_create([TreeNode(level=lvl, index=i, hash=h) for lvl, i, h in new_nodes])
    head.size = index + 1
    head.save(update_fields=["size"])
    return entry


def ledger_size() -> int:
    head = LedgerHead.objects.filter(pk=1).first()
    return head.size if head else 0


@transaction.atomic
def ledger_checkpoint() -> Checkpoint:
    """Sign a checkpoint of the current tree, unless the newest one already covers it."""
    head = _lock_head()
    latest = Checkpoint.objects.order_by("-tree_size").first()
    if latest is not None and latest.tree_size == head.size:
        return latest
    root = merkle.root(DbNodeStore(), head.size)
    body = note.checkpoint_body(keys.key_name(), head.size, root)
    signed = note.sign_note(body, keys.key_name(), keys.signing_key())
    return Checkpoint.objects.create(tree_size=head.size, root_hash=root, note=signed)
