"""Reads of the ledger app for staff pages."""

from __future__ import annotations

from django.db.models import QuerySet

from sanxiang.accounts.models import Role
from sanxiang.ledger.models import CheckKind, Checkpoint, IntegrityCheck

INTEGRITY_ROLES = {Role.SUPERVISOR, Role.ADMIN}


def can_see_integrity(user) -> bool:
    """System-wide checks concern every agency: supervisors (司法局) and administrators only."""
    return getattr(user, "is_authenticated", False) and (user.is_superuser or user.role in INTEGRITY_ROLES)


def integrity_checks(user, *, kind: str = "") -> QuerySet[IntegrityCheck]:
    if not can_see_integrity(user):
        return IntegrityCheck.objects.none()
    rows = IntegrityCheck.objects.all()
    if kind in CheckKind.values:
        rows = rows.filter(kind=kind)
    return rows


def latest_per_kind(user) -> list[tuple[str, IntegrityCheck | None]]:
    """(label, newest result) for each kind of check, in a fixed order."""
    rows = integrity_checks(user)
    return [(label, rows.filter(kind=value).first()) for value, label in CheckKind.choices]


def newest_checkpoint() -> Checkpoint | None:
    return Checkpoint.objects.order_by("-tree_size").first()
