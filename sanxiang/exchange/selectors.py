"""Reads of the exchange app: who may export, the reports a user sees, the released reports."""

from __future__ import annotations

from django.db.models import QuerySet

from sanxiang.accounts.models import Role
from sanxiang.common.exceptions import RoleNotAllowed
from sanxiang.exchange.models import AnnualReport, Delivery, Endpoint

# Export and feed: heads, legal reviewers and supervisors (officers handle cases, not data exchange;
# administrators read no case data, 三权分立).
EXCHANGE_ROLES = (Role.UNIT_HEAD, Role.AGENCY_HEAD, Role.LEGAL_REVIEWER, Role.SUPERVISOR)
REPORT_ROLES = (Role.UNIT_HEAD, Role.AGENCY_HEAD, Role.LEGAL_REVIEWER, Role.SUPERVISOR)


def can_exchange(user) -> bool:
    return bool(user.is_authenticated and user.is_active and user.role in EXCHANGE_ROLES)


def require_exchange(user) -> None:
    if not can_exchange(user):
        raise RoleNotAllowed("数据导出与交换仅限承办机构负责人、机关负责人、法制审核人员和执法监督人员",
                             code="role_not_allowed")


def require_reports(user) -> None:
    if not (user.is_authenticated and user.role in REPORT_ROLES):
        raise RoleNotAllowed("年度行政执法数据报告仅限机关负责人、承办机构负责人、法制审核人员和执法监督人员",
                             code="role_not_allowed")


def reports_for(user) -> QuerySet[AnnualReport]:
    return AnnualReport.objects.visible_to(user).select_related("agency").order_by("-year", "agency_id", "-version")


def report_get(user, pk: int) -> AnnualReport:
    return AnnualReport.objects.select_related("agency").get_visible(user, pk=pk, message="年度报告不存在或无权查看")


def released_reports() -> QuerySet[AnnualReport]:
    """Published reports, newest version of each (agency, year) only."""
    rows = AnnualReport.objects.released().select_related("agency").order_by("-year", "agency_id", "-version")
    seen, keep = set(), []
    for row in rows:
        if (row.agency_id, row.year) not in seen:
            seen.add((row.agency_id, row.year))
            keep.append(row.pk)
    return AnnualReport.objects.filter(pk__in=keep).select_related("agency", "pdf").order_by("-year", "agency_id")


def released_get(pk: int) -> AnnualReport | None:
    return AnnualReport.objects.released().select_related("agency", "pdf").filter(pk=pk).first()


def endpoints_for(user) -> list[Endpoint]:
    """Endpoints and their last deliveries: supervisors see all, agency roles those of their tree."""
    from sanxiang.accounts.scoping import agency_scope

    scope = agency_scope(user)
    qs = Endpoint.objects.select_related("agency").order_by("name")
    if scope is not None:
        qs = qs.filter(agency_id__in=scope)
    return list(qs)


def deliveries_for(endpoints: list[Endpoint], limit: int = 30) -> QuerySet[Delivery]:
    return Delivery.objects.filter(endpoint__in=endpoints).select_related("endpoint").order_by("-pk")[:limit]
