"""Staff pages of 双随机抽查: plans and their draws, the officer's drawn targets, the target pool.

Plain form posts (post, redirect, get); every write goes through inspections.services.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from sanxiang.accounts.denials import note_denial
from sanxiang.accounts.models import Role
from sanxiang.common.exceptions import DomainError, ImportRejected, NotFound
from sanxiang.draws import selectors as draw_selectors
from sanxiang.draws.models import Draw
from sanxiang.inspections import importers, selectors, services
from sanxiang.inspections.models import RiskGrade


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


def _refused(request, exc: DomainError):
    note_denial(request, exc)
    messages.error(request, exc.message)
    return redirect("inspections:home")


@login_required
@require_POST
def plan_draw(request, pk):
    plan = _plan_or_404(request.user, pk)
    redraw_of = None
    raw = request.POST.get("redraw_of", "")
    if raw.isdigit():
        redraw_of = Draw.objects.filter(pk=int(raw), subject=plan.draw_subject).first()
    try:
        draw = services.plan_draw(actor=request.user, plan=plan, reason=request.POST.get("reason", ""),
                                  redraw_of=redraw_of)
    except DomainError as exc:
        return _refused(request, exc)
    messages.success(request, f"已完成随机抽取（第{draw.pk}号），种子承诺记入日志第{draw.commit_index}号，结果已公开")
    return redirect("inspections:home")


@login_required
@require_POST
def plan_task(request, pk):
    plan = _plan_or_404(request.user, pk)
    try:
        case = services.task_open_from_draw(actor=request.user, plan=plan, uscc=request.POST.get("uscc", ""))
    except DomainError as exc:
        return _refused(request, exc)
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
