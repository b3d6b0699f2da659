"""Reads of the inspection app: scoped for staff, the published parts for everybody."""

from __future__ import annotations

from sanxiang.draws import selectors as draw_selectors
from sanxiang.inspections.models import Avoidance, CheckItem, MarketEntity, Plan, ResultNotice, Task


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


def staff_check_items(user):
    """The 随机抽查事项清单 entries a head may plan from: active, of the agencies the user sees."""
    return CheckItem.objects.visible_to(user).filter(is_active=True).select_related("agency").order_by("agency__code",
                                                                                                       "pk")


def plan_pool_summary(plan: Plan) -> dict:
    """What a draw of the plan would commit to today: pool sizes per stratum and the pools' hashes
    (the same inputs the draw service computes; nothing is written)."""
    from django.utils import timezone

    from sanxiang.draws import algorithm
    from sanxiang.inspections.services import draw_inputs

    pools, parameters = draw_inputs(plan, timezone.localdate())
    grades = {}
    for member in pools["targets"]:
        grades[member["stratum"]] = grades.get(member["stratum"], 0) + 1
    return {"targets": len(pools["targets"]), "inspectors": len(pools["inspectors"]),
            "grades": dict(sorted(grades.items())), "team_size": parameters["team_size"],
            "exclusions": len(parameters["exclusions"]),
            "hashes": {name: algorithm.pool_hash(members) for name, members in sorted(pools.items())}}


def draw_rows(draw) -> dict:
    """A draw's result for the staff page: target ↔ inspectors with names, exclusions with reasons."""
    names = {m["id"]: m.get("name", "") for pool in draw.pools.values() for m in pool}
    tasks = {t.entity.uscc: t for t in Task.objects.filter(draw=draw).select_related("entity", "case")}
    rows = [{"id": t["id"], "name": names.get(t["id"], ""), "stratum": t["stratum"],
             "inspectors": [{"id": i, "name": names.get(i, "")} for i in t["inspectors"]],
             "task": tasks.get(t["id"])} for t in draw.result["targets"]]
    avoided = [{**a, "target_name": names.get(a["target"], ""), "inspector_name": names.get(a["inspector"], "")}
               for a in draw.result.get("avoided", [])]
    excluded = [{**e, "target_name": names.get(e["target"], ""), "inspector_name": names.get(e["inspector"], "")}
                for e in draw.parameters.get("exclusions", [])]
    return {"rows": rows, "avoided": avoided, "excluded": excluded, "unstaffed": draw.result.get("unstaffed", [])}


def staff_avoidances(user):
    """回避申报: an officer sees their own; heads (and others in scope) see their agencies'."""
    qs = Avoidance.objects.visible_to(user).select_related("officer", "entity", "declared_by")
    if user.role == "officer":
        qs = qs.filter(officer__user=user)
    return qs.order_by("-declared_at", "-pk")
