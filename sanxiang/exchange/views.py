"""Staff pages (数据交换, 年度报告) and the portal's annual report pages."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from sanxiang.accounts.denials import note_denial
from sanxiang.common.exceptions import DomainError, NotFound, RoleNotAllowed, ValidationFailed
from sanxiang.common.params import query_date
from sanxiang.exchange import export, selectors
from sanxiang.exchange.push import endpoint_cursor
from sanxiang.exchange.report_pdf import chart_data, report_tables
from sanxiang.exchange.services import (
    annual_report_generate,
    annual_report_publish,
    annual_report_review,
    can_generate,
    can_publish,
    can_review,
    report_due,
)
from sanxiang.ledger.services import ledger_size


def _guard(request, check) -> None:
    """A refused role is a 403 page (and an audited denial)."""
    try:
        check(request.user)
    except RoleNotAllowed as exc:
        note_denial(request, exc)
        raise PermissionDenied(exc.message) from exc


@login_required
def index(request):
    """数据交换: the 双公示 export form, the feed's address and the push endpoints with their log."""
    _guard(request, selectors.require_exchange)
    endpoints = selectors.endpoints_for(request.user)
    rows = [{"endpoint": e, "cursor": endpoint_cursor(e)} for e in endpoints]
    return render(request, "exchange/index.html", {
        "sources": export.EXPORT_SOURCES.values(), "formats": export.FORMATS, "endpoints": rows,
        "deliveries": selectors.deliveries_for(endpoints), "ledger_size": ledger_size(),
    })


@login_required
def export_download(request):
    """The export file of the user's scope (kind, format, decision dates)."""
    _guard(request, selectors.require_exchange)
    try:
        kind, fmt = request.GET.get("kind", "penalty"), request.GET.get("format", "xlsx")
        if fmt not in export.FORMATS:
            raise ValidationFailed(f"不支持的导出格式“{fmt}”，可选：xlsx、csv、json", field="format",
                                   code="export_format_unknown")
        publications = export.exportable(kind, user=request.user, since=query_date(request.GET, "since"),
                                         until=query_date(request.GET, "until"))
        body = export.render(kind, export.export_rows(kind, publications), fmt)
    except ValidationFailed as exc:
        return HttpResponse(exc.message, status=400, content_type="text/plain; charset=utf-8")
    response = HttpResponse(body, content_type=export.FORMATS[fmt])
    response["Content-Disposition"] = _attachment(export.filename(kind, fmt, timezone.localdate()))
    return response


def _attachment(name: str) -> str:
    from urllib.parse import quote

    return f"attachment; filename=\"export.{name.rsplit('.', 1)[-1]}\"; filename*=UTF-8''{quote(name)}"


# --- annual reports (staff) ---------------------------------------------------------------------


@login_required
def reports(request):
    _guard(request, selectors.require_reports)
    user = request.user
    year = timezone.localdate().year - 1
    return render(request, "exchange/reports.html", {
        "reports": selectors.reports_for(user)[:100], "year": year, "due": report_due(year),
        "may_generate_own": user.agency_id is not None and can_generate(user, user.agency),
        "may_generate_all": can_generate(user, None),
    })


@login_required
@require_POST
def report_generate(request):
    _guard(request, selectors.require_reports)
    scope = request.POST.get("scope", "own")
    agency = None if scope == "all" else request.user.agency
    if scope != "all" and agency is None:
        messages.error(request, "您不属于某一执法机关，请选择“全部执法机关”")
        return redirect("exchange:reports")
    try:
        year = int(request.POST.get("year", ""))
    except ValueError:
        messages.error(request, "年度须为数字")
        return redirect("exchange:reports")
    try:
        report = annual_report_generate(agency=agency, year=year, actor=request.user)
    except DomainError as exc:
        note_denial(request, exc)
        messages.error(request, exc.message)
        return redirect("exchange:reports")
    messages.success(request, f"已生成：{report}")
    return redirect("exchange:report", pk=report.pk)


def _report_or_404(request, pk):
    try:
        return selectors.report_get(request.user, pk)
    except NotFound as exc:
        note_denial(request, exc)
        raise Http404(exc.message) from exc


@login_required
def report_detail(request, pk):
    _guard(request, selectors.require_reports)
    report = _report_or_404(request, pk)
    user = request.user
    return render(request, "exchange/report.html", {
        "report": report, "tables": report_tables(report.figures), "charts": chart_data(report.figures),
        "may_review": report.status == "draft" and can_review(user, report.agency),
        "may_publish": report.status == "reviewed" and can_publish(user, report.agency),
    })


def _report_action(request, pk, service, done: str, **kwargs):
    _guard(request, selectors.require_reports)
    report = _report_or_404(request, pk)
    try:
        report = service(report=report, actor=request.user, **kwargs)
    except DomainError as exc:
        note_denial(request, exc)
        messages.error(request, exc.message)
    else:
        messages.success(request, f"{done}：{report}" + (f"，日志序号 #{report.ledger_index}" if report.ledger_index else ""))
    return redirect("exchange:report", pk=pk)


@login_required
@require_POST
def report_review(request, pk):
    return _report_action(request, pk, annual_report_review, "已审核", note=request.POST.get("note", ""))


@login_required
@require_POST
def report_publish(request, pk):
    return _report_action(request, pk, annual_report_publish, "已公布")


# --- portal -------------------------------------------------------------------------------------


def annual_list(request):
    return render(request, "exchange/portal_annual_list.html", {"reports": selectors.released_reports()})


def annual_detail(request, pk):
    report = selectors.released_get(pk)
    if report is None:
        raise Http404("年度报告不存在或尚未公布")
    return render(request, "exchange/portal_annual.html", {
        "report": report, "tables": report_tables(report.figures), "charts": chart_data(report.figures),
        "tree_size": ledger_size(),
    })


def annual_pdf(request, pk):
    report = selectors.released_get(pk)
    if report is None or report.pdf_id is None:
        raise Http404("年度报告不存在或尚未公布")
    handle = default_storage.open(report.pdf.storage_name, "rb")
    return FileResponse(handle, filename=f"{report.scope_name}{report.year}年度行政执法数据.pdf",
                        content_type="application/pdf")
