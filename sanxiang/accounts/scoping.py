"""The one rule of who sees what (访问控制). Every scoped model's queryset has `visible_to(user)`,
built from the two functions here; views, the API, exports, selectors and commands read through it.

NetBox's `RestrictedQuerySet.restrict(user, action)` is the model: the permission lives in the
queryset, so a caller cannot forget it and a new read gets it for free.

The rule:
1. Denied by default. Anonymous users, inactive users, staff without an agency (other than
   supervisors and administrators) and users whose role is not one named here see nothing.
2. Agency scope. Supervisors and administrators see every agency; everybody else their own
   agency and the agencies below it.
3. Restricted material (evidence flagged 国家秘密、商业秘密、个人隐私) is seen, within that scope,
   only by the case's officers, the unit head, agency head and legal reviewers of the case's own
   agency, and supervisors. Everybody else sees the material's hash only, never its file or name.

An object that exists but lies outside the user's scope answers exactly like one that does not
exist (404), so probing learns nothing; `OutOfScope` carries the object's reference so that the
denial is recorded in the audit trail (see accounts.denials).
"""

from __future__ import annotations

from django.apps import apps
from django.db import models
from django.db.models import Q

from sanxiang.common.exceptions import NotFound

# Roles that see restricted material of their own agency's cases (not of agencies below it).
RESTRICTED_AGENCY_ROLES = ("unit_head", "agency_head", "legal_reviewer")
# Roles that see their agency tree. A role not named here or below sees nothing until it is.
AGENCY_ROLES = ("officer", *RESTRICTED_AGENCY_ROLES)
# 三权分立: administrators (system, security, audit) read no case content, superuser or not;
# only supervisors (司法局) see every agency.
ALL_AGENCY_ROLES = ("supervisor",)


def _is_active_user(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and getattr(user, "is_active", False))


def agency_scope(user) -> list[int] | None:
    """Ids of the agencies whose records `user` may see; None means every agency, [] none."""
    if not _is_active_user(user):
        return []
    if user.role in ALL_AGENCY_ROLES:
        return None
    if user.agency_id is None or user.role not in AGENCY_ROLES:
        return []
    return user.agency.descendant_ids()


def agency_q(user, path: str) -> Q | None:
    """Q restricting `path` (an agency id lookup) to the user's scope; None when nothing is visible."""
    scope = agency_scope(user)
    if scope is None:
        return Q()
    if not scope:
        return None
    return Q(**{f"{path}__in": scope})


def restricted_q(user, case_path: str) -> Q | None:
    """Q of the cases (reached by `case_path`, e.g. "case"; "" for Case itself) whose restricted
    material `user` may see: Q() for all, None for none. Combine with agency_q, which checks scope."""
    if not _is_active_user(user):
        return None
    if user.role == "supervisor":
        return Q()
    # By name: the cases app's models are built on this module's querysets.
    CaseOfficer = apps.get_model("cases", "CaseOfficer")

    grounds = []
    if user.role in RESTRICTED_AGENCY_ROLES and user.agency_id is not None:
        grounds.append(Q(**{f"{case_path}__agency_id" if case_path else "agency_id": user.agency_id}))
    officer = getattr(user, "officer", None)
    if officer is not None:
        # A subquery, not a join through the officers: a join would repeat each row once per officer.
        own_cases = CaseOfficer.objects.filter(officer_id=officer.pk).values("case_id")
        grounds.append(Q(**{f"{case_path}_id__in" if case_path else "pk__in": own_cases}))
    if not grounds:
        return None
    allowed = grounds[0]
    for ground in grounds[1:]:
        allowed |= ground
    return allowed


class ScopedQuerySet(models.QuerySet):
    """Base of every scoped queryset: subclasses say which rows a user may see in `scope_q`."""

    def scope_q(self, user) -> Q | None:  # pragma: no cover - every subclass defines it
        raise NotImplementedError

    def visible_to(self, user):
        """Only the rows `user` may see (none for anonymous users or users without a scope)."""
        q = self.scope_q(user)
        return self.none() if q is None else self.filter(q)

    def get_visible(self, user, *, message: str = "对象不存在或无权查看", **lookup):
        """The one row matching `lookup` that `user` may see; NotFound otherwise.

        When the row exists but is out of scope, the NotFound is an OutOfScope naming the row, so
        the denial is audited; the answer to the user is the same 404 either way.
        """
        row = self.visible_to(user).filter(**lookup).first()
        if row is not None:
            return row
        # Only signed-in users' denials are audited, so only they pay for the second look.
        hidden = self.filter(**lookup).values_list("pk", flat=True).first() if _is_active_user(user) else None
        if hidden is not None:
            raise OutOfScope(message, ref=f"{self.model._meta.label_lower}:{hidden}")
        raise NotFound(message)


class OutOfScope(NotFound):
    """The object exists but the user may not see it. Rendered as a plain 404 (no existence
    oracle); the audit middleware records it as a permission denial."""

    def __init__(self, message: str, *, ref: str = "", **kwargs) -> None:
        super().__init__(message, **kwargs)
        self.object_ref = ref  # e.g. "cases.case:12", as in the ledger


class AgencyScopedQuerySet(ScopedQuerySet):
    """Rows that belong to an agency (`agency_path` names the agency id lookup)."""

    agency_path = "agency_id"

    def scope_q(self, user) -> Q | None:
        return agency_q(user, self.agency_path)


class CaseScopedQuerySet(AgencyScopedQuerySet):
    """Rows of a case (events, assignments, reviews, decisions, documents): seen with the case."""

    agency_path = "case__agency_id"
