"""The flow engine: reads a flow declared as data and decides what may happen next.

A flow (registry.Flow.definition, shipped defaults in cases/flows/*.json) lists steps; each step
lists actions with the roles allowed, the fields required, named guards, named effects and
routes to the next step. Guards, route conditions and effects are looked up by name in the
registries below, so a flow can only name rules the engine actually enforces, and the portal
draws the flowchart from the same definition.

The engine owns the registries; apps register their rules from `AppConfig.ready()` with the
decorators `guard`, `condition` and `effect` (and `choice_list`, `checklist`), each with the Chinese
sentence the portal prints and the article it enforces. The engine imports no app.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.utils.dateparse import parse_date

FIELD_TYPES = {"text", "date", "money", "bool", "choice", "multichoice", "officer", "checklist", "party_penalties"}


class FlowDefinitionError(ValueError):
    """The flow definition is malformed or names an unknown guard, condition or effect."""


# --- the registries ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    """A named guard, route condition or effect: the code and the sentence the public reads."""

    name: str
    func: Callable
    label: str
    rule: str = ""

    def __call__(self, ctx):
        return self.func(ctx)

    @property
    def text(self) -> str:
        """The sentence with its legal basis, as the portal flowchart prints it."""
        return f"{self.label}（{self.rule}）" if self.rule and self.rule not in self.label else self.label


GUARDS: dict[str, Rule] = {}
CONDITIONS: dict[str, Rule] = {}
EFFECTS: dict[str, Rule] = {}
CHOICE_LISTS: dict[str, type] = {}
# name -> callable(agency or None) -> list of (key, label): the items a checklist field asks for.
CHECKLISTS: dict[str, Callable] = {}


def _register(registry: dict, kind: str, name: str, label: str, rule: str):
    def decorator(func):
        existing = registry.get(name)
        if existing is not None and existing.func is not func:
            # Same module imported twice under two names would silently shadow a rule.
            if (existing.func.__module__, existing.func.__qualname__) != (func.__module__, func.__qualname__):
                raise FlowDefinitionError(f"{kind}“{name}”重复注册")
        registry[name] = Rule(name, func, label, rule)
        return func
    return decorator


def guard(name: str, *, label: str, rule: str = ""):
    """Register a guard: it raises a DomainError when the transition would break `rule`."""
    return _register(GUARDS, "校验规则", name, label, rule)


def condition(name: str, *, label: str):
    """Register a route condition: true when the route applies (label reads “…的”)."""
    return _register(CONDITIONS, "条件", name, label, "")


def effect(name: str, *, label: str, rule: str = ""):
    """Register an effect: what the transition does beyond moving the case."""
    return _register(EFFECTS, "处理", name, label, rule)


def choice_list(name: str, choices: type) -> None:
    CHOICE_LISTS[name] = choices


def checklist(name: str):
    def decorator(func):
        CHECKLISTS[name] = func
        return func
    return decorator


@dataclass
class Context:
    """What a guard, condition or effect sees of one transition."""

    case: object
    action: object
    values: dict
    actor: object
    today: dt.date
    created: list = field(default_factory=list)
    content: dict = field(default_factory=dict)
    files: list = field(default_factory=list)


@dataclass(frozen=True)
class FieldSpec:
    name: str
    label: str
    type: str
    required: bool = False
    choices: str | None = None


@dataclass(frozen=True)
class Route:
    to: str
    when: str | None = None


@dataclass(frozen=True)
class ActionSpec:
    code: str
    name: str
    roles: tuple[str, ...]
    guards: tuple[str, ...]
    fields: tuple[FieldSpec, ...]
    routes: tuple[Route, ...]
    effects: tuple[str, ...] = ()
    assigned_only: bool = False


@dataclass(frozen=True)
class StepSpec:
    code: str
    name: str
    actions: dict[str, ActionSpec]
    due: dict | None = None


@dataclass(frozen=True)
class FlowSpec:
    code: str
    name: str
    start: str
    steps: dict[str, StepSpec]
    final: dict[str, str] = field(default_factory=dict)

    def step_name(self, code: str) -> str:
        if code in self.steps:
            return self.steps[code].name
        return self.final.get(code, code)

    def is_final(self, code: str) -> bool:
        return code in self.final


def parse_definition(definition: dict) -> FlowSpec:
    """Build a FlowSpec, refusing anything the engine could not run."""
    try:
        steps: dict[str, StepSpec] = {}
        for raw_step in definition["steps"]:
            actions = {}
            for raw in raw_step["actions"]:
                fields = tuple(
                    FieldSpec(f["name"], f["label"], f["type"], bool(f.get("required")), f.get("choices"))
                    for f in raw.get("fields", [])
                )
                for f in fields:
                    if f.type not in FIELD_TYPES:
                        raise FlowDefinitionError(f"字段“{f.label}”的类型“{f.type}”不受支持")
                    if f.type in {"choice", "multichoice", "party_penalties"} and f.choices not in CHOICE_LISTS:
                        raise FlowDefinitionError(f"字段“{f.label}”引用了未知的选项表“{f.choices}”")
                    if f.type == "checklist" and (f.choices or DEFAULT_CHECKLIST) not in CHECKLISTS:
                        raise FlowDefinitionError(f"字段“{f.label}”引用了未知的审核清单“{f.choices}”")
                routes = tuple(Route(r["to"], r.get("when")) for r in raw["routes"])
                action = ActionSpec(
                    code=raw["code"], name=raw["name"], roles=tuple(raw["roles"]), guards=tuple(raw.get("guards", [])),
                    fields=fields, routes=routes, effects=tuple(raw.get("effects", [])),
                    assigned_only=bool(raw.get("assigned_only")),
                )
                for name in action.guards:
                    if name not in GUARDS:
                        raise FlowDefinitionError(f"操作“{action.name}”引用了未知的校验规则“{name}”")
                for name in action.effects:
                    if name not in EFFECTS:
                        raise FlowDefinitionError(f"操作“{action.name}”引用了未知的处理“{name}”")
                for route in routes:
                    if route.when and route.when not in CONDITIONS:
                        raise FlowDefinitionError(f"操作“{action.name}”引用了未知的条件“{route.when}”")
                if not routes or routes[-1].when is not None:
                    raise FlowDefinitionError(f"操作“{action.name}”须以无条件的去向结尾")
                actions[action.code] = action
            steps[raw_step["code"]] = StepSpec(raw_step["code"], raw_step["name"], actions, raw_step.get("due"))
        spec = FlowSpec(definition["code"], definition["name"], definition["start"], steps,
                        dict(definition.get("final", {})))
    except (KeyError, TypeError) as exc:
        raise FlowDefinitionError(f"流程定义缺少必要的键：{exc}") from exc
    known = set(spec.steps) | set(spec.final)
    if spec.start not in spec.steps:
        raise FlowDefinitionError(f"起始环节“{spec.start}”未定义")
    for step in spec.steps.values():
        for action in step.actions.values():
            for route in action.routes:
                if route.to not in known:
                    raise FlowDefinitionError(f"操作“{action.name}”的去向“{route.to}”未定义")
    return spec


def validate_definition(definition: dict) -> None:
    parse_definition(definition)


_cache: dict[tuple[int, str], FlowSpec] = {}


def flow_spec(flow) -> FlowSpec:
    """The parsed spec of a registry.Flow row (cached per row and definition content)."""
    import json

    key = (flow.pk, json.dumps(flow.definition, sort_keys=True))
    if key not in _cache:
        _cache[key] = parse_definition(flow.definition)
    return _cache[key]


DEFAULT_CHECKLIST = "review_checklist"


def checklist_items(spec: FieldSpec, agency=None) -> list[tuple[str, str]]:
    """The (key, label) items a checklist field asks for, as registered (per agency when it has its own)."""
    return list(CHECKLISTS[spec.choices or DEFAULT_CHECKLIST](agency))


def clean_value(spec: FieldSpec, raw, choice_values: set[str] | None, agency=None):
    """Convert one submitted value; returns (value, error message or None)."""
    empty = raw is None or raw == "" or raw == [] or raw == {}
    if spec.type == "bool":
        if isinstance(raw, bool):
            return raw, None
        return str(raw).lower() in {"1", "true", "on", "yes", "是"}, None
    if empty:
        return None, (f"“{spec.label}”为必填项" if spec.required else None)
    if spec.type == "text":
        text = str(raw).strip()
        if spec.required and not text:
            return None, f"“{spec.label}”为必填项"
        return text, None
    if spec.type == "date":
        value = raw if hasattr(raw, "isoformat") else parse_date(str(raw))
        if value is None:
            return None, f"“{spec.label}”须为有效日期（YYYY-MM-DD）"
        return value, None
    if spec.type == "money":
        try:
            value = Decimal(str(raw))
        except InvalidOperation:
            return None, f"“{spec.label}”须为金额数字"
        if value < 0 or value != value.quantize(Decimal("0.01")):
            return None, f"“{spec.label}”须为不小于零、最多两位小数的金额"
        return value, None
    if spec.type == "choice":
        if str(raw) not in choice_values:
            return None, f"“{spec.label}”的取值“{raw}”不在可选范围内"
        return str(raw), None
    if spec.type == "multichoice":
        values = raw if isinstance(raw, list | tuple) else [v for v in str(raw).split(",") if v]
        bad = [v for v in values if v not in choice_values]
        if bad:
            return None, f"“{spec.label}”的取值“{'、'.join(bad)}”不在可选范围内"
        return list(dict.fromkeys(values)), None
    if spec.type == "officer":
        try:
            return int(raw), None
        except (TypeError, ValueError):
            return None, f"“{spec.label}”须选择一名执法人员"
    if spec.type == "party_penalties":
        return _clean_party_penalties(spec, raw, choice_values)
    if spec.type == "checklist":
        if not isinstance(raw, dict):
            return None, f"“{spec.label}”格式错误"
        items = checklist_items(spec, agency)
        keys = {k for k, _ in items}
        missing = [label for k, label in items if k not in raw]
        if missing:
            return None, f"“{spec.label}”须逐项填写审核结论，缺少：{'、'.join(missing)}"
        return {k: bool(raw[k]) for k in keys}, None
    return raw, None


def _clean_party_penalties(spec: FieldSpec, raw, choice_values: set[str] | None):
    """Each party's own penalty: [{"party": Party id, "penalty_kinds": [...], "fine_amount": "…"}].

    Only the shape is checked here; which parties the case has is a guard's business (the
    engine knows no case). Amounts stay strings so the value can be stored as JSON.
    """
    if not isinstance(raw, list | tuple):
        return None, f"“{spec.label}”格式错误，须为每名当事人一项"
    out = []
    for row in raw:
        if not isinstance(row, dict) or not str(row.get("party", "")).strip().isdigit():
            return None, f"“{spec.label}”每项须指明当事人"
        kinds_spec = FieldSpec("penalty_kinds", "处罚种类", "multichoice")
        kinds, error = clean_value(kinds_spec, row.get("penalty_kinds") or [], choice_values)
        if error:
            return None, f"“{spec.label}”中{error}"
        fine, error = clean_value(FieldSpec("fine_amount", "罚款金额", "money"), row.get("fine_amount"), None)
        if error:
            return None, f"“{spec.label}”中{error}"
        out.append({"party": int(str(row["party"]).strip()), "penalty_kinds": kinds or [],
                    "fine_amount": None if fine is None else str(fine)})
    return out, None
