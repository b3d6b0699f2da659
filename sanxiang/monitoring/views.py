"""Pages of the supervisor's platform: the dashboard, the list behind each figure, Excel,
certificates expiring, alerts (with acknowledgement and dismissal) and the daily digests."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from sanxiang.common.exceptions import DomainError, NotFound, ValidationFailed
from sanxiang.monitoring import selectors
from sanxiang.monitoring.complaints import complaint_source
from sanxiang.monitoring.export import TABLES, workbook
from sanxiang.monitoring.models import AlertRule, AlertStatus
from sanxiang.monitoring.services import alert_handle


def _dashboard_user(request):
    if not selectors.can_see_dashboard(request.user):
        raise PermissionDenied("监督驾驶舱仅供执法监督人员和机关负责人查看")


def _chart_data(figures: dict) -> dict:
    def series(rows):
        return {"labels": [r.label for r in rows], "values": [r.n for r in rows], "links": [r.link for r in rows]}

    return {"agency": series(figures["by_agency"]), "kind": series(figures["by_kind"]),
            "state": series(figures["by_state"]), "month": series(figures["by_month"]),
            "reviews": series(figures["reviews"]), "publications": series(figures["publications"])}


def _due_days(request) -> int:
    raw = request.GET.get("days", "")
    return int(raw) if raw.isdigit() and 0 < int(raw) <= 90 else selectors.DUE_SOON_DAYS


@login_required
def dashboard(request):
    _dashboard_user(request)
    figures = selectors.dashboard(request.user, due_days=_due_days(request))
    return render(request, "monitoring/dashboard.html", {
        "f": figures, "charts": _chart_data(figures), "complaint_source": complaint_source(),
        "tables": TABLES,
    })


@login_required
def export(request, table: str):
    _dashboard_user(request)
    if table not in TABLES:
        raise Http404("没有该统计表")
    figures = selectors.dashboard(request.user, due_days=_due_days(request))
    response = HttpResponse(workbook(figures, table),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="dashboard-{table}-{figures["on"]}.xlsx"'
    return response


@login_required
def case_list(request):
    """The cases behind a figure (the drill-down)."""
    _dashboard_user(request)
    on = timezone.localdate()
    try:
        rows, error, status = selectors.case_drilldown(request.user, request.GET, on), None, 200
    except ValidationFailed as exc:
        from sanxiang.cases.models import Case

        rows, error, status = Case.objects.none(), exc, 400
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(request, "monitoring/case_list.html", {
        "page": page, "total": page.paginator.count, "title": selectors.drilldown_title(request.GET, on),
        "query": params.urlencode(), "filter_error": error, "today": on,
    }, status=status)


@login_required
def certificates(request):
    _dashboard_user(request)
    on = timezone.localdate()
    rows = selectors.certificates_expiring(request.user, on)
    if request.GET.get("cert") == "expired":
        rows = rows.filter(valid_to__lt=on)
    elif request.GET.get("cert") == "expiring":
        rows = rows.filter(valid_to__gte=on)
    return render(request, "monitoring/certificates.html", {"rows": rows, "today": on,
                                                            "window": selectors.CERT_WINDOW_DAYS})


def _alert_user(request):
    if not selectors.can_see_alerts(request.user):
        raise PermissionDenied("预警信息仅供办案、审核和监督人员查看")


@login_required
def alerts(request):
    _alert_user(request)
    agency = request.GET.get("agency", "")
    rows = selectors.alert_list(request.user, rule=request.GET.get("rule", ""), status=request.GET.get("status", ""),
                                agency=int(agency) if agency.isdigit() else None,
                                mine=request.GET.get("mine") == "1", case_number=request.GET.get("case", ""))
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(request, "monitoring/alerts.html", {
        "page": page, "total": page.paginator.count, "params": request.GET, "query": params.urlencode(),
        "rules": AlertRule.objects.order_by("code"), "statuses": AlertStatus.choices,
    })


@login_required
@require_POST
def alert_action(request, pk: int, action: str):
    _alert_user(request)
    try:
        alert = selectors.alert_get(request.user, pk)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    try:
        alert_handle(alert=alert, actor=request.user, action=action, reason=request.POST.get("reason", ""))
    except DomainError as exc:
        messages.error(request, exc.message)
        return render(request, "monitoring/alert_refused.html", {"alert": alert, "error": exc},
                      status=getattr(exc, "status", 400))
    messages.success(request, "预警已处理，处理理由已记入防篡改日志")
    return redirect(request.POST.get("next") if str(request.POST.get("next", "")).startswith("/staff/")
                    else "monitoring:alerts")


@login_required
def digests(request):
    _alert_user(request)
    page = Paginator(selectors.digests_for(request.user), 30).get_page(request.GET.get("page"))
    return render(request, "monitoring/digests.html", {"page": page})
