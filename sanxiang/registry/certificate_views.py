"""Staff pages of 执法人员资格管理: the register of officers and each officer's certificate life."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone

from sanxiang.common.exceptions import DomainError, NotFound
from sanxiang.registry import selectors
from sanxiang.registry.certificates import ACT_ROLES, certificate_act, training_hours
from sanxiang.registry.choices import ActionKind, OfficerStatus
from sanxiang.registry.models import Agency, CertificateAction, Officer
from sanxiang.registry.params import param


def _reader(user) -> None:
    if user.role not in selectors.CERTIFICATE_READERS:
        raise PermissionDenied("执法人员资格管理仅供执法监督人员、机关负责人和承办机构负责人查看")


def _officer_or_404(user, pk: int) -> Officer:
    try:
        return Officer.objects.get_visible(user, pk=pk, message="执法人员不存在或无权查看")
    except NotFound as exc:
        raise Http404(exc.message) from exc  # the cause keeps the out-of-scope denial audited


@login_required
def officer_register(request):
    _reader(request.user)
    rows = selectors.officers_visible(request.user, agency_code=request.GET.get("agency", ""),
                                      query=request.GET.get("q", "")[:40], status=request.GET.get("status", ""))
    today = timezone.localdate()
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    for officer in page:
        officer.problem = officer.certificate_problem(today) if officer.certificate_no else "未取得执法证"
        officer.hours = training_hours(officer, today.year)
    visible = request.user.visible_agency_ids()
    agencies = Agency.objects.filter(kind="enforcement") if visible is None else Agency.objects.filter(pk__in=visible)
    return render(request, "registry/officers.html", {
        "page": page, "params": request.GET, "statuses": OfficerStatus.choices,
        "agencies": Agency.objects.all() if visible is None else agencies,
        "staffing": [selectors.reviewer_staffing(a, today) for a in agencies.order_by("code")],
        "expiring": selectors.certificates_expiring(visible, today, 60)[:50],
        "min_hours": param("officer_training_hours"),
    })


@login_required
def officer_detail(request, pk: int):
    _reader(request.user)
    officer = _officer_or_404(request.user, pk)
    return _render_detail(request, officer)


def _render_detail(request, officer, *, status=200, error=None, open_action=""):
    today = timezone.localdate()
    acts = [(code, label) for code, label in CertificateAction.choices if request.user.role in ACT_ROLES[code]]
    return render(request, "registry/officer.html", {
        "officer": officer, "history": selectors.certificate_history(officer), "acts": acts,
        "problem": officer.certificate_problem(today) if officer.certificate_no else "未取得执法证",
        "hours_this_year": training_hours(officer, today.year), "hours_last_year": training_hours(officer, today.year - 1),
        "min_hours": param("officer_training_hours", officer.agency), "kinds": ActionKind.choices,
        "error": error, "open_action": open_action, "submitted": request.POST, "today": today,
    }, status=status)


@login_required
def officer_act(request, pk: int, action: str):
    _reader(request.user)
    officer = _officer_or_404(request.user, pk)
    if request.method != "POST":
        return redirect("registry:officer", pk=pk)
    data = {key: request.POST.get(key, "") for key in
            ("on", "reason", "hours", "course", "score", "certificate_no", "valid_from", "valid_to", "year", "passed")}
    data["enforcement_kinds"] = request.POST.getlist("enforcement_kinds")
    try:
        event = certificate_act(actor=request.user, officer=officer, action=action, data=data)
    except DomainError as exc:
        return _render_detail(request, officer, status=exc.status, error=exc, open_action=action)
    messages.success(request, f"已办理执法证“{event.get_action_display()}”，日志序号 #{event.ledger_index}")
    return redirect("registry:officer", pk=pk)
