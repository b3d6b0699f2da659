"""Users and roles. Every user (but the anonymous public) belongs to an agency and has one role."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models

from sanxiang.common.models import Recorded


class Role(models.TextChoices):
    OFFICER = "officer", "执法人员"
    UNIT_HEAD = "unit_head", "承办机构负责人"
    LEGAL_REVIEWER = "legal_reviewer", "法制审核人员"
    AGENCY_HEAD = "agency_head", "机关负责人"
    SUPERVISOR = "supervisor", "执法监督人员"
    ADMIN = "admin", "系统管理员"


class User(AbstractUser, Recorded):
    """A staff account. Supervisors and administrators see across agencies; others see only
    their agency and the agencies below it (see accounts.selectors)."""

    display_name = models.CharField("姓名", max_length=40, blank=True)
    agency = models.ForeignKey("registry.Agency", verbose_name="所属机关", null=True, blank=True,
                               on_delete=models.PROTECT, related_name="users")
    role = models.CharField("角色", max_length=20, choices=Role.choices, default=Role.OFFICER)

    class Meta:
        verbose_name = verbose_name_plural = "用户"
        constraints = [
            models.CheckConstraint(
                name="agency_staff_have_agency",
                condition=models.Q(role__in=["supervisor", "admin"]) | models.Q(agency__isnull=False),
                violation_error_message="执法人员、负责人和法制审核人员必须属于一个执法机关",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name or self.username

    def ledger_state(self) -> dict:
        """Role, agency and status are logged; the password hash and last login are not."""
        state = super().ledger_state()
        state.pop("password", None)
        state.pop("last_login", None)
        return state

    @property
    def sees_all_agencies(self) -> bool:
        return self.is_superuser or self.role in (Role.SUPERVISOR, Role.ADMIN)

    def visible_agency_ids(self) -> list[int] | None:
        """Agencies whose records this user may see; None means all (see accounts.scoping)."""
        from sanxiang.accounts.scoping import agency_scope

        return agency_scope(self)
