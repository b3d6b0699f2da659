"""Reads of compulsion cases, scoped through the cases' own rule (accounts.scoping)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from sanxiang.cases.engine import flow_spec
from sanxiang.cases.models import Case
from sanxiang.compulsion.facts import ENFORCEMENT_FLOW, SEIZURE_FLOW, seizure_days_left, seizure_ends_on
from sanxiang.compulsion.services import unpaid_fine


def _visible(user):
    return Case.objects.visible_to(user).select_related("agency", "item", "flow").prefetch_related("case_parties__party")


def seizures(user, on: dt.date | None = None) -> list[dict]:
    on = on or timezone.localdate()
    rows = []
    for case in _visible(user).filter(flow__code=SEIZURE_FLOW).order_by("-opened_on", "-pk")[:200]:
        case.state_name = flow_spec(case.flow).step_name(case.state)
        rows.append({"case": case, "ends_on": seizure_ends_on(case), "days_left": seizure_days_left(case, on),
                     "extended": bool(case.data.get("seizure_extended")), "things": case.seized_things.count(),
                     "in_force": case.state == "in_force"})
    return rows


def enforcements(user) -> list[Case]:
    cases = list(_visible(user).filter(flow__code=ENFORCEMENT_FLOW).order_by("-opened_on", "-pk")[:200])
    for case in cases:
        case.state_name = flow_spec(case.flow).step_name(case.state)
    return cases


def overdue_fines(user, on: dt.date | None = None) -> list[dict]:
    """Penalty cases whose fine is overdue and unpaid, not yet carried into an enforcement case."""
    on = on or timezone.localdate()
    rows = []
    qs = _visible(user).filter(item__kind="penalty", fine_amount__gt=0, served_on__isnull=False,
                               enforcement_follow_up__isnull=True)
    for case in qs.order_by("served_on")[:200]:
        owed = unpaid_fine(case, on)
        if owed is not None:
            rows.append({"case": case, **owed})
    return rows
