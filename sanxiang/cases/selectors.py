"""Reads of cases, scoped by the user's agency and role (denied by default)."""

from __future__ import annotations

from django.db.models import QuerySet

from sanxiang.accounts.models import Role
from sanxiang.cases.models import Case, Party
from sanxiang.common.exceptions import NotFound


def case_queryset(user) -> QuerySet[Case]:
    """Every case the user may see (the rule is Case.objects.visible_to, see accounts.scoping)."""
    return Case.objects.visible_to(user).select_related("agency", "item", "flow").prefetch_related(
        "case_parties__party")


def case_list(user, *, mine: bool = False, state: str | None = None) -> QuerySet[Case]:
    qs = case_queryset(user)
    if mine and user.role == Role.OFFICER and hasattr(user, "officer"):
        qs = qs.filter(officers=user.officer)
    if state:
        qs = qs.filter(state=state)
    return qs.distinct()


def case_get(user, pk: int) -> Case:
    """The case, or NotFound (OutOfScope, audited, when it exists outside the user's scope)."""
    return Case.objects.select_related("agency", "item", "flow").prefetch_related("case_parties__party").get_visible(
        user, pk=pk, message="案件不存在或无权查看")


def work_queue(user) -> QuerySet[Case]:
    """Cases waiting for this user's role in their current step (待办)."""
    from sanxiang.cases.engine import flow_spec

    qs = case_queryset(user)
    ids = []
    for case in qs:
        step = flow_spec(case.flow).steps.get(case.state)
        if step is None:
            continue
        for action in step.actions.values():
            # An action that only ever returns to its own step (延长审核期限) is optional: it does
            # not make the case wait for this user.
            if all(route.to == step.code for route in action.routes):
                continue
            if user.role in action.roles:
                if action.assigned_only and not case.officers.filter(user=user).exists():
                    continue
                ids.append(case.pk)
                break
    return qs.filter(pk__in=ids)


def party_get(user, pk: int) -> Party:
    """A party the user may see: one that is a party to a case the user may see."""
    party = Party.objects.filter(pk=pk, case_links__case__in=case_queryset(user)).distinct().first()
    if party is None:
        if Party.objects.filter(pk=pk).exists():
            from sanxiang.accounts.scoping import OutOfScope

            raise OutOfScope("当事人不存在或无权查看", ref=f"cases.party:{pk}")
        raise NotFound("当事人不存在或无权查看")
    return party
