"""Staff pages of 案卷评查 and the portal's published results."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone

from sanxiang.accounts.models import Role, User
from sanxiang.common.exceptions import DomainError, NotFound, ValidationFailed
from sanxiang.common.params import query_date
from sanxiang.evaluation import selectors, services
from sanxiang.evaluation.models import EvaluatedFile, EvaluationRound, Rectification, ScoringTemplate
from sanxiang.registry.choices import AgencyKind
from sanxiang.registry.models import Agency


def _reader(user) -> None:
    if user.role not in selectors.READERS:
        raise PermissionDenied("案卷评查仅供执法监督人员及被评查机关的负责人、法制审核人员查看")


def _round_or_404(user, pk: int) -> EvaluationRound:
    row = selectors.rounds_for(user).filter(pk=pk).select_related("template", "draw").first()
    if row is None:
        raise Http404("评查活动不存在或无权查看")
    return row


def _file_or_404(user, pk: int) -> EvaluatedFile:
    try:
        if user.role == Role.SUPERVISOR:
            return EvaluatedFile.objects.select_related("case__agency", "round__template").get(pk=pk)
        return EvaluatedFile.objects.select_related("case__agency", "round__template").get_visible(
            user, pk=pk, message="评查案卷不存在或无权查看")
    except EvaluatedFile.DoesNotExist:
        raise Http404("评查案卷不存在") from None
    except NotFound as exc:
        raise Http404(exc.message) from exc


@login_required
def round_list(request):
    _reader(request.user)
    error, status, form = None, 200, {}
    if request.method == "POST":
        form = request.POST
        try:
            round_ = services.round_create(actor=request.user, **_round_form(request.POST))
        except DomainError as exc:
            error, status = exc, exc.status
        else:
            messages.success(request, f"已组织评查并随机抽取{round_.files.count()}卷（抽取第{round_.draw_id}号，"
                                      f"种子承诺先于结果写入日志）")
            return redirect("evaluation:round", pk=round_.pk)
    today = timezone.localdate()
    return render(request, "evaluation/rounds.html", {
        "rounds": selectors.rounds_for(request.user).select_related("template"),
        "can_create": request.user.role == Role.SUPERVISOR,
        "agencies": Agency.objects.filter(kind=AgencyKind.ENFORCEMENT).order_by("code"),
        "evaluators": User.objects.filter(role=Role.SUPERVISOR, is_active=True).order_by("username"),
        "templates": ScoringTemplate.objects.filter(is_active=True),
        "error": error, "form": form, "year": today.year,
        "start": dt.date(today.year, 1, 1), "today": today,
        "rectifications": selectors.rectifications_for(request.user).exclude(state="accepted")[:50],
    }, status=status)


def _round_form(post) -> dict:
    year = post.get("year", "")
    if not year.isdigit() or not 2000 <= int(year) <= 2100:
        raise ValidationFailed("评查年度须为四位年份", field="year", code="year_format")
    start, end = query_date(post, "period_start"), query_date(post, "period_end")
    if start is None or end is None:
        raise ValidationFailed("须填写归档日期起止", field="period_start" if start is None else "period_end",
                               code="date_required")
    minimum = post.get("minimum", "1") or "1"
    if not minimum.isdigit() or int(minimum) > 50:
        raise ValidationFailed("每机关至少抽取卷数须为0至50的整数", field="minimum", code="minimum_format")
    template = None
    if post.get("template"):
        template = ScoringTemplate.objects.filter(pk=int(post["template"]) if post["template"].isdigit() else 0).first()
        if template is None:
            raise ValidationFailed("评查标准不存在", field="template", code="template_unknown")
    ids = [int(v) for v in post.getlist("agencies") if v.isdigit()]
    users = [int(v) for v in post.getlist("evaluators") if v.isdigit()]
    return {"title": post.get("title", ""), "year": int(year), "period_start": start, "period_end": end,
            "ratio": post.get("ratio", ""), "minimum": int(minimum), "template": template,
            "agencies": Agency.objects.filter(pk__in=ids), "evaluators": User.objects.filter(pk__in=users)}


@login_required
def round_detail(request, pk: int):
    _reader(request.user)
    round_ = _round_or_404(request.user, pk)
    error, status = None, 200
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "conclude":
                services.round_conclude(actor=request.user, round_=round_, summary=request.POST.get("summary", ""))
                messages.success(request, "评查活动已结束")
            elif action == "publish":
                services.round_publish(actor=request.user, round_=round_)
                messages.success(request, "评查结果已在公示平台公布")
            else:
                raise ValidationFailed("未知操作", field="action", code="action_unknown")
        except DomainError as exc:
            error, status = exc, exc.status
        else:
            return redirect("evaluation:round", pk=round_.pk)
    files = list(selectors.files_for(request.user, round_))
    return render(request, "evaluation/round.html", {
        "round": round_, "files": files, "by_agency": selectors.results_by_agency(files),
        "by_officer": selectors.results_by_officer(files), "error": error,
        "is_supervisor": request.user.role == Role.SUPERVISOR,
        "unstaffed": round_.draw.result.get("unstaffed", []) if round_.draw else [],
    }, status=status)


@login_required
def file_detail(request, pk: int):
    """The read-only dossier an evaluator scores, item by item. Each look is logged (调阅监督)."""
    from sanxiang.dossier.export import case_documents, document_title
    from sanxiang.records.selectors import evidence_visible_to, evidence_withheld
    from sanxiang.supervision.services import access_record

    _reader(request.user)
    file = _file_or_404(request.user, pk)
    error, status = None, 200
    if request.method == "POST":
        try:
            if request.POST.get("action") == "rectify":
                due = query_date(request.POST, "due_on")
                if due is None:
                    raise ValidationFailed("须填写整改期限", field="due_on", code="date_required")
                services.rectification_request(actor=request.user, file=file, request=request.POST.get("request", ""),
                                               due_on=due)
                messages.success(request, "已下达整改通知")
            else:
                scores = {item.pk: {"points": request.POST.get(f"item_{item.pk}", ""),
                                    "triggered": request.POST.get(f"item_{item.pk}_veto", ""),
                                    "note": request.POST.get(f"item_{item.pk}_note", "")}
                          for item in file.round.template.items.all()}
                services.file_score(actor=request.user, file=file, scores=scores,
                                    comment=request.POST.get("comment", ""))
                messages.success(request, "评分已提交并写入防篡改日志")
        except DomainError as exc:
            error, status = exc, exc.status
        else:
            return redirect("evaluation:file", pk=file.pk)
    case = file.case
    if request.method == "GET" and request.user.role == Role.SUPERVISOR:
        access_record(actor=request.user, case=case, target=case, reason="案卷评查",
                      label=f"案卷评查调阅 {case.number}")
    return render(request, "evaluation/file.html", {
        "file": file, "case": case, "items": file.round.template.items.order_by("order"),
        "scores": {s.item_id: s for s in file.scores.all()},
        "events": case.events.select_related("actor").order_by("at", "pk"),
        "documents": [document_title(d) for d in case_documents(case, request.user)],
        "evidence": evidence_visible_to(request.user, case).order_by("pk"),
        "withheld": evidence_withheld(request.user, case).count(),
        "can_score": file.evaluator_id == request.user.pk and file.scored_at is None,
        "is_supervisor": request.user.role == Role.SUPERVISOR, "error": error, "submitted": request.POST,
        "rectifications": file.rectifications.all(),
    }, status=status)


@login_required
def rectification_act(request, pk: int):
    _reader(request.user)
    try:
        row = Rectification.objects.get_visible(request.user, pk=pk, message="整改通知不存在或无权查看")
    except NotFound as exc:
        raise Http404(exc.message) from exc
    if request.method != "POST":
        return redirect("evaluation:file", pk=row.file_id)
    try:
        if request.POST.get("action") in {"accept", "return"}:
            services.rectification_review(actor=request.user, rectification=row,
                                          accept=request.POST["action"] == "accept",
                                          note=request.POST.get("review_note", ""))
        else:
            services.rectification_answer(actor=request.user, rectification=row, answer=request.POST.get("answer", ""))
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("evaluation:file", pk=row.file_id) if request.user.role == Role.SUPERVISOR else \
            render(request, "evaluation/rectification.html", {"row": row, "error": exc}, status=exc.status)
    messages.success(request, "已办理")
    return redirect("evaluation:file", pk=row.file_id) if request.user.role == Role.SUPERVISOR else \
        redirect("evaluation:rounds")


def public_list(request):
    return render(request, "evaluation/public_list.html", {
        "rounds": [(r, selectors.public_summary(r)) for r in selectors.published_rounds()]})


def public_detail(request, pk: int):
    round_ = selectors.published_rounds().filter(pk=pk).first()
    if round_ is None:
        raise Http404("评查结果不存在或尚未公布")
    return render(request, "evaluation/public_detail.html", {"round": round_, "s": selectors.public_summary(round_)})
