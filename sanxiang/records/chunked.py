"""Resumable (chunked) evidence uploads: multi-gigabyte body-camera video over unreliable links.

1. `upload_session_create` checks everything that can be checked before a byte is sent — who,
   which case, kind, file name, size against EVIDENCE_MAX_BYTES, free space — and makes an
   UploadSession with an empty temporary file.
2. `upload_chunk_append` appends one chunk read from the request stream in 1 MiB blocks: each
   block is hashed and written to the temporary file, so memory stays flat. A chunk must start
   at the session's `received` offset (else 409 with the expected offset). A connection that
   breaks mid-chunk keeps what arrived; the client asks for the offset and continues from there.
   The first bytes are checked against the kind (magic numbers) as soon as they are in.
3. When the last byte is in, `upload_finalize`: SHA-256 (the running hash of this process, or
   the temporary file re-hashed if the process restarted or another server took earlier chunks),
   the blob into storage (a rename for a local store), then StoredFile + Evidence + one ledger
   entry in one transaction, and the temporary file is gone.

A rejected, cancelled or abandoned upload leaves no Evidence, no StoredFile and no ledger entry;
`sanxiang cleanup_uploads` removes temporary files of sessions idle for
EVIDENCE_UPLOAD_EXPIRY_HOURS. Concurrent requests on one session are serialised with an
exclusive flock on its temporary file (works across processes of one host; a multi-host
deployment needs EVIDENCE_UPLOAD_DIR on a shared filesystem that supports locks, or sticky
sessions).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import hashlib
import os
import shutil
import threading
import uuid
from collections import OrderedDict
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings
from django.core.files.base import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from sanxiang.common.exceptions import DomainError, NotFound, ValidationFailed
from sanxiang.ledger import guomi
from sanxiang.records import filetypes
from sanxiang.records.models import Evidence, UploadSession, UploadStatus
from sanxiang.records.services import (
    BLOCK,
    blob_put,
    check_size,
    evidence_meta,
    evidence_record,
    human_size,
    sha256_of_file,
    storage_name_for,
    valid_sha256,
)
from sanxiang.registry.models import Officer

#: What clients are told to send per request; any size up to settings.REQUEST_MAX_BYTES_UPLOAD
#: (the chunk size plus slack, enforced by common.middleware) works.
SUGGESTED_CHUNK = settings.EVIDENCE_CHUNK_BYTES
# Temporary files younger than this are never treated as orphans (their session may be committing).
_ORPHAN_GRACE = dt.timedelta(hours=1)


class OffsetMismatch(DomainError):
    """A chunk does not start where the received bytes end."""

    code = "offset_mismatch"
    status = 409

    def __init__(self, message: str, *, expected_offset: int, code: str | None = None) -> None:
        super().__init__(message, code=code)
        self.expected_offset = expected_offset

    def as_dict(self) -> dict:
        return {**super().as_dict(), "expected_offset": self.expected_offset}


class UploadInterrupted(OffsetMismatch):
    """The connection broke mid-chunk; what arrived is kept."""

    code = "upload_interrupted"
    status = 400


class UploadGone(DomainError):
    code = "upload_gone"
    status = 410


class UploadBusy(DomainError):
    code = "upload_busy"
    status = 409


class ChecksumMismatch(DomainError):
    code = "checksum_mismatch"
    status = 422


class StorageFull(DomainError):
    code = "insufficient_storage"
    status = 507


# --------------------------------------------------------------------------------------------
# Temporary files, their locks and running hashes
# --------------------------------------------------------------------------------------------


def upload_dir() -> Path:
    """Where temporary files live: EVIDENCE_UPLOAD_DIR, else beside a local store, else var/uploads/."""
    configured = getattr(settings, "EVIDENCE_UPLOAD_DIR", "")
    if configured:
        path = Path(configured)
    else:
        location = getattr(default_storage, "location", None)
        path = Path(location).parent / "uploads" if location else Path(settings.VAR_DIR) / "uploads"
    path.mkdir(parents=True, exist_ok=True)
    return path


def part_path(session: UploadSession) -> Path:
    return upload_dir() / f"{session.pk}.part"


class _Hashers:
    """Running SHA-256 of sessions this process is receiving, with the offset each has reached.

    A hasher cannot be stored in the database, so one is used only when its offset equals the
    session's; otherwise (restart, another worker took a chunk) the temporary file is re-hashed.
    """

    def __init__(self, limit: int = 128) -> None:
        self._items: OrderedDict[uuid.UUID, tuple[int, object]] = OrderedDict()
        self._lock = threading.Lock()
        self._limit = limit

    def take(self, key: uuid.UUID, offset: int):
        with self._lock:
            item = self._items.pop(key, None)
        return item[1] if item is not None and item[0] == offset else None

    def put(self, key: uuid.UUID, offset: int, hasher) -> None:
        with self._lock:
            self._items[key] = (offset, hasher)
            while len(self._items) > self._limit:
                self._items.popitem(last=False)

    def drop(self, key: uuid.UUID) -> None:
        with self._lock:
            self._items.pop(key, None)


_hashers = _Hashers()


@contextlib.contextmanager
def _locked(session: UploadSession) -> Iterator[int]:
    """An exclusive lock on the session's temporary file (fd), or UploadBusy / UploadGone."""
    try:
        fd = os.open(part_path(session), os.O_RDWR)
    except FileNotFoundError:
        raise UploadGone("该上传的临时文件已不存在（可能已过期被清理），请重新上传", code="upload_gone") from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise UploadBusy("该上传正由另一个请求写入；请稍后查询已接收的字节数再续传") from None
        yield fd
    finally:
        os.close(fd)


def _remove(path: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        path.unlink()


def _retire(session: UploadSession, status: str, error: str = "") -> None:
    """End a session without evidence: its temporary file goes, the row stays for the client to read."""
    _remove(part_path(session))
    _hashers.drop(session.pk)
    UploadSession.objects.filter(pk=session.pk).update(status=status, error=error[:300], updated_at=timezone.now())
    session.status, session.error = status, error[:300]


def _gone(session: UploadSession) -> DomainError:
    if session.status == UploadStatus.REJECTED:
        return UploadGone(f"该上传已被拒绝：{session.error}", code="upload_rejected")
    if session.status == UploadStatus.COMPLETE:
        return UploadGone("该上传已完成，证据已保存", code="upload_complete")
    return UploadGone(f"该上传{session.get_status_display()}，请重新上传")


# --------------------------------------------------------------------------------------------
# Services
# --------------------------------------------------------------------------------------------


def upload_session_create(*, case, actor, filename: str, size: int, kind: str, content_type: str = "",
                          sha256: str = "", **meta) -> UploadSession:
    """Start a resumable upload; everything checkable before the first byte is checked here.

    `meta` are the evidence fields of `services.evidence_meta` (step, description, captured_at,
    device_no, location, officer, secret, trade_secret, privacy, supersedes).
    """
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    if not name:
        raise ValidationFailed("请提供文件名", field="filename", code="filename_required")
    if len(name) > 200:
        raise ValidationFailed("文件名不能超过 200 个字符", field="filename")
    check_size(size)
    evidence = evidence_meta(case=case, actor=actor, kind=kind, **meta)
    filetypes.check_name(kind, name)
    sha256 = valid_sha256(sha256)
    directory = upload_dir()
    free = shutil.disk_usage(directory).free
    if free < size:
        raise StorageFull(f"服务器暂存空间不足（剩余 {human_size(free)}，需要 {human_size(size)}），请联系系统管理员")
    session = UploadSession.objects.create(
        case=case, created_by=actor, filename=name, size=size, kind=kind, content_type=(content_type or "")[:100],
        sha256_expected=sha256, metadata=evidence.as_json(),
    )
    fd = os.open(part_path(session), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    os.close(fd)
    return session


def upload_offset(session: UploadSession) -> int:
    """Where the next chunk must start: the recorded offset, unless the temporary file is shorter
    (bytes recorded but lost in a crash before they reached the disk)."""
    if session.status != UploadStatus.RECEIVING:
        return session.received
    try:
        on_disk = part_path(session).stat().st_size
    except FileNotFoundError:
        return session.received
    return min(session.received, on_disk)


def _check_owner(session: UploadSession, actor) -> None:
    if session.created_by_id != getattr(actor, "pk", None):
        raise NotFound("上传不存在或无权查看")


def upload_chunk_append(*, session: UploadSession, actor, offset: int, stream, length: int) -> UploadSession:
    """Append `length` bytes read from `stream` at `offset`; finalizes when the file is complete.

    Returns the session (with `evidence` set when this chunk completed it). Raises
    OffsetMismatch (409) for a chunk not at the received offset and UploadInterrupted when the
    stream ends early — what arrived is kept and the expected offset is reported.
    """
    _check_owner(session, actor)
    if session.status != UploadStatus.RECEIVING:
        raise _gone(session)
    if length < 0 or offset < 0:
        raise ValidationFailed("分片起始位置与长度不能为负数", code="chunk_range")
    with _locked(session) as fd:
        # Re-read under the lock: another request may have moved the session on meanwhile.
        session.status, session.received, session.detected_type = UploadSession.objects.filter(
            pk=session.pk).values_list("status", "received", "detected_type").get()
        if session.status != UploadStatus.RECEIVING:
            session.refresh_from_db()
            raise _gone(session)
        on_disk = os.fstat(fd).st_size
        received = min(session.received, on_disk)
        if offset != received:
            raise OffsetMismatch(f"分片起始位置应为第 {received} 字节（收到 {offset}），请从该位置续传",
                                 expected_offset=received)
        if offset + length > session.size:
            raise ValidationFailed(f"分片超出文件末尾：文件共 {session.size} 字节，本分片结束于 {offset + length}",
                                   code="chunk_range")
        hasher = _hashers.take(session.pk, received)
        if hasher is None:
            with os.fdopen(os.dup(fd), "rb") as handle:
                hasher = sha256_of_file(handle, length=received)
        written, broken = _receive(session, fd, stream, received, length, hasher)
        now = timezone.now()
        UploadSession.objects.filter(pk=session.pk).update(received=received + written, updated_at=now,
                                                          detected_type=session.detected_type)
        session.received = received + written
        _hashers.put(session.pk, session.received, hasher)
        if broken or written < length:
            raise UploadInterrupted(f"连接中断：本分片只收到 {written} / {length} 字节，已保存至第 {session.received} "
                                    f"字节，请从该位置续传", expected_offset=session.received)
        if session.received == session.size:
            session.evidence = _finalize_locked(session, fd)
            session.status = UploadStatus.COMPLETE
    return session


def _receive(session: UploadSession, fd: int, stream, offset: int, length: int, hasher) -> tuple[int, bool]:
    """Copy up to `length` bytes from `stream` into the file at `offset`, hashing each block.

    Returns (bytes written, whether the connection broke). Checks the content type as soon as
    the file's first bytes are in; a refused file is removed and the session rejected.
    """
    written, broken = 0, False
    sniff_at = min(filetypes.SNIFF_BYTES, session.size)
    checked = offset >= sniff_at
    with os.fdopen(os.dup(fd), "r+b") as handle:
        handle.seek(offset)
        handle.truncate()  # bytes past the recorded offset are from a chunk whose update never committed
        while written < length:
            try:
                block = stream.read(min(BLOCK, length - written))
            except OSError:  # includes UnreadablePostError and connection resets
                broken = True
                break
            if not block:
                break
            hasher.update(block)
            handle.write(block)
            written += len(block)
            if not checked and offset + written >= sniff_at:
                handle.flush()
                _check_type(session, os.pread(fd, filetypes.SNIFF_BYTES, 0))
                checked = True
        handle.flush()
    if written and hasattr(os, "posix_fadvise"):
        # Start writing this chunk to disk now, in the background, while the next one travels
        # (Linux starts asynchronous writeback on DONTNEED). Otherwise gigabytes stay dirty in the
        # page cache and the fsync before the evidence is recorded waits for all of them.
        os.posix_fadvise(fd, offset, written, os.POSIX_FADV_DONTNEED)
    return written, broken


def _check_type(session: UploadSession, head: bytes) -> None:
    try:
        detected = filetypes.check_content(session.kind, session.filename, head)
    except filetypes.FileTypeRefused as exc:
        _retire(session, UploadStatus.REJECTED, exc.message)
        raise
    session.detected_type = detected or ""


class _PartFile(File):
    """The finished temporary file. A local storage moves it into place (temporary_file_path);
    S3 streams it as a multipart upload."""

    def __init__(self, path: Path, content_type: str) -> None:
        super().__init__(open(path, "rb"), name=path.name)  # closed by File.close
        self._path = path
        self.content_type = content_type

    def temporary_file_path(self) -> str:
        return str(self._path)


def _meta_from_session(session: UploadSession):
    data = session.metadata or {}
    officer = Officer.objects.filter(pk=data["officer_id"]).first() if data.get("officer_id") else None
    supersedes = Evidence.objects.filter(pk=data["supersedes_id"]).first() if data.get("supersedes_id") else None
    captured_at = parse_datetime(data["captured_at"]) if data.get("captured_at") else None
    return evidence_meta(case=session.case, actor=session.created_by, kind=session.kind, step=data.get("step"),
                         description=data.get("description", ""), captured_at=captured_at,
                         device_no=data.get("device_no", ""), location=data.get("location", ""), officer=officer,
                         secret=data.get("secret", False), trade_secret=data.get("trade_secret", False),
                         privacy=data.get("privacy", False), supersedes=supersedes)


def _finalize_locked(session: UploadSession, fd: int) -> Evidence:
    path = part_path(session)
    sm3 = ""
    if not session.sha256:
        hasher = _hashers.take(session.pk, session.size)
        if hasher is None:
            with os.fdopen(os.dup(fd), "rb") as handle:
                hasher = sha256_of_file(handle, length=session.size)
        sha256, sm3 = hasher.hexdigest(), hasher.sm3_hexdigest()
        if session.sha256_expected and sha256 != session.sha256_expected:
            message = (f"文件校验失败：服务器计算的 SHA-256（{sha256}）与上传时声明的（{session.sha256_expected}）"
                       f"不符，文件在传输中可能已损坏，请重新上传")
            _retire(session, UploadStatus.REJECTED, message)
            raise ChecksumMismatch(message)
        os.fsync(fd)
        UploadSession.objects.filter(pk=session.pk).update(sha256=sha256)
        session.sha256 = sha256
    try:
        meta = _meta_from_session(session)
    except DomainError as exc:
        # The case was closed or the uploader taken off it while the bytes were coming in.
        _retire(session, UploadStatus.REJECTED, exc.message)
        raise
    content_type = session.detected_type or session.content_type
    if not sm3:
        # A retried finalization: the running hashes are gone, SM3 is read back once.
        sm3 = _sm3_of(path if path.exists() else None, session.sha256)
    if path.exists():
        with _PartFile(path, content_type) as content:
            blob_put(content, session.sha256)
    elif not default_storage.exists(storage_name_for(session.sha256)):
        _retire(session, UploadStatus.EXPIRED, "临时文件丢失")
        raise UploadGone("该上传的临时文件已不存在，请重新上传")
    # From here a failure leaves the blob in storage (harmless, content-addressed) and the session
    # receiving with its hash recorded, so POST …/complete/ can finish it.
    with transaction.atomic():
        locked = UploadSession.objects.select_for_update().get(pk=session.pk)
        if locked.status == UploadStatus.COMPLETE:
            return locked.evidence
        if locked.status != UploadStatus.RECEIVING:
            raise _gone(locked)
        evidence = evidence_record(case=session.case, actor=session.created_by, meta=meta, sha256=session.sha256,
                                   size=session.size, original_name=session.filename, content_type=content_type,
                                   sm3=sm3)
        UploadSession.objects.filter(pk=session.pk).update(status=UploadStatus.COMPLETE, evidence=evidence,
                                                          updated_at=timezone.now())
    _remove(path)
    _hashers.drop(session.pk)
    return evidence


def _sm3_of(path: Path | None, sha256: str) -> str:
    """SM3 of the temporary file, or of the stored blob when the file was already moved into place."""
    hasher = guomi.sm3()
    opener = (lambda: open(path, "rb")) if path is not None else (
        lambda: default_storage.open(storage_name_for(sha256), "rb"))
    try:
        with opener() as handle:
            while block := handle.read(BLOCK):
                hasher.update(block)
    except FileNotFoundError:
        return ""
    return hasher.hexdigest()


def upload_finalize(*, session: UploadSession, actor) -> Evidence:
    """Finish a session whose bytes are all in (retry after a failed finalization)."""
    _check_owner(session, actor)
    if session.status == UploadStatus.COMPLETE:
        return session.evidence
    if session.status != UploadStatus.RECEIVING:
        raise _gone(session)
    with _locked(session) as fd:
        session.refresh_from_db()
        if session.status == UploadStatus.COMPLETE:
            return session.evidence
        if session.status != UploadStatus.RECEIVING:
            raise _gone(session)
        received = upload_offset(session)
        if received != session.size:
            raise OffsetMismatch(f"上传尚未完成：已接收 {received} / {session.size} 字节", expected_offset=received,
                                 code="upload_incomplete")
        return _finalize_locked(session, fd)


def upload_cancel(*, session: UploadSession, actor) -> None:
    """Abandon an upload: its temporary file is removed; nothing was recorded."""
    _check_owner(session, actor)
    if session.status != UploadStatus.RECEIVING:
        raise _gone(session)
    with _locked(session):
        session.refresh_from_db()
        if session.status != UploadStatus.RECEIVING:
            raise _gone(session)
        _retire(session, UploadStatus.CANCELLED, "上传人已取消")


def uploads_cleanup(*, idle: dt.timedelta | None = None, keep: dt.timedelta = dt.timedelta(days=30),
                    now: dt.datetime | None = None) -> dict[str, int]:
    """Expire sessions idle longer than `idle`, delete temporary files nobody owns, and delete
    session rows finished more than `keep` ago. Sessions being written right now are skipped."""
    now = now or timezone.now()
    idle = idle if idle is not None else dt.timedelta(hours=settings.EVIDENCE_UPLOAD_EXPIRY_HOURS)
    expired = 0
    for session in UploadSession.objects.filter(status=UploadStatus.RECEIVING, updated_at__lt=now - idle):
        try:
            with _locked(session):
                _retire(session, UploadStatus.EXPIRED, "长时间未续传，已清理")
        except UploadBusy:
            continue
        except UploadGone:
            _retire(session, UploadStatus.EXPIRED, "临时文件丢失")
        expired += 1
    orphans = 0
    receiving = {str(pk) for pk in UploadSession.objects.filter(status=UploadStatus.RECEIVING)
                 .values_list("pk", flat=True)}
    cutoff = (now - _ORPHAN_GRACE).timestamp()
    for path in upload_dir().glob("*.part"):
        try:
            key = str(uuid.UUID(path.stem))
        except ValueError:
            continue
        if key in receiving or path.stat().st_mtime > cutoff:
            continue
        _remove(path)
        orphans += 1
    purged, _ = UploadSession.objects.filter(updated_at__lt=now - keep).exclude(
        status=UploadStatus.RECEIVING).delete()
    return {"expired": expired, "orphans": orphans, "purged": purged}


def sha256_of_part(session: UploadSession) -> str:
    """SHA-256 of what a session has received so far (for diagnostics and tests)."""
    digest = hashlib.sha256()
    with open(part_path(session), "rb") as handle:
        for block in iter(lambda: handle.read(BLOCK), b""):
            digest.update(block)
    return digest.hexdigest()
