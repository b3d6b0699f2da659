"""Reads of the inspection app: scoped for staff, the published parts for everybody."""

from __future__ import annotations

from sanxiang.draws import selectors as draw_selectors
from sanxiang.inspections.models import CheckItem, MarketEntity, Plan, ResultNotice, Task


def public_check_items(agency_code: str = ""):
    qs = CheckItem.objects.filter(is_active=True).select_related("agency", "item")
    if agency_code:
        qs = qs.filter(agency__code=agency_code)
    return qs.order_by("agency__code", "pk")


def public_plans():
    return Plan.objects.select_related("agency", "check_item").order_by("-period_start", "-pk")


def public_plan(pk: int) -> Plan | None:
    return public_plans().filter(pk=pk).first()


def plan_draws(plan: Plan):
    return list(draw_selectors.draws_for(plan.draw_subject))


def plan_notices(plan: Plan):
    return ResultNotice.objects.filter(plan=plan).order_by("-month")


def staff_plans(user):
    return Plan.objects.visible_to(user).select_related("agency", "check_item").order_by("-period_start", "-pk")


def staff_plan(user, pk: int) -> Plan:
    return Plan.objects.get_visible(user, pk=pk, message="抽查计划不存在或无权查看")


def staff_entities(user):
    return MarketEntity.objects.visible_to(user).order_by("agency__code", "risk_grade", "uscc")


def my_drawn_targets(user, plan: Plan) -> list[dict]:
    """The drawn targets of the plan's current draw this officer was drawn for, with their task."""
    officer = getattr(user, "officer", None)
    draw = draw_selectors.current_draw(plan.draw_subject)
    if officer is None or draw is None:
        return []
    tasks = {t.entity.uscc: t for t in Task.objects.filter(draw=draw).select_related("entity", "case")}
    names = {m["id"]: m.get("name", "") for m in draw.pools.get("targets", [])}
    return [{"uscc": t["id"], "name": names.get(t["id"], ""), "task": tasks.get(t["id"])}
            for t in draw.result["targets"] if officer.certificate_no in t["inspectors"]]
