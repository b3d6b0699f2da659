"""Writes to the ledger. `ledger_append` is called by every service, inside its transaction.

Sequencing: the LedgerHead row is the one serialised path. On PostgreSQL it is row-locked, by
the UPDATE that advances it when appending and by SELECT … FOR UPDATE when signing a checkpoint;
on SQLite every transaction starts with BEGIN IMMEDIATE (see settings), so the writer already
holds the database write lock. A database sequence is never used: sequences skip numbers on
rollback, and the log must be gapless.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from sanxiang.common.canonical import canonical_bytes
from sanxiang.common.models import Recorded
from sanxiang.ledger import checkpoint_file, keys, merkle, note
from sanxiang.ledger.models import Checkpoint, Entry, IntegrityCheck, LedgerHead, TreeNode
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


def entry_body(
    *,
    index: int,
    time,
    kind: str,
    agency_code: str,
    actor: str,
    role: str,
    summary: str = "",
    subjects: dict[str, str] | None = None,
    content: dict[str, str] | None = None,
    files: Iterable[str] = (),
    data: dict | None = None,
    supersedes: int | None = None,
    public: bool = False,
    nonce: str | None = None,
) -> bytes:
    """The canonical bytes of one entry (format version 1); `subjects` maps row refs to state hashes."""
    return canonical_bytes({
        "v": FORMAT_VERSION,
        "index": index,
        "time": time,
        "kind": kind,
        "agency": agency_code or None,
        "actor": actor,
        "role": role,
        "summary": summary,
        "subjects": dict(subjects or {}),
        "content": dict(content or {}),
        "files": sorted(set(files)),
        "data": data or {},
        "supersedes": supersedes,
        "public": public,
        "nonce": nonce or secrets.token_hex(16),
    })


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
    agency_code = getattr(agency, "code", "") or ""
    # Everything that does not depend on the index is computed before the head is locked, so the
    # serialised section is as short as it can be (it matters on PostgreSQL, where it is a row lock).
    states = {s.ledger_ref(): s.ledger_state_hash() for s in subjects}
    subject = subjects[0].ledger_ref() if subjects else ""
    with connection.cursor() as cursor:
        index = _advance_head(cursor)
        now = timezone.now()
        body = entry_body(
            index=index, time=now, kind=kind, agency_code=agency_code, actor=username, role=role, summary=summary,
            subjects=states, content=content, files=files, data=data, supersedes=supersedes, public=public,
        )
        leaf = merkle.leaf_hash(body)
        cursor.execute(_INSERT_ENTRY, [index, leaf, body, kind, subject, agency_code, username, public,
                                       connection.ops.adapt_datetimefield_value(now)])
        new_nodes = [n for n in merkle.nodes_to_add(index, leaf, DbNodeStore(cursor)) if n[0] > 0]
        if new_nodes:
            cursor.execute(_INSERT_NODES + ", ".join(["(%s, %s, %s)"] * len(new_nodes)),
                           [value for node in new_nodes for value in node])
    every = settings.LEDGER_CHECKPOINT_EVERY
    if public or (every > 0 and (index + 1) % every == 0):
        # Every N entries, and at once for a public entry (the portal proves it against a
        # checkpoint), the checkpoint job is queued once this transaction commits — never signed
        # here, in the one serialised write path.
        # robust: the entry is committed whatever happens to the queue; a failure to enqueue is
        # logged and the scheduled checkpoint covers the entry minutes later.
        transaction.on_commit(_queue_checkpoint, robust=True)
    entry = Entry(index=index, leaf_hash=leaf, body=body, kind=kind, subject=subject, agency_code=agency_code,
                  actor=username, public=public, created_at=now)
    entry._state.adding = False
    entry._state.db = connection.alias
    return entry


# The append path is plain SQL: it is the one serialised path of the whole system, and the ORM's
# query building cost more than the statements themselves (see bench/run.py).
_INSERT_ENTRY = (f'INSERT INTO {Entry._meta.db_table} ("index", leaf_hash, body, kind, subject, agency_code, '
                 f"actor, public, created_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)")
_INSERT_NODES = f'INSERT INTO {TreeNode._meta.db_table} (level, "index", hash) VALUES '
_ADVANCE_HEAD = f"UPDATE {LedgerHead._meta.db_table} SET size = size + 1 WHERE id = 1"


def _advance_head(cursor) -> int:
    """Lock the head row and move it on by one; returns the index of the entry being appended.

    A single UPDATE both takes the lock and advances the head: on PostgreSQL it holds the row
    lock until commit (a concurrent appender waits, then re-reads the committed size); on SQLite
    the transaction already holds the database write lock (BEGIN IMMEDIATE). If the transaction
    rolls back, so does the head, so the sequence stays gapless.
    """
    returning = cursor.db.features.can_return_columns_from_insert
    for _ in range(2):
        if returning:
            cursor.execute(_ADVANCE_HEAD + " RETURNING size")
            row = cursor.fetchone()
        else:
            cursor.execute(_ADVANCE_HEAD)
            row = None
            if cursor.rowcount == 1:
                cursor.execute(f"SELECT size FROM {LedgerHead._meta.db_table} WHERE id = 1")
                row = cursor.fetchone()
        if row is not None:
            return row[0] - 1
        LedgerHead.objects.get_or_create(pk=1)  # the very first append
    raise RuntimeError("ledger head row could not be created")


def ledger_size() -> int:
    head = LedgerHead.objects.filter(pk=1).first()
    return head.size if head else 0


# The job runner registers how a checkpoint is queued (sanxiang.jobs, from its AppConfig.ready):
# the ledger sits below the job runner and does not import it.
_checkpoint_queue: list = []


def checkpoint_queue_register(queue) -> None:
    """`queue()` is called after a commit that makes a checkpoint due; one registration is kept."""
    _checkpoint_queue[:] = [queue]


def _queue_checkpoint() -> None:
    for queue in _checkpoint_queue:
        queue()


def checkpoint_sign(size: int, root: bytes) -> str:
    """The signed note of a checkpoint: Ed25519, plus SM2 when SANXIANG_SM2_KEY is set."""
    body = note.checkpoint_body(keys.key_name(), size, root)
    signed = note.sign_note(body, keys.key_name(), keys.signing_key())
    sm2 = keys.sm2_key()
    if sm2 is not None:
        signed = note.add_sm2_signature(signed, keys.sm2_key_name(), sm2)
    return signed


@transaction.atomic
def ledger_checkpoint() -> Checkpoint:
    """Sign a checkpoint of the current tree, unless the newest one already covers it.

    Either way the newest checkpoint is appended to the checkpoint file once the transaction
    commits (a no-op when the file has it already; this also repairs a file that missed one
    because the process died between commit and append).
    """
    head = _lock_head()
    latest = Checkpoint.objects.order_by("-tree_size").first()
    if latest is None or latest.tree_size != head.size:
        if latest is not None:
            keys.check_continues(latest.note)
        root = merkle.root(DbNodeStore(), head.size)
        latest = Checkpoint.objects.create(tree_size=head.size, root_hash=root, note=checkpoint_sign(head.size, root))
    cp = latest
    # robust: a request that signed (a dossier export) must not fail after its commit; the checkpoint
    # job appends again and reports a failure (jobs.tasks.checkpoint_job).
    transaction.on_commit(lambda: checkpoint_file.append(cp.tree_size, bytes(cp.root_hash), cp.note), robust=True)
    return cp


def latest_checkpoint() -> Checkpoint | None:
    """The newest stored checkpoint (reads only: the public API never signs)."""
    return Checkpoint.objects.order_by("-tree_size").first()


@transaction.atomic
def integrity_check_record(*, kind: str, ok: bool, message: str, details: list[str] | None = None,
                           duration: float = 0.0) -> IntegrityCheck:
    """Store the result of a scheduled check (shown to supervisors) and log it in the ledger."""
    row = IntegrityCheck.objects.create(kind=kind, ok=ok, message=message[:500], details="\n".join(details or [])[:20000],
                                        duration=round(duration, 3))
    ledger_append(kind="integrity.check", subjects=[row],
                  summary=f"{row.get_kind_display()}：{'通过' if ok else '未通过'}（{message[:100]}）")
    return row
