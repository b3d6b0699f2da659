"""Builds form widgets for a flow action from its field specs (the flow is the form's source)."""

from __future__ import annotations

from dataclasses import dataclass

from sanxiang.cases import rules
from sanxiang.cases.engine import ActionSpec, FieldSpec


@dataclass
class Widget:
    spec: FieldSpec
    options: list[tuple[str, str]]
    value: object

    @property
    def name(self) -> str:
        return self.spec.name


def action_widgets(action: ActionSpec, case, submitted: dict | None = None) -> list[Widget]:
    from sanxiang.registry.models import Officer

    widgets = []
    for spec in action.fields:
        options: list[tuple[str, str]] = []
        if spec.choices:
            options = list(rules.CHOICE_LISTS[spec.choices].choices)
        elif spec.type == "officer":
            options = [(str(o.pk), f"{o.name}（{o.certificate_no or '无执法证'}）") for o in Officer.objects.filter(
                agency_id__in=case.agency.descendant_ids()).exclude(staff_type="auxiliary")]
        elif spec.type == "checklist":
            options = list(rules.REVIEW_CHECKLIST)
        if submitted is not None and spec.type == "multichoice" and hasattr(submitted, "getlist"):
            value = submitted.getlist(spec.name) or None
        else:
            value = (submitted or {}).get(spec.name)
        if value is None:
            value = _default(spec, case)
        widgets.append(Widget(spec, options, value))
    return widgets


def _default(spec: FieldSpec, case):
    """Prefill from what the case already knows, so a step never asks twice."""
    if spec.name == "penalty_kinds":
        return case.penalty_kinds or case.proposed_penalty_kinds
    if spec.name == "fine_amount":
        return case.fine_amount if case.fine_amount is not None else case.proposed_fine
    if hasattr(case, spec.name):
        return getattr(case, spec.name)
    return case.data.get(spec.name)


def submitted_values(action: ActionSpec, post) -> dict:
    """Read an action's fields from a POST (lists for multichoice, dict for checklist)."""
    data = {}
    for spec in action.fields:
        if spec.type == "multichoice":
            data[spec.name] = post.getlist(spec.name)
        elif spec.type == "checklist":
            data[spec.name] = {key: f"{spec.name}.{key}" in post for key, _ in rules.REVIEW_CHECKLIST}
        elif spec.type == "bool":
            data[spec.name] = spec.name in post
        else:
            data[spec.name] = post.get(spec.name)
    return data
