"""Portal: 随机抽查事项清单, plans with their published draws, and 抽查结果公示."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import render

from sanxiang.inspections import selectors
from sanxiang.registry import selectors as registry


def spot_checks(request):
    agency = request.GET.get("agency", "")
    return render(request, "portal/inspections/spot_checks.html", {
        "items": selectors.public_check_items(agency_code=agency), "plans": selectors.public_plans()[:100],
        "agencies": registry.public_agencies(), "agency": agency,
    })


def plan_detail(request, pk: int):
    plan = selectors.public_plan(pk)
    if plan is None:
        raise Http404("抽查计划不存在")
    return render(request, "portal/inspections/plan.html", {
        "plan": plan, "draws": selectors.plan_draws(plan), "notices": selectors.plan_notices(plan),
    })
