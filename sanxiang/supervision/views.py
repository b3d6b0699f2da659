"""Supervisor pages: the access log, filterable."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import render

from sanxiang.common.exceptions import ValidationFailed
from sanxiang.common.params import query_date
from sanxiang.supervision.models import AccessAction, AccessLog
from sanxiang.supervision.selectors import access_log_list, can_oversee


def _filters(params) -> dict:
    flagged = params.get("flagged")
    return {
        "agency_code": params.get("agency", ""), "username": params.get("user", ""),
        "case_number": params.get("case", ""), "action": params.get("action", ""),
        "flagged": True if flagged == "1" else (False if flagged == "0" else None),
        "since": query_date(params, "since"),
        "until": query_date(params, "until"),
    }


@login_required
def access_log(request):
    if not can_oversee(request.user):
        raise PermissionDenied("调阅记录仅供监督人员、机关负责人和法制审核人员查看")
    try:
        filters, error, status = _filters(request.GET), None, 200
    except ValidationFailed as exc:
        # A bad filter shows the form again with the rule, and no rows rather than all of them.
        filters, error, status = None, exc, 400
    rows = access_log_list(request.user, **filters) if filters else AccessLog.objects.none()
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(request, "supervision/access_log.html", {
        "page": page, "params": request.GET, "actions": AccessAction.choices, "total": rows.count(),
        "filter_error": error,
    }, status=status)
