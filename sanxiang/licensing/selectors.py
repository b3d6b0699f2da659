"""Reads of the licensing app: scoped for staff, released-only for the portal."""

from __future__ import annotations

from sanxiang.licensing.models import Application, FeeItem, ServiceGuide


def applications_for(user, *, waiting: bool | None = None):
    rows = Application.objects.visible_to(user).select_related("agency", "item", "case")
    if waiting is True:
        rows = rows.filter(case__isnull=True)
    return rows.order_by("-received_on", "-pk")


def application_get(user, pk: int) -> Application:
    return Application.objects.select_related("agency", "item", "case").get_visible(
        user, pk=pk, message="申请不存在或无权查看")


def public_guide(item):
    return ServiceGuide.objects.filter(item=item, item__is_active=True).first()


def public_fee_list(agency=None):
    rows = FeeItem.objects.filter(is_active=True).select_related("agency")
    return rows.filter(agency=agency) if agency is not None else rows
