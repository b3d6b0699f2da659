"""Staff pages of 双随机抽查: plans and their draws, the officer's drawn targets, the target pool.

Plain form posts (post, redirect, get); every write goes through inspections.services.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from sanxiang.accounts.denials import note_denial
from sanxiang.accounts.models import Role
from sanxiang.common.exceptions import DomainError, ImportRejected, NotFound, RoleNotAllowed, ValidationFailed
from sanxiang.draws import selectors as draw_selectors
from sanxiang.draws.models import Draw
from sanxiang.inspections import importers, selectors, services
from sanxiang.inspections.models import Avoidance, RiskGrade


def _plan_or_404(user, pk):
    try:
        return selectors.staff_plan(user, pk)
    except NotFound as exc:
        raise Http404(exc.message) from exc


@login_required
def home(request):
    user = request.user
    plans = list(selectors.staff_plans(user)[:50])
    rows = [{"plan": p, "draw": draw_selectors.current_draw(p.draw_subject),
             "mine": selectors.my_drawn_targets(user, p)} for p in plans]
    entities = selectors.staff_entities(user)
    grades = {g: entities.filter(risk_grade=g).count() for g in RiskGrade.values}
    return render(request, "inspections/home.html", {
        "rows": rows, "grades": grades, "entity_count": sum(grades.values()),
        "can_draw": user.role in services.ORGANISERS, "can_import": user.role in services.ORGANISERS,
        "is_officer": user.role == Role.OFFICER,
    })


def _refused(request, exc: DomainError, to: str = "inspections:home", **kwargs):
    note_denial(request, exc)
    messages.error(request, exc.message)
    return redirect(to, **kwargs)


def _date(raw: str, field: str, label: str) -> dt.date:
    try:
        return dt.date.fromisoformat((raw or "").strip())
    except ValueError as exc:
        raise ValidationFailed(f"{label}须为日期（如 2026-03-01）", field=field, code="date_invalid") from exc


def _plan_fields(post, user) -> dict:
    """The plan form as the service's arguments; a field that does not parse is named."""
    raw = post.get("check_item", "")
    check_item = selectors.staff_check_items(user).filter(pk=int(raw)).first() if raw.isdigit() else None
    if check_item is None:
        raise ValidationFailed("请从本机关随机抽查事项清单中选择抽查事项", field="check_item", code="check_item_required")
    ratios = {g: post.get(f"ratio_{g}", "").strip() for g in RiskGrade.values}
    ratios = {g: v for g, v in ratios.items() if v}
    for grade in RiskGrade.values:
        if not ratios.get(grade, "0").replace(".", "", 1).isdigit():
            raise ValidationFailed(f"{grade}类的抽查比例须为 0 至 1 之间的小数", field=f"ratio_{grade}",
                                   code="ratio_invalid")
    team = post.get("team_size", "").strip()
    if team and not team.isdigit():
        raise ValidationFailed("每组检查人员人数须为整数", field="team_size", code="team_size_invalid")
    return {"check_item": check_item, "title": post.get("title", ""),
            "period_start": _date(post.get("period_start"), "period_start", "实施期间起"),
            "period_end": _date(post.get("period_end"), "period_end", "实施期间止"),
            "ratios": ratios, "team_size": int(team) if team else None}


@login_required
def plan_new(request):
    """制定抽查计划 (unit and agency heads)."""
    user = request.user
    context = {"check_items": selectors.staff_check_items(user), "grades": RiskGrade.choices, "values": {},
               "error": None, "error_field": "", "allowed": user.role in services.ORGANISERS}
    if request.method == "POST":
        try:
            plan = services.plan_create(actor=user, **_plan_fields(request.POST, user))
        except DomainError as exc:
            note_denial(request, exc)
            field = exc.field or ""
            if field == "ratios":  # the service names the grade in its message; mark the first ratio box
                field = "ratio_A"
            context.update(error=exc, error_field=field, values=request.POST)
            return render(request, "inspections/plan_new.html", context, status=exc.status)
        messages.success(request, f"已制定抽查计划：{plan.title}")
        return redirect("inspections:plan", pk=plan.pk)
    return render(request, "inspections/plan_new.html", context)


def _plan_context(request, plan, **extra) -> dict:
    user = request.user
    draw = draw_selectors.current_draw(plan.draw_subject)
    return {"plan": plan, "draw": draw, "result": selectors.draw_rows(draw) if draw else None,
            "waiting": draw_selectors.waiting_commitment(plan.draw_subject),
            "history": selectors.plan_draws(plan), "pools": selectors.plan_pool_summary(plan),
            "can_draw": user.role in services.ORGANISERS, "is_officer": user.role == Role.OFFICER,
            "mine": {t["uscc"] for t in selectors.my_drawn_targets(user, plan)},
            "error": None, "error_field": "", "values": {}, **extra}


@login_required
def plan_detail(request, pk):
    """One plan: its pools (sizes, hashes), the commitment and draw, the result, redraw, tasks."""
    plan = _plan_or_404(request.user, pk)
    return render(request, "inspections/plan.html", _plan_context(request, plan))


def _draw_step(request, pk, step):
    """One step of a plan's draw: the service call, then the plan page (errors next to the field,
    the typed reason kept; a refused role goes back with the message)."""
    plan = _plan_or_404(request.user, pk)
    redraw_of = None
    raw = request.POST.get("redraw_of", "")
    if raw.isdigit():
        redraw_of = Draw.objects.filter(pk=int(raw), subject=plan.draw_subject).first()
    try:
        message = step(plan, redraw_of)
    except RoleNotAllowed as exc:
        return _refused(request, exc, "inspections:plan", pk=plan.pk)
    except DomainError as exc:
        note_denial(request, exc)
        context = _plan_context(request, plan, error=exc, error_field=exc.field or "draw", values=request.POST)
        return render(request, "inspections/plan.html", context, status=exc.status)
    messages.success(request, message)
    return redirect("inspections:plan", pk=plan.pk)


def _drawn(draw) -> str:
    return f"已完成随机抽取（第{draw.pk}号），种子承诺记入日志第{draw.commit_index}号，种子与结果已公开"


@login_required
@require_POST
def plan_draw(request, pk):
    """Commit and draw in one step (the list page)."""
    reason = request.POST.get("reason", "")
    return _draw_step(request, pk, lambda plan, redraw_of: _drawn(
        services.plan_draw(actor=request.user, plan=plan, reason=reason, redraw_of=redraw_of)))


@login_required
@require_POST
def plan_commit(request, pk):
    """Step one: the seed's commitment (and the pools' hashes) in the ledger, before the draw."""
    reason = request.POST.get("reason", "")

    def step(plan, redraw_of):
        held = services.plan_commit(actor=request.user, plan=plan, reason=reason, redraw_of=redraw_of)
        return f"种子承诺已记入日志第{held.commit_index}号（SHA-256 {held.commitment[:16]}…）；请进行抽取"
    return _draw_step(request, pk, step)


@login_required
@require_POST
def plan_reveal(request, pk):
    """Step two: draw with the committed seed and pools; seed and result published."""
    return _draw_step(request, pk, lambda plan, _redraw_of: _drawn(services.plan_reveal(actor=request.user,
                                                                                         plan=plan)))


@login_required
@require_POST
def plan_task(request, pk):
    plan = _plan_or_404(request.user, pk)
    try:
        case = services.task_open_from_draw(actor=request.user, plan=plan, uscc=request.POST.get("uscc", ""))
    except DomainError as exc:
        return _refused(request, exc, "inspections:plan", pk=plan.pk)
    messages.success(request, f"已生成检查任务：{case.number}")
    return redirect("cases:detail", pk=case.pk)


@login_required
@require_POST
def targets_import(request):
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, "请选择要导入的 Excel（.xlsx）文件")
        return redirect("inspections:home")
    try:
        rows = importers.import_entities(upload, actor=request.user)
    except ImportRejected as exc:
        details = "；".join(f"第{e['row']}行“{e['column']}”：{e['message']}" for e in exc.errors[:20])
        messages.error(request, f"{exc.message}。{details}")
        return redirect("inspections:home")
    except DomainError as exc:
        return _refused(request, exc)
    messages.success(request, f"已导入检查对象{len(rows)}户")
    return redirect("inspections:home")


@login_required
def targets_template(request):
    response = HttpResponse(importers.template_workbook(),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = 'attachment; filename="entities-template.xlsx"'
    return response


# --- 回避申报 ----------------------------------------------------------------------------------------


def _avoidance_context(request, **extra) -> dict:
    user = request.user
    return {"avoidances": selectors.staff_avoidances(user)[:300], "entities": selectors.staff_entities(user)
            .filter(is_active=True), "can_declare": getattr(user, "officer", None) is not None
            and user.role == Role.OFFICER, "error": None, "error_field": "", "values": {}, **extra}


@login_required
def avoidances(request):
    """回避申报: an officer declares (and withdraws) their own relations to targets; heads see their agency's."""
    user = request.user
    if request.method == "POST":
        raw = request.POST.get("entity", "")
        entity = selectors.staff_entities(user).filter(pk=int(raw)).first() if raw.isdigit() else None
        try:
            if entity is None:
                raise ValidationFailed("请选择检查对象（本机关检查对象名录库）", field="entity", code="entity_required")
            officer = getattr(user, "officer", None)
            if officer is None:
                raise RoleNotAllowed("回避申报由执法人员本人办理", code="role_not_allowed")
            services.avoidance_declare(actor=user, officer=officer, entity=entity,
                                       reason=request.POST.get("reason", ""))
        except DomainError as exc:
            note_denial(request, exc)
            context = _avoidance_context(request, error=exc, error_field=exc.field or "entity", values=request.POST)
            return render(request, "inspections/avoidances.html", context, status=exc.status)
        messages.success(request, f"已登记回避申报：{entity.name}；今后抽取不会将您与该对象配对")
        return redirect("inspections:avoidances")
    return render(request, "inspections/avoidances.html", _avoidance_context(request))


@login_required
@require_POST
def avoidance_withdraw(request, pk):
    try:
        row = Avoidance.objects.get_visible(request.user, pk=pk, message="回避申报不存在或无权查看")
    except NotFound as exc:
        raise Http404(exc.message) from exc
    try:
        services.avoidance_withdraw(actor=request.user, avoidance=row,
                                    reason=request.POST.get("withdrawn_reason", ""))
    except DomainError as exc:
        return _refused(request, exc, "inspections:avoidances")
    messages.success(request, f"已撤回对{row.entity.name}的回避申报")
    return redirect("inspections:avoidances")
