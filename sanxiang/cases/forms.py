"""Form widgets for a flow action, built from its field specs: the flow is the form's source.

No rule lives here. Values are converted and checked by the engine (`engine.clean_value`) and
the guards; this module only renders what the flow asks for, reads a POST back into the shape
the service expects, keeps what the user typed when the service refuses it, and puts the
refusal next to the field it names.
"""

from __future__ import annotations

from dataclasses import dataclass

from sanxiang.cases import engine
from sanxiang.cases.engine import ActionSpec, FieldSpec
from sanxiang.common.params import is_db_id


@dataclass
class Widget:
    """One field of an action form: its spec, its options, the value to show and its error."""

    spec: FieldSpec
    options: list[tuple[str, str]]
    value: object
    error: str = ""
    kind_options: list[tuple[str, str]] | None = None  # party_penalties: the penalty kinds

    @property
    def party_rows(self) -> list[dict]:
        """party_penalties: one row per party of the case ({party, label, kinds, fine})."""
        given = {str(r.get("party")): r for r in (self.value or []) if isinstance(r, dict)}
        rows = []
        for pk, label in self.options:
            row = given.get(pk, {})
            rows.append({"party": pk, "label": label, "kinds": [str(k) for k in row.get("penalty_kinds") or []],
                         "fine": row.get("fine_amount")})
        return rows

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def selected(self) -> list[str]:
        """The chosen options as strings (multichoice), or the checked keys (checklist)."""
        if isinstance(self.value, dict):
            return [k for k, v in self.value.items() if v]
        if isinstance(self.value, list | tuple):
            return [str(v) for v in self.value]
        return []


def _officer_options(case) -> list[tuple[str, str]]:
    from sanxiang.registry.models import Officer

    officers = Officer.objects.filter(agency_id__in=case.agency.descendant_ids()).exclude(
        staff_type="auxiliary").order_by("name")
    return [(str(o.pk), f"{o.name}（{o.certificate_no or '无执法证'}）") for o in officers]


def field_options(spec: FieldSpec, case) -> list[tuple[str, str]]:
    if spec.type == "party_penalties":
        if case is None:
            return []
        return [(str(p.pk), f"{p.name}（{p.get_kind_display()}）") for p in case.parties_in_order()]
    if spec.type == "checklist":
        return engine.checklist_items(spec, getattr(case, "agency", None))
    if spec.choices:
        return engine.choice_options(spec.choices, case)
    if spec.type in {"officer", "officers"}:
        return _officer_options(case) if case is not None else []
    return []


def action_widgets(action: ActionSpec, case, submitted=None, error=None) -> list[Widget]:
    """The widgets of `action`. With `submitted` (the refused POST), show what was typed; with
    `error` (the refusal), attach its message to the field it names."""
    widgets = []
    for spec in action.fields:
        if submitted is not None:
            value = submitted_values(action, submitted, case.agency)[spec.name]
        else:
            value = _default(spec, case)
        widget = Widget(spec, field_options(spec, case), value)
        if spec.type == "party_penalties":
            widget.kind_options = [(str(v), str(label)) for v, label in engine.CHOICE_LISTS[spec.choices].choices]
        if error is not None and error.field == spec.name:
            widget.error = error.message
        widgets.append(widget)
    return widgets


def unplaced_error(widgets: list[Widget], error) -> str:
    """The refusal's message when it names no field of this form (shown at the form's top)."""
    if error is None or any(w.error for w in widgets):
        return ""
    return error.message


def _default(spec: FieldSpec, case):
    """Prefill from what the case already knows, so a step never asks twice."""
    if spec.name == "penalty_kinds":
        return case.penalty_kinds or case.proposed_penalty_kinds
    if spec.name == "fine_amount":
        return case.fine_amount if case.fine_amount is not None else case.proposed_fine
    if spec.type == "checklist":
        return {}
    if spec.type == "party_penalties":
        # Each party starts from the penalty the 告知书 notified to all of them.
        return case.data.get(spec.name) or [
            {"party": p.pk, "penalty_kinds": list(case.proposed_penalty_kinds),
             "fine_amount": case.proposed_fine} for p in case.parties_in_order()]
    if hasattr(case, spec.name):
        return getattr(case, spec.name)
    return case.data.get(spec.name)


def submitted_values(action: ActionSpec, post, agency=None) -> dict:
    """Read an action's fields from a POST (lists for multichoice, dict for checklist)."""
    data = {}
    for spec in action.fields:
        if spec.type in {"multichoice", "officers"}:
            data[spec.name] = post.getlist(spec.name)
        elif spec.type == "checklist":
            data[spec.name] = {key: f"{spec.name}.{key}" in post for key, _ in engine.checklist_items(spec, agency)}
        elif spec.type == "bool":
            data[spec.name] = spec.name in post
        elif spec.type == "party_penalties":
            data[spec.name] = _posted_party_penalties(spec.name, post)
        else:
            data[spec.name] = post.get(spec.name, "")
    return data


def _posted_party_penalties(name: str, post) -> list[dict] | None:
    """Rows posted as <name>.<party id>.party / .penalty_kinds / .fine_amount, in form order."""
    marker = ".party"
    ids = [key[len(name) + 1:-len(marker)] for key in post if key.startswith(name + ".") and key.endswith(marker)]
    if not ids:
        return None
    return [{"party": pk, "penalty_kinds": post.getlist(f"{name}.{pk}.penalty_kinds"),
             "fine_amount": post.get(f"{name}.{pk}.fine_amount", "")} for pk in ids]


def describe_values(action: ActionSpec | None, data: dict, officer_names: dict[int, str]) -> list[tuple[str, str]]:
    """What an event recorded, as (label, text) pairs for the case history."""
    if action is None:
        return []
    out = []
    for spec in action.fields:
        value = data.get(spec.name)
        if value in (None, "", [], {}):
            continue
        out.append((spec.label, _value_text(spec, value, officer_names)))
    return out


def _value_text(spec: FieldSpec, value, officer_names: dict[int, str]) -> str:
    if spec.type == "bool":
        return "是" if value else "否"
    if spec.type == "money":
        return str(value) if "元" in spec.label else f"{value}元"
    if spec.type in {"choice", "multichoice"}:
        labels = dict(field_options(spec, None))
        values = value if isinstance(value, list) else [value]
        return "、".join(labels.get(str(v), str(v)) for v in values)
    if spec.type == "officer":
        return officer_names.get(int(value), str(value)) if is_db_id(value) else str(value)
    if spec.type == "officers" and isinstance(value, list):
        return "、".join(officer_names.get(int(v), str(v)) if is_db_id(v) else str(v) for v in value)
    if spec.type == "party_penalties" and isinstance(value, list):
        from sanxiang.cases.models import Party

        names = dict(Party.objects.filter(pk__in=[r.get("party") for r in value]).values_list("pk", "name"))
        kinds = dict(engine.CHOICE_LISTS[spec.choices].choices)
        return "；".join(
            f"{names.get(r.get('party'), r.get('party'))}：{'、'.join(str(kinds.get(k, k)) for k in r.get('penalty_kinds') or [])}"
            + (f"，罚款{r['fine_amount']}元" if r.get("fine_amount") else "") for r in value)
    if spec.type == "checklist" and isinstance(value, dict):
        failed = [label for key, label in engine.checklist_items(spec) if key in value and not value.get(key)]
        return "逐项审核均通过" if not failed else "未通过：" + "、".join(failed)
    return str(value)
