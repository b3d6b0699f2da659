"""The log's side of witnessing: submit each new checkpoint to the configured witnesses and keep
their cosignatures (C2SP tlog-witness / tlog-cosignature; the witness itself is ledger/witness.py).

`SANXIANG_WITNESSES` lists "<URL> <witness vkey>" pairs. For each witness the log sends
`old <size>` — the size that witness last cosigned (0 the first time) — with the consistency proof
from that size, and the signed checkpoint. A 409 names the witness's own size; the log retries
once from there (a witness that lost its state, or that was given a checkpoint by another copy of
the log). A witness that refuses (403, 404, 409 twice, 422) is reported to the supervisors as a
failed checkpoint check: a refusal means the witness saw a tree this log's history does not
contain, i.e. a fork or a rollback.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction

from sanxiang.ledger import merkle, note, witness
from sanxiang.ledger.models import Checkpoint, Cosignature
from sanxiang.ledger.store import DbNodeStore

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ConfiguredWitness:
    url: str
    key: witness.WitnessKey


@dataclass(frozen=True)
class Outcome:
    witness: str
    ok: bool
    status: int | None
    message: str


def parse_witness_setting(spec: str) -> ConfiguredWitness:
    url, _, vkey = spec.strip().partition(" ")
    if not url.startswith(("http://", "https://")) or not vkey.strip():
        raise note.NoteError(f"见证者配置须为 \"<URL> <vkey>\"：{spec!r}")
    return ConfiguredWitness(url, witness.parse_cosignature_vkey(vkey.strip()))


def configured_witnesses() -> list[ConfiguredWitness]:
    return [parse_witness_setting(spec) for spec in settings.LEDGER_WITNESSES]


def witness_keys() -> list[witness.WitnessKey]:
    """The pinned witness keys (the portal prints and pins these); malformed entries are skipped
    here and reported by the system check."""
    keys = []
    for spec in settings.LEDGER_WITNESSES:
        try:
            keys.append(parse_witness_setting(spec).key)
        except note.NoteError:
            continue
    return keys


def _last_cosigned_size(name: str) -> int:
    row = Cosignature.objects.filter(witness=name).order_by("-checkpoint__tree_size").select_related(
        "checkpoint").first()
    return row.checkpoint.tree_size if row else 0


def _proof(old: int, new: int) -> list[bytes]:
    return merkle.consistency_proof(DbNodeStore(), old, new) if 0 < old < new else []


def _cosignature_line(text: str, key: witness.WitnessKey) -> str | None:
    prefix = f"\u2014 {key.name} "
    return next((line for line in text.splitlines() if line.startswith(prefix)), None)


def submit_to(w: ConfiguredWitness, cp: Checkpoint) -> Outcome:
    """Ask one witness to cosign `cp`; stores the cosignature when it verifies."""
    name = w.key.name
    if cp.cosignatures.filter(witness=name).exists():
        return Outcome(name, True, None, "已联署")
    old = _last_cosigned_size(name)
    status, text = None, ""
    for _ in range(2):
        if old > cp.tree_size:
            return Outcome(name, False, status, f"见证者记录的树大小 {old} 大于本检查点 {cp.tree_size}（日志被回滚？）")
        try:
            status, text = witness.submit(w.url, old, _proof(old, cp.tree_size), cp.note,
                                          timeout=settings.LEDGER_WITNESS_TIMEOUT)
        except OSError as exc:
            return Outcome(name, False, None, f"无法连接见证者：{exc}")
        if status != 409:
            break
        try:
            old = int(text.strip())
        except ValueError:
            break
    if status != 200:
        return Outcome(name, False, status, f"见证者拒绝联署（HTTP {status}）：{text.strip()[:300]}")
    line = _cosignature_line(text, w.key)
    try:
        if line is None:
            raise note.NoteError("answer carries no cosignature by this witness's key")
        timestamp = witness.verify_cosignature(witness.note_text(cp.note), line, w.key)
    except note.NoteError as exc:
        return Outcome(name, False, status, f"见证者的联署无效：{exc}")
    try:
        with transaction.atomic():
            Cosignature.objects.create(checkpoint=cp, witness=name, key_id=w.key.key_id.hex(), timestamp=timestamp,
                                       line=line)
    except IntegrityError:  # another worker stored it first
        pass
    return Outcome(name, True, status, f"已联署（树大小 {cp.tree_size}）")


def witness_collect(cp: Checkpoint) -> list[Outcome]:
    """Submit `cp` to every configured witness; refusals reach the supervisors' integrity page."""
    outcomes = []
    for w in configured_witnesses():
        outcome = submit_to(w, cp)
        outcomes.append(outcome)
        if outcome.ok:
            continue
        logger.error("witness %s: %s", outcome.witness, outcome.message)
        if outcome.status is not None:  # the witness answered and refused: a fork or a rollback
            from sanxiang.ledger.models import CheckKind
            from sanxiang.ledger.services import integrity_check_record

            integrity_check_record(kind=CheckKind.CHECKPOINT, ok=False,
                                   message=f"见证者 {outcome.witness} 拒绝联署检查点（树大小 {cp.tree_size}）："
                                           f"{outcome.message}")
    return outcomes


def cosigned_note(cp: Checkpoint) -> str:
    """The checkpoint note with its witnesses' cosignature lines appended (the C2SP form)."""
    return cp.note + "".join(c.line + "\n" for c in cp.cosignatures.all())
