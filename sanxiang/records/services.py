"""Evidence services: content-addressed storage, written once, never deleted, every attachment logged.

Two ways in, one way to the database:
- `evidence_attach` takes a whole uploaded file (a multipart form, a file made by a service);
- `records.chunked` receives a resumable upload piece by piece and then calls `evidence_record`.
Both put the bytes into storage first (`blob_put`, idempotent, outside the database transaction
because an object-store upload of a gigabyte video must not hold the ledger lock), then write
the StoredFile, the Evidence and one ledger entry in one transaction (`evidence_record`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone

from sanxiang.cases.engine import flow_spec
from sanxiang.cases.procedure import check_separation
from sanxiang.common.exceptions import DomainError, RoleNotAllowed, ValidationFailed
from sanxiang.ledger import guomi
from sanxiang.ledger.services import ledger_append
from sanxiang.records import filetypes
from sanxiang.records.models import Evidence, EvidenceKind, StoredFile

BLOCK = 1 << 20
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
# Clocks of body cameras drift; a capture time a little in the future is tolerated.
_CLOCK_SKEW = dt.timedelta(minutes=10)


class FileTooLarge(ValidationFailed):
    code = "file_too_large"
    status = 413


def human_size(n: int) -> str:
    for unit, factor in (("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10)):
        if n >= factor:
            value = n / factor
            return f"{value:.0f} {unit}" if value == int(value) else f"{value:.1f} {unit}"
    return f"{n} 字节"


def check_size(size: int, *, field: str = "size") -> None:
    """Refuse an empty file or one over EVIDENCE_MAX_BYTES, naming the limit."""
    limit = settings.EVIDENCE_MAX_BYTES
    if size <= 0:
        raise ValidationFailed("请选择要上传的文件（不能为空文件）", field=field, code="file_required")
    if size > limit:
        raise FileTooLarge(f"文件大小 {human_size(size)} 超过允许的上限 {human_size(limit)}（{limit} 字节），"
                           f"请分段导出后分别上传", field=field)


def storage_name_for(sha256: str) -> str:
    return f"evidence/{sha256[:2]}/{sha256[2:4]}/{sha256}"


class FileHasher:
    """SHA-256 and SM3 (国密, GB/T 32905) of the same bytes, fed block by block while they stream.

    `hexdigest()` is the SHA-256 (the content address); `sm3_hexdigest()` the SM3 recorded beside it.
    """

    def __init__(self) -> None:
        self._sha256 = hashlib.sha256()
        self._sm3 = guomi.sm3()

    def update(self, block: bytes) -> None:
        self._sha256.update(block)
        self._sm3.update(block)

    def hexdigest(self) -> str:
        return self._sha256.hexdigest()

    def sm3_hexdigest(self) -> str:
        return self._sm3.hexdigest()


def sha256_of_file(handle, *, length: int | None = None) -> FileHasher:
    """SHA-256 and SM3 of an open binary file from its start (or of its first `length` bytes), streamed."""
    digest = FileHasher()
    handle.seek(0)
    remaining = length
    while remaining is None or remaining > 0:
        block = handle.read(BLOCK if remaining is None else min(BLOCK, remaining))
        if not block:
            break
        digest.update(block)
        if remaining is not None:
            remaining -= len(block)
    return digest


def _hashes_of(uploaded) -> tuple[str, str]:
    """(SHA-256, SM3) of an uploaded file: from the hashing upload handler, else streamed now."""
    known, known_sm3 = getattr(uploaded, "sha256", None), getattr(uploaded, "sm3", None)
    if known and known_sm3:
        return known, known_sm3
    digest = FileHasher()
    for chunk in uploaded.chunks():
        digest.update(chunk)
    uploaded.seek(0)
    return digest.hexdigest(), digest.sm3_hexdigest()


def blob_put(content, sha256: str) -> str:
    """Put the bytes under their content address unless they are already there; never overwrite.

    Idempotent and safe to call outside the database transaction: if that transaction fails the
    blob stays, unreferenced, and the next upload of the same bytes reuses it. A local storage
    moves a file that has a temporary_file_path() into place (a rename on the same filesystem);
    S3 streams it as a multipart upload.
    """
    name = storage_name_for(sha256)
    if default_storage.exists(name):
        return name
    saved = default_storage.save(name, content)
    if saved != name:
        # Another upload of the same bytes won the race; ours went to a side name. The canonical
        # object has identical content, so drop the side copy.
        if default_storage.exists(name):
            try:
                default_storage.delete(saved)
            except Exception:  # noqa: BLE001 — a locked side copy is harmless, only wasted space
                pass
            return name
        raise DomainError("存储后端改写了文件名，拒绝保存", code="storage_name_changed")
    return name


def file_store(*, sha256: str, size: int, sm3: str = "") -> tuple[StoredFile, bool]:
    """The StoredFile row for a blob already put by `blob_put`; (row, whether it is new).

    Must run in the caller's transaction (which logs it). Two transactions storing the same new
    bytes at once: the second insert fails on the unique hash inside a savepoint and reads the
    first one's row instead.
    """
    existing = StoredFile.objects.filter(sha256=sha256).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            return StoredFile.objects.create(sha256=sha256, sm3=sm3, size=size,
                                             storage_name=storage_name_for(sha256)), True
    except IntegrityError:
        return StoredFile.objects.get(sha256=sha256), False


@dataclass
class EvidenceMeta:
    """What is recorded about a piece of evidence besides its bytes (validated by `evidence_meta`)."""

    kind: str
    step: str
    description: str = ""
    captured_at: dt.datetime | None = None
    device_no: str = ""
    location: str = ""
    officer: object | None = None
    secret: bool = False
    trade_secret: bool = False
    privacy: bool = False
    supersedes: Evidence | None = None

    def as_json(self) -> dict:
        """For an UploadSession: plain values that `evidence_meta` accepts again at the end."""
        return {"step": self.step, "description": self.description,
                "captured_at": self.captured_at.isoformat() if self.captured_at else None,
                "device_no": self.device_no, "location": self.location,
                "officer_id": getattr(self.officer, "pk", None), "secret": self.secret,
                "trade_secret": self.trade_secret, "privacy": self.privacy,
                "supersedes_id": self.supersedes.pk if self.supersedes else None}


def _steps_of(case) -> set[str]:
    steps = {case.state}
    for from_state, to_state in case.events.values_list("from_state", "to_state"):
        steps.update(s for s in (from_state, to_state) if s)
    return steps


def evidence_meta(*, case, actor, kind: str, step: str | None = None, description: str = "", captured_at=None,
                  device_no: str = "", location: str = "", officer=None, secret: bool = False,
                  trade_secret: bool = False, privacy: bool = False, supersedes: Evidence | None = None,
                  correction: bool = False) -> EvidenceMeta:
    """Check who may attach what to the case, and the metadata; raises a domain error.

    Officers of the case only. A case that is closed takes no new evidence, but a correction
    (which supersedes earlier evidence and gives its reason) is still allowed.
    """
    if kind not in EvidenceKind.values:
        raise ValidationFailed("证据类型不在可选范围内", field="kind", code="evidence_kind")
    # The flow's separation rules for the step come first, so the refusal names the rule
    # (法制审核人员不得上传证据) rather than a generic "not assigned".
    check_separation(case=case, actor=actor, step=step or case.state, doing="evidence", kind=kind)
    own = getattr(actor, "officer", None)
    if own is None or not case.officers.filter(pk=own.pk).exists():
        raise RoleNotAllowed("只有本案承办人员可以上传证据", code="not_assigned")
    if flow_spec(case.flow).is_final(case.state) and supersedes is None:
        raise DomainError("案件已办结，不能再上传证据；如需更正，请走更正程序", code="case_final")
    step = step or case.state
    if step not in _steps_of(case):
        raise ValidationFailed(f"环节“{step}”不是本案当前或已经过的环节", field="step", code="evidence_step")
    if len(description) > 500:
        raise ValidationFailed("说明不能超过 500 字", field="description")
    if len(device_no) > 60:
        raise ValidationFailed("设备编号不能超过 60 个字符", field="device_no")
    if len(location) > 200:
        raise ValidationFailed("采集地点不能超过 200 字", field="location")
    if captured_at is not None:
        if timezone.is_naive(captured_at):
            captured_at = timezone.make_aware(captured_at)
        # Stored and logged in UTC, as the database returns it (the logged state must re-hash alike).
        captured_at = captured_at.astimezone(dt.UTC)
        if captured_at > timezone.now() + _CLOCK_SKEW:
            raise ValidationFailed("采集时间不能晚于当前时间", field="captured_at", code="captured_in_future")
    if officer is None:
        officer = own
    elif officer.agency_id not in case.agency.descendant_ids():
        raise ValidationFailed(f"采集人员{officer.name}不属于本案办案机关", field="officer", code="officer_unknown")
    if supersedes is not None:
        if supersedes.case_id != case.pk:
            raise ValidationFailed("被更正的证据不属于本案", field="supersedes", code="supersedes_other_case")
        if supersedes.superseded_by.exists():
            raise ValidationFailed("该证据已被更正，请对最新的更正版本再行更正", field="supersedes",
                                   code="already_superseded")
        if not description.strip():
            raise ValidationFailed("更正证据须在说明中写明更正原因", field="description", code="reason_required")
    elif correction:
        raise ValidationFailed("请指明被更正的证据", field="supersedes")
    return EvidenceMeta(kind=kind, step=step, description=description, captured_at=captured_at,
                        device_no=device_no, location=location, officer=officer, secret=bool(secret),
                        trade_secret=bool(trade_secret), privacy=bool(privacy), supersedes=supersedes)


@transaction.atomic
def evidence_record(*, case, actor, meta: EvidenceMeta, sha256: str, size: int, original_name: str,
                    content_type: str = "", sm3: str = "") -> Evidence:
    """The database half of attaching: StoredFile (if new), Evidence and one ledger entry.

    The blob must already be in storage (`blob_put`). Corrections are logged as
    `evidence.correct` pointing at the entry that logged the evidence they supersede.
    """
    stored, new = file_store(sha256=sha256, size=size, sm3=sm3)
    evidence = Evidence.objects.create(
        case=case, step=meta.step, kind=meta.kind, file=stored, original_name=original_name[:200],
        content_type=content_type[:100], description=meta.description, captured_at=meta.captured_at,
        uploaded_by=actor, supersedes=meta.supersedes, device_no=meta.device_no, location=meta.location,
        officer=meta.officer, secret=meta.secret, trade_secret=meta.trade_secret, privacy=meta.privacy,
    )
    subjects = [evidence, stored] if new else [evidence]
    if meta.supersedes is not None:
        kind, summary = "evidence.correct", (f"更正证据 {case.number}：{evidence.get_kind_display()} "
                                             f"{evidence.original_name}（更正第 {meta.supersedes.pk} 号证据）")
    else:
        kind, summary = "evidence.attach", f"上传证据 {case.number}：{evidence.get_kind_display()} {evidence.original_name}"
    entry = ledger_append(kind=kind, actor=actor, agency=case.agency, subjects=subjects, files=[stored.sha256],
                          summary=summary, supersedes=meta.supersedes.ledger_index if meta.supersedes else None)
    # ledger_index is a back-reference outside the logged state (Recorded.ledger_state skips it).
    Evidence.objects.filter(pk=evidence.pk).update(ledger_index=entry.index)
    evidence.ledger_index = entry.index
    if new:
        StoredFile.objects.filter(pk=stored.pk).update(ledger_index=entry.index)
        stored.ledger_index = entry.index
    return evidence


def _head_of(uploaded) -> bytes:
    uploaded.seek(0)
    head = uploaded.read(filetypes.SNIFF_BYTES)
    uploaded.seek(0)
    return head


def evidence_attach(*, case, actor, uploaded, kind: str, description: str = "", captured_at=None,
                    supersedes: Evidence | None = None, step: str | None = None, device_no: str = "",
                    location: str = "", officer=None, secret: bool = False, trade_secret: bool = False,
                    privacy: bool = False) -> Evidence:
    """Attach a whole file to the case (at its current step unless `step` names an earlier one).

    Officers of the case only; the type is checked by extension and content, the size against
    EVIDENCE_MAX_BYTES. A refused file leaves nothing behind.
    """
    if uploaded is None or not uploaded.size:
        raise ValidationFailed("请选择要上传的文件（不能为空文件）", field="file", code="file_required")
    check_size(uploaded.size, field="file")
    meta = evidence_meta(case=case, actor=actor, kind=kind, step=step, description=description,
                         captured_at=captured_at, device_no=device_no, location=location, officer=officer,
                         secret=secret, trade_secret=trade_secret, privacy=privacy, supersedes=supersedes)
    name = (uploaded.name or "").rsplit("/", 1)[-1]
    detected = filetypes.check_content(kind, name, _head_of(uploaded))
    sha256, sm3 = _hashes_of(uploaded)
    size = uploaded.size
    content_type = detected or getattr(uploaded, "content_type", "") or ""
    blob_put(uploaded, sha256)
    return evidence_record(case=case, actor=actor, meta=meta, sha256=sha256, size=size, original_name=name,
                           content_type=content_type, sm3=sm3)


def evidence_correct(*, evidence: Evidence, actor, uploaded, reason: str, kind: str | None = None,
                     **metadata) -> Evidence:
    """Correct evidence: a new row that supersedes `evidence`; the old row and its file stay."""
    return evidence_attach(case=evidence.case, actor=actor, uploaded=uploaded, kind=kind or evidence.kind,
                           description=reason, supersedes=evidence, **metadata)


def valid_sha256(value: str) -> str:
    value = (value or "").strip().lower()
    if value and not _SHA256.match(value):
        raise ValidationFailed("SHA-256 应为 64 位十六进制字符", field="sha256", code="sha256_format")
    return value
