"""Reads of the access log. Supervisors see every agency; agency heads and legal reviewers their
agency tree; each case's staff see who looked at that case."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet
from django.utils import timezone

from sanxiang.accounts.models import Role
from sanxiang.common.tracking import ProgressStep
from sanxiang.supervision.models import AccessLog

# Not the administrators: the access log names cases and parties (三权分立).
OVERSIGHT_ROLES = {Role.SUPERVISOR, Role.AGENCY_HEAD, Role.LEGAL_REVIEWER}


def can_oversee(user) -> bool:
    return getattr(user, "is_authenticated", False) and user.role in OVERSIGHT_ROLES


def access_log_list(user, *, agency_code: str = "", username: str = "", case_number: str = "",
                    action: str = "", flagged: bool | None = None, since: dt.date | None = None,
                    until: dt.date | None = None) -> QuerySet[AccessLog]:
    if not can_oversee(user):
        return AccessLog.objects.none()
    qs = AccessLog.objects.visible_to(user).select_related("actor", "agency", "case")
    if agency_code:
        qs = qs.filter(agency__code=agency_code)
    if username:
        qs = qs.filter(actor__username=username)
    if case_number:
        qs = qs.filter(case__number__icontains=case_number)
    if action:
        qs = qs.filter(action=action)
    if flagged is not None:
        qs = qs.filter(flagged=flagged)
    if since:
        qs = qs.filter(at__date__gte=since)
    if until:
        qs = qs.filter(at__date__lte=until)
    return qs


def case_access_log(user, case) -> QuerySet[AccessLog]:
    """Who looked at this case (shown on the case page to those who may see the case); looks at
    restricted evidence the user may not open are left out (AccessLog.objects.visible_to)."""
    return AccessLog.objects.visible_to(user).filter(case=case).select_related("actor").order_by("-at", "-pk")


def matter_public_steps(matter) -> list[ProgressStep]:
    """What the complainant sees: step names and the agency, never staff names or internal notes."""
    out = []
    for step in matter.steps.select_related("agency"):
        if step.action in ("open", "assign", "transfer", "answer", "escalate", "close"):
            where = f"（{step.agency.name}）" if step.action in ("assign", "transfer", "answer") and step.agency else ""
            out.append(ProgressStep(timezone.localtime(step.at).strftime("%Y-%m-%d %H:%M"),
                                    f"监督案件{step.action_name}{where}"))
    return out
