"""Reads of evidence and uploads, scoped by the user (denied by default; what is hidden is a 404).

Evidence flagged secret, trade secret or privacy (涉及国家秘密、商业秘密、个人隐私) is seen only by
the case's officers, the unit head, agency head and legal reviewers of the case's agency, and
supervisors. Everybody else who may see the case sees its other evidence only.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from sanxiang.accounts.models import Role
from sanxiang.cases.selectors import case_queryset
from sanxiang.common.exceptions import NotFound
from sanxiang.records.models import Evidence, UploadSession

RESTRICTED = Q(secret=True) | Q(trade_secret=True) | Q(privacy=True)
_AGENCY_ROLES = (Role.UNIT_HEAD, Role.AGENCY_HEAD, Role.LEGAL_REVIEWER)


def may_see_restricted(user, case) -> bool:
    """Whether `user` may see the flagged evidence of `case` (the case itself must be visible)."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.role == Role.SUPERVISOR:
        return True
    if user.role in _AGENCY_ROLES and user.agency_id == case.agency_id:
        return True
    officer = getattr(user, "officer", None)
    return officer is not None and case.officers.filter(pk=officer.pk).exists()


def evidence_visible_to(user, case) -> QuerySet[Evidence]:
    """The evidence of `case` that `user` may see (none when the case itself is out of sight)."""
    if not case_queryset(user).filter(pk=case.pk).exists():
        return Evidence.objects.none()
    qs = Evidence.objects.filter(case=case).select_related("file", "uploaded_by", "officer", "supersedes")
    return qs if may_see_restricted(user, case) else qs.exclude(RESTRICTED)


def evidence_get(user, pk: int) -> Evidence:
    evidence = Evidence.objects.select_related("case", "file").filter(pk=pk).first()
    if evidence is None or not evidence_visible_to(user, evidence.case).filter(pk=pk).exists():
        raise NotFound("证据不存在或无权查看")
    return evidence


def upload_session_get(user, pk) -> UploadSession:
    """An upload session of the user's own (others' sessions do not exist for them)."""
    # No joins: this runs once per chunk, and a chunk only needs the session's own columns.
    session = UploadSession.objects.filter(pk=pk, created_by_id=getattr(user, "pk", None)).first()
    if session is None:
        raise NotFound("上传不存在或无权查看")
    return session
