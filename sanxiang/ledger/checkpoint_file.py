"""The checkpoint file: every signed checkpoint, appended outside the database.

`LEDGER_CHECKPOINT_DIR/checkpoints.jsonl` holds one JSON object per line — tree size, root hash
(hex), the signed note, the time — in growing tree size. It is written only by appending (O_APPEND,
an exclusive flock so processes take turns, fsync), after the checkpoint's transaction commits.

Someone who can rewrite the database can delete the newest entries together with their rows and
checkpoints; the file, kept apart (another disk, another owner, shipped off the host by the
backup), still names the size and root the log had, so `verify_ledger` reports the truncation.
It is the local witness; external witnesses (SANXIANG_WITNESSES, ledger/witnessing.py) receive the
same checkpoints and add cosignatures, with the same check on their side.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils import timezone

FILE_NAME = "checkpoints.jsonl"
_TAIL = 64 * 1024  # a checkpoint line is well under 1 KiB; the last one is within this tail


class CheckpointFileError(ValueError):
    """A line of the checkpoint file is not a checkpoint this platform wrote."""


@dataclass(frozen=True)
class Witnessed:
    """One checkpoint as the file holds it."""

    line: int
    tree_size: int
    root_hash: bytes
    note: str
    time: str


def path() -> Path:
    return Path(settings.LEDGER_CHECKPOINT_DIR) / FILE_NAME


def _line(tree_size: int, root_hash: bytes, signed: str) -> bytes:
    record = {"tree_size": tree_size, "root_hash": bytes(root_hash).hex(), "note": signed,
              "time": timezone.now().isoformat()}
    return (json.dumps(record, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n").encode()


def _parse(number: int, raw: bytes) -> Witnessed:
    try:
        record = json.loads(raw)
        size, root, signed = record["tree_size"], bytes.fromhex(record["root_hash"]), record["note"]
        if not isinstance(size, int) or isinstance(size, bool) or size < 0 or len(root) != 32 \
                or not isinstance(signed, str):
            raise ValueError("bad field")
    except (ValueError, KeyError, TypeError) as exc:
        raise CheckpointFileError(f"检查点文件第 {number} 行不是有效的检查点记录") from exc
    return Witnessed(number, size, root, signed, str(record.get("time", "")))


def read(file: Path | None = None) -> tuple[list[Witnessed], list[str]]:
    """(checkpoints in file order, warnings). A missing file reads as empty.

    An unterminated last line is a write cut short by a crash: it is skipped with a warning (the
    checkpoint is still in the database and is appended again by the next job). Any other bad
    line raises CheckpointFileError naming it.
    """
    file = file or path()
    try:
        data = file.read_bytes()
    except FileNotFoundError:
        return [], []
    warnings = []
    lines = data.split(b"\n")
    tail = lines.pop()  # b"" when the file ends with a newline
    if tail:
        warnings.append(f"检查点文件最后一行不完整（写入中断），已忽略：{file}")
    return [_parse(number, raw) for number, raw in enumerate(lines, 1)], warnings


def _last_size(fd: int) -> int | None:
    """Tree size of the last complete line (None for an empty file); drops a torn last line."""
    end = os.lseek(fd, 0, os.SEEK_END)
    if end == 0:
        return None
    start = max(0, end - _TAIL)
    tail = os.pread(fd, end - start, start)
    if not tail.endswith(b"\n"):
        # A crash cut the last write short. The bytes after the last newline are no checkpoint;
        # cut them off so the next line starts clean (the only non-append write ever made).
        cut = tail.rfind(b"\n")
        os.ftruncate(fd, start + cut + 1 if cut >= 0 else start)
        tail = tail[:cut + 1] if cut >= 0 else b""
        if not tail:
            return None if start == 0 else _last_size(fd)
    last = tail[:-1].rsplit(b"\n", 1)[-1]
    return _parse(0, last).tree_size


def append(tree_size: int, root_hash: bytes, signed: str) -> bool:
    """Append one checkpoint unless the file already holds one as large; True if written.

    Called after the checkpoint's transaction committed, so the file never names a tree the
    database did not keep. Appends from several processes are serialised by the flock, and a
    checkpoint older than the file's last one is skipped, so sizes in the file only grow.
    """
    directory = Path(settings.LEDGER_CHECKPOINT_DIR)
    created = not directory.exists()
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    file = directory / FILE_NAME
    new_file = not file.exists()
    fd = os.open(file, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        last = _last_size(fd)
        if last is not None and last >= tree_size:
            return False
        os.write(fd, _line(tree_size, root_hash, signed))
        os.fsync(fd)
    finally:
        os.close(fd)
    if new_file or created:
        _fsync_dir(directory)
    return True


def _fsync_dir(directory: Path) -> None:
    """Make the new file's directory entry durable too."""
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
