"""Staff page 行政强制: seizures with their periods, enforcement cases, and unpaid fines to carry over."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from sanxiang.accounts.models import Role
from sanxiang.cases import selectors as case_selectors
from sanxiang.common.exceptions import DomainError, NotFound
from sanxiang.compulsion import selectors
from sanxiang.compulsion.services import enforcement_open_from_penalty

STAFF = {Role.OFFICER, Role.UNIT_HEAD, Role.LEGAL_REVIEWER, Role.AGENCY_HEAD, Role.SUPERVISOR}


@login_required
def index(request):
    if request.user.role not in STAFF:
        raise PermissionDenied("行政强制案件仅供执法机关工作人员和监督人员查看")
    return render(request, "compulsion/index.html", {
        "seizures": selectors.seizures(request.user), "enforcements": selectors.enforcements(request.user),
        "overdue": selectors.overdue_fines(request.user), "can_open": request.user.role == Role.OFFICER,
    })


@login_required
@require_POST
def from_penalty(request, pk):
    try:
        penalty_case = case_selectors.case_get(request.user, pk)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    if request.user.role != Role.OFFICER:
        raise PermissionDenied("移送强制执行（立案）须由执法人员办理")
    try:
        case = enforcement_open_from_penalty(actor=request.user, penalty_case=penalty_case)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("compulsion:index")
    messages.success(request, f"已立案 {case.number}：罚款及加处罚款已带入，请送达催告书")
    return redirect("cases:detail", pk=case.pk)
