"""Staff pages of the publication lifecycle (公示管理): error reports to answer, 信用修复
applications to decide, and each released publication with its correction and withdrawal forms.

Heads, unit heads and legal reviewers act (PUBLISHER_ROLES); supervisors read. Every write is a
service of disclosure.lifecycle / disclosure.reports; a refusal shows the page again with the
rule (its status: 400 bad input, 403 role, 409 state)."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from sanxiang.accounts.denials import note_denial
from sanxiang.accounts.models import Role
from sanxiang.common.exceptions import DomainError, NotFound
from sanxiang.disclosure import selectors
from sanxiang.disclosure.lifecycle import credit_repair_decide, publication_correct, publication_withdraw
from sanxiang.disclosure.models import RepairStatus, ReportStatus, WithdrawGround
from sanxiang.disclosure.reports import report_answer
from sanxiang.disclosure.services import PUBLISHER_ROLES

READER_ROLES = PUBLISHER_ROLES | {Role.SUPERVISOR}


def _check_reader(user) -> None:
    if getattr(user, "role", None) not in READER_ROLES:
        raise PermissionDenied("公示管理仅供承办机构负责人、机关负责人、法制审核人员和监督人员使用")


def _home_context(user, **extra) -> dict:
    return {
        "reports": list(selectors.reports_for(user, ReportStatus.PENDING)[:100]),
        "answered": list(selectors.reports_for(user).exclude(status=ReportStatus.PENDING)[:30]),
        "repairs": list(selectors.repairs_for(user).filter(status=RepairStatus.PENDING)[:100]),
        "decided": list(selectors.repairs_for(user).exclude(status=RepairStatus.PENDING)[:30]),
        "released": list(selectors.released_for(user)[:100]),
        "can_act": user.role in PUBLISHER_ROLES, "today": timezone.localdate(), **extra,
    }


@login_required
def home(request):
    _check_reader(request.user)
    return render(request, "disclosure/staff_home.html", _home_context(request.user))


def _publication(request, pk):
    _check_reader(request.user)
    try:
        return selectors.publication_get(request.user, pk)
    except NotFound as exc:
        note_denial(request, exc)
        raise Http404(exc.message) from exc


def _publication_page(request, publication, status=200, **extra):
    return render(request, "disclosure/staff_publication.html", {
        "p": publication, "events": selectors.public_events(publication), "grounds": WithdrawGround.choices,
        "reports": list(publication.error_reports.order_by("-pk")), "can_act": request.user.role in PUBLISHER_ROLES,
        "values": request.POST, **extra}, status=status)


@login_required
def publication_detail(request, pk):
    return _publication_page(request, _publication(request, pk))


def _refused(request, exc, render_again):
    note_denial(request, exc)
    return render_again(status=exc.status, error=exc)


@login_required
@require_POST
def publication_correct_view(request, pk):
    publication = _publication(request, pk)
    extra = [line for line in request.POST.get("extra_redactions", "").splitlines() if line.strip()]
    try:
        new = publication_correct(publication=publication, actor=request.user, reason=request.POST.get("reason", ""),
                                  extra_redactions=extra)
    except DomainError as exc:
        return _refused(request, exc, lambda **kw: _publication_page(request, publication, form="correct", **kw))
    messages.success(request, f"已更正：{new.decision_number} 第{new.version}版，日志序号 #{new.ledger_index}")
    return redirect("publicity:publication", pk=new.pk)


def _date(value: str):
    try:
        return dt.date.fromisoformat((value or "").strip())
    except ValueError:
        return None


@login_required
@require_POST
def publication_withdraw_view(request, pk):
    publication = _publication(request, pk)
    try:
        event = publication_withdraw(publication=publication, actor=request.user, ground=request.POST.get("ground", ""),
                                     reason=request.POST.get("reason", ""),
                                     occurred_on=_date(request.POST.get("occurred_on", "")))
    except DomainError as exc:
        return _refused(request, exc, lambda **kw: _publication_page(request, publication, form="withdraw", **kw))
    messages.success(request, f"已撤回：{publication.decision_number}，日志序号 #{event.ledger_index}"
                              + ("（逾期撤回）" if event.late else ""))
    return redirect("publicity:publication", pk=publication.pk)


@login_required
@require_POST
def report_answer_view(request, pk):
    _check_reader(request.user)
    try:
        report = selectors.report_get(request.user, pk)
    except NotFound as exc:
        note_denial(request, exc)
        raise Http404(exc.message) from exc
    extra = [line for line in request.POST.get("extra_redactions", "").splitlines() if line.strip()]
    try:
        report = report_answer(report=report, actor=request.user, correct=request.POST.get("outcome") == "correct",
                               reply=request.POST.get("reply", ""), extra_redactions=extra)
    except DomainError as exc:
        return _refused(request, exc, lambda **kw: render(
            request, "disclosure/staff_home.html", _home_context(request.user, report_error=kw["error"], report_pk=pk),
            status=kw["status"]))
    messages.success(request, f"已答复纠错报告 {report.number}：{report.get_status_display()}")
    return redirect("publicity:home")


@login_required
@require_POST
def repair_decide_view(request, pk):
    _check_reader(request.user)
    try:
        repair = selectors.repair_get(request.user, pk)
    except NotFound as exc:
        note_denial(request, exc)
        raise Http404(exc.message) from exc
    try:
        repair = credit_repair_decide(repair=repair, actor=request.user, grant=request.POST.get("grant") == "1",
                                      reason=request.POST.get("reason", ""))
    except DomainError as exc:
        return _refused(request, exc, lambda **kw: render(
            request, "disclosure/staff_home.html", _home_context(request.user, repair_error=kw["error"], repair_pk=pk),
            status=kw["status"]))
    messages.success(request, f"信用修复申请 {repair.number}：{repair.get_status_display()}")
    return redirect("publicity:home")
