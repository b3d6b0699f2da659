"""Evidence services: content-addressed storage, written once, logged."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction

from sanxiang.cases.engine import flow_spec
from sanxiang.common.exceptions import DomainError, RoleNotAllowed, ValidationFailed
from sanxiang.ledger.services import ledger_append
from sanxiang.records.models import Evidence, EvidenceKind, StoredFile


def storage_name_for(sha256: str) -> str:
    return f"evidence/{sha256[:2]}/{sha256[2:4]}/{sha256}"


def _sha256_of(uploaded) -> str:
    known = getattr(uploaded, "sha256", None)
    if known:
        return known
    digest = hashlib.sha256()
    for chunk in uploaded.chunks():
        digest.update(chunk)
    uploaded.seek(0)
    return digest.hexdigest()


def file_store(uploaded) -> tuple[StoredFile, bool]:
    """Store the file under its SHA-256 unless it is already there; never overwrite.

    Returns the row and whether it is new. Must run in the caller's transaction (which logs it).
    """
    sha256 = _sha256_of(uploaded)
    existing = StoredFile.objects.filter(sha256=sha256).first()
    if existing is not None:
        return existing, False
    name = storage_name_for(sha256)
    if not default_storage.exists(name):
        saved = default_storage.save(name, uploaded)
        if saved != name:
            raise DomainError("存储后端改写了文件名，拒绝保存", code="storage_name_changed")
    return StoredFile.objects.create(sha256=sha256, size=uploaded.size, storage_name=name), True


@transaction.atomic
def evidence_attach(*, case, actor, uploaded, kind: str, description: str = "", captured_at=None,
                    supersedes: Evidence | None = None) -> Evidence:
    """Attach a file to the case's current step. Officers of the case only; final cases are closed."""
    if kind not in EvidenceKind.values:
        raise ValidationFailed("证据类型不在可选范围内", field="kind", code="evidence_kind")
    if uploaded is None or uploaded.size == 0:
        raise ValidationFailed("请选择要上传的文件（不能为空文件）", field="file", code="file_required")
    if uploaded.size > settings.EVIDENCE_MAX_BYTES:
        raise ValidationFailed(f"文件超过允许的大小上限（{settings.EVIDENCE_MAX_BYTES} 字节）", field="file",
                               code="file_too_large")
    officer = getattr(actor, "officer", None)
    if officer is None or not case.officers.filter(pk=officer.pk).exists():
        raise RoleNotAllowed("只有本案承办人员可以上传证据", code="not_assigned")
    if flow_spec(case.flow).is_final(case.state):
        raise DomainError("案件已办结，不能再上传证据；如需更正，请走更正程序", code="case_final")
    stored, new = file_store(uploaded)
    evidence = Evidence.objects.create(
        case=case, step=case.state, kind=kind, file=stored, original_name=uploaded.name[:200],
        content_type=getattr(uploaded, "content_type", "") or "", description=description,
        captured_at=captured_at, uploaded_by=actor, supersedes=supersedes,
    )
    subjects = [evidence, stored] if new else [evidence]
    ledger_append(kind="evidence.attach", actor=actor, agency=case.agency, subjects=subjects, files=[stored.sha256],
                  summary=f"上传证据 {case.number}：{evidence.get_kind_display()} {evidence.original_name}")
    return evidence
