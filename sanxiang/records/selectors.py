"""Reads of evidence and uploads, scoped by the user (denied by default; what is hidden is a 404).

Who sees which evidence is decided in one place, `Evidence.objects.visible_to(user)` (the rule is
in accounts.scoping): evidence flagged secret, trade secret or privacy (涉及国家秘密、商业秘密、
个人隐私) is seen only by the case's officers, the unit head, agency head and legal reviewers of
the case's agency, and supervisors; everybody else who may see the case sees its other evidence,
and the flagged items by hash only (`evidence_withheld`).
"""

from __future__ import annotations

from django.db.models import QuerySet

from sanxiang.accounts.scoping import restricted_q
from sanxiang.cases.models import Case
from sanxiang.records.models import RESTRICTED, Evidence, UploadSession

__all__ = ["RESTRICTED", "evidence_get", "evidence_visible_to", "evidence_withheld", "may_see_restricted",
           "upload_session_get"]


def may_see_restricted(user, case) -> bool:
    """Whether `user` may open the flagged evidence of `case` (the case itself must be visible)."""
    allowed = restricted_q(user, "")
    if allowed is None:
        return False
    return Case.objects.visible_to(user).filter(allowed, pk=case.pk).exists()


def evidence_visible_to(user, case) -> QuerySet[Evidence]:
    """The evidence of `case` that `user` may open (none when the case itself is out of sight)."""
    return Evidence.objects.visible_to(user).filter(case=case).select_related(
        "file", "uploaded_by", "officer", "supersedes")


def evidence_withheld(user, case) -> QuerySet[Evidence]:
    """Flagged evidence of `case` the user may not open: to be shown by hash only."""
    return Evidence.objects.withheld_from(user).filter(case=case).select_related("file")


def evidence_get(user, pk: int) -> Evidence:
    return Evidence.objects.select_related("case", "file").get_visible(user, pk=pk, message="证据不存在或无权查看")


def upload_session_get(user, pk) -> UploadSession:
    """An upload session of the user's own (others' sessions do not exist for them)."""
    return UploadSession.objects.get_visible(user, pk=pk, message="上传不存在或无权查看")
