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
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from sanxiang.common.params import safe_parse_date

FIELD_TYPES = {"text", "date", "money", "bool", "choice", "multichoice", "officer", "officers", "checklist",
               "party_penalties"}


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
# Separation of duties (职能分离): who may not do what on a case, named in the flow per step or action.
SEPARATIONS: dict[str, Rule] = {}
# Document kinds (文书种类) registered by the documents app: code -> Chinese name.
DOCUMENT_KINDS: dict[str, str] = {}
# Statutory figures the registry knows (registry.params.DEFAULTS): code -> (label, unit, source).
PARAMETERS: dict[str, tuple[str, str, str]] = {}
PARAMETER_DEFAULTS: dict[str, str] = {}
# Evidence kinds registered by the records app: code -> Chinese name.
EVIDENCE_KINDS: dict[str, str] = {}
# Roles registered by the accounts app: code -> Chinese name.
ROLES: dict[str, str] = {}
CHOICE_LISTS: dict[str, type] = {}
# name -> callable(agency or None) -> list of (key, label): the items a checklist field asks for.
CHECKLISTS: dict[str, Callable] = {}
# name -> callable(case or None) -> list of (value, label): choices that depend on the case (e.g. the
# circumstances of the discretion benchmark in force for its item); with None, every known value.
CHOICE_PROVIDERS: dict[str, Callable] = {}


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


def separation(name: str, *, label: str, rule: str = ""):
    """Register a separation-of-duties rule: it raises a DomainError when the actor may not act.

    It runs for an action, for a document issued or evidence attached at a step that names it;
    `ctx.doing` says which ("action", "document" or "evidence")."""
    return _register(SEPARATIONS, "职能分离规则", name, label, rule)


def document_kind(code: str, name: str) -> None:
    """Register a document kind, so a flow can declare it on its steps."""
    DOCUMENT_KINDS[code] = name


def parameter(code: str, *, label: str, unit: str = "", source: str = "", default: str = "") -> None:
    """Register a known statutory figure, so a flow can name it as a period or due date."""
    PARAMETERS[code] = (label, unit, source)
    PARAMETER_DEFAULTS[code] = default


def evidence_kind(code: str, name: str) -> None:
    EVIDENCE_KINDS[code] = name


def role(code: str, name: str) -> None:
    ROLES[code] = name


def choice_list(name: str, choices: type) -> None:
    CHOICE_LISTS[name] = choices


def choice_provider(name: str):
    """Register a per-case choice list for "choice"/"multichoice" fields (`choices` names it)."""
    def decorator(func):
        CHOICE_PROVIDERS[name] = func
        return func
    return decorator


def choice_options(name: str, case=None) -> list[tuple[str, str]]:
    """The (value, label) options of a choice list: a static one, or a provider's for this case."""
    if name in CHOICE_PROVIDERS:
        return [(str(v), str(label)) for v, label in CHOICE_PROVIDERS[name](case)]
    return [(str(v), str(label)) for v, label in CHOICE_LISTS[name].choices]


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
    step: str = ""
    doing: str = "action"  # "action", "document" or "evidence" (for separation rules)
    kind: str = ""  # the document or evidence kind, when doing is not "action"


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
class PeriodSpec:
    """A statutory period between two recorded dates, declared on an action.

    `min`: at least `param` days must run from `from_` to `on` (the date the action records, or
    the day it is done) — refused before, unless one of the `unless` conditions holds, and only
    when the `when` condition holds. `within`: `on` should lie at most `param` days after
    `from_` — a late act is done but flagged on the case and the workbench, not refused."""

    param: str
    from_: str
    on: str | None = None
    mode: str = "min"
    unless: tuple[str, ...] = ()
    when: str | None = None
    code: str = ""


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
    separation: tuple[str, ...] = ()
    periods: tuple[PeriodSpec, ...] = ()


@dataclass(frozen=True)
class StepSpec:
    code: str
    name: str
    actions: dict[str, ActionSpec]
    due: dict | None = None
    documents: tuple[str, ...] = ()
    separation: tuple[str, ...] = ()
    dossier: tuple[dict, ...] = ()
    # 加处罚款 (Art. 72) of a fine unpaid at this step: {"due": payment-days param, "from": date it
    # runs from, "paid": date recording payment, "rate": per-day percent param, "cap": cap-ratio param}.
    surcharge: dict | None = None


SURCHARGE_PARAMS = ("due", "rate", "cap")
SURCHARGE_DATES = ("from", "paid")


# Dates the engine records itself (not through a step field), with their labels.
BUILTIN_DATES = {"opened_on": "立案日期", "closed_on": "结案日期"}
PROCEDURES = {"general": "一般程序", "simple": "简易程序"}
PERIOD_MODES = {"min", "within"}
DEFAULT_CASE_MARK = "立"


@dataclass(frozen=True)
class FlowSpec:
    code: str
    name: str
    start: str
    steps: dict[str, StepSpec]
    final: dict[str, str] = field(default_factory=dict)
    procedure: str = "general"
    decision_document: str = ""
    decision_mark: str = ""
    # 立案编号的字: penalty cases keep 立 (and its counter); other kinds have their own mark and counter.
    case_mark: str = DEFAULT_CASE_MARK
    # Date fields in the order they must be recorded (立案 ≤ 告知 ≤ 决定 ≤ 送达 ≤ 执行 ≤ 结案).
    chronology: tuple[str, ...] = ()
    date_labels: dict[str, str] = field(default_factory=dict)

    def step_name(self, code: str) -> str:
        if code in self.steps:
            return self.steps[code].name
        return self.final.get(code, code)

    def is_final(self, code: str) -> bool:
        return code in self.final

    def date_label(self, name: str) -> str:
        return self.date_labels.get(name, name)

    def document_steps(self, kind: str) -> list[str]:
        """The steps at which documents of `kind` are made (declared per step)."""
        return [s.code for s in self.steps.values() if kind in s.documents]

    def documents(self) -> list[str]:
        return list(dict.fromkeys(k for s in self.steps.values() for k in s.documents))

    def surcharge(self) -> dict | None:
        """The flow's 加处罚款 declaration (on the step where payment is recorded), if any."""
        return next((s.surcharge for s in self.steps.values() if s.surcharge), None)


def _names(raw, key: str) -> tuple[str, ...]:
    value = raw.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise FlowDefinitionError(f"“{key}”须为名称列表")
    return tuple(value)


def _parse_period(raw: dict, where: str) -> PeriodSpec:
    period = PeriodSpec(param=raw["param"], from_=raw["from"], on=raw.get("on"), mode=raw.get("mode", "min"),
                        unless=tuple(raw.get("unless", [])), when=raw.get("when"), code=raw.get("code", ""))
    if period.param not in PARAMETERS:
        raise FlowDefinitionError(f"{where}的期限引用了未知的参数“{period.param}”")
    if period.mode not in PERIOD_MODES:
        raise FlowDefinitionError(f"{where}的期限类型“{period.mode}”不受支持")
    for name in (*period.unless, *([period.when] if period.when else [])):
        if name not in CONDITIONS:
            raise FlowDefinitionError(f"{where}的期限引用了未知的条件“{name}”")
    return period


def _parse_action(raw: dict) -> ActionSpec:
    fields = tuple(
        FieldSpec(f["name"], f["label"], f["type"], bool(f.get("required")), f.get("choices"))
        for f in raw.get("fields", [])
    )
    for f in fields:
        if f.type not in FIELD_TYPES:
            raise FlowDefinitionError(f"字段“{f.label}”的类型“{f.type}”不受支持")
        if f.type in {"choice", "multichoice", "party_penalties"} and f.choices not in CHOICE_LISTS \
                and f.choices not in CHOICE_PROVIDERS:
            raise FlowDefinitionError(f"字段“{f.label}”引用了未知的选项表“{f.choices}”")
        if f.type == "checklist" and (f.choices or DEFAULT_CHECKLIST) not in CHECKLISTS:
            raise FlowDefinitionError(f"字段“{f.label}”引用了未知的审核清单“{f.choices}”")
    routes = tuple(Route(r["to"], r.get("when")) for r in raw["routes"])
    where = f"操作“{raw['name']}”"
    action = ActionSpec(
        code=raw["code"], name=raw["name"], roles=tuple(raw["roles"]), guards=_names(raw, "guards"),
        fields=fields, routes=routes, effects=_names(raw, "effects"), assigned_only=bool(raw.get("assigned_only")),
        separation=_names(raw, "separation"), periods=tuple(_parse_period(p, where) for p in raw.get("periods", [])),
    )
    _known(action.roles, ROLES, f"{where}引用了未知的角色")
    _known(action.guards, GUARDS, f"{where}引用了未知的校验规则")
    _known(action.effects, EFFECTS, f"{where}引用了未知的处理")
    _known(action.separation, SEPARATIONS, f"{where}引用了未知的职能分离规则")
    for route in routes:
        if route.when and route.when not in CONDITIONS:
            raise FlowDefinitionError(f"{where}引用了未知的条件“{route.when}”")
    if not routes or routes[-1].when is not None:
        raise FlowDefinitionError(f"{where}须以无条件的去向结尾")
    return action


def _known(names, registry: dict, message: str) -> None:
    for name in names:
        if name not in registry:
            raise FlowDefinitionError(f"{message}“{name}”")


def _parse_step(raw_step: dict) -> StepSpec:
    actions = {}
    for raw in raw_step["actions"]:
        action = _parse_action(raw)
        actions[action.code] = action
    where = f"环节“{raw_step['name']}”"
    due = raw_step.get("due")
    if due is not None:
        if due.get("param") not in PARAMETERS:
            raise FlowDefinitionError(f"{where}的期限引用了未知的参数“{due.get('param')}”")
        if due.get("unit") not in {"days", "working_days"}:
            raise FlowDefinitionError(f"{where}的期限单位“{due.get('unit')}”不受支持")
    documents = _names(raw_step, "documents")
    _known(documents, DOCUMENT_KINDS, f"{where}引用了未知的文书种类")
    separation = _names(raw_step, "separation")
    _known(separation, SEPARATIONS, f"{where}引用了未知的职能分离规则")
    dossier = tuple(raw_step.get("dossier", []))
    for need in dossier:
        if "document" in need:
            wanted = need["document"] if isinstance(need["document"], list) else [need["document"]]
            _known(wanted, DOCUMENT_KINDS, f"{where}的案卷要求引用了未知的文书种类")
        elif "evidence" in need:
            _known(need["evidence"], EVIDENCE_KINDS, f"{where}的案卷要求引用了未知的证据类型")
        elif "field" not in need:
            raise FlowDefinitionError(f"{where}的案卷要求须为文书、证据或字段之一")
    surcharge = raw_step.get("surcharge")
    if surcharge is not None:
        for key in SURCHARGE_PARAMS:
            if surcharge.get(key) not in PARAMETERS:
                raise FlowDefinitionError(f"{where}的加处罚款引用了未知的参数“{surcharge.get(key)}”")
    return StepSpec(raw_step["code"], raw_step["name"], actions, due, documents, separation, dossier, surcharge)


def parse_definition(definition: dict) -> FlowSpec:
    """Build a FlowSpec, refusing anything the engine could not run: every name a flow uses —
    guards, conditions, effects, separation rules, document kinds, parameters, dates — must be
    one the engine knows, so a misspelt name is refused when the flow is saved."""
    try:
        steps: dict[str, StepSpec] = {}
        for raw_step in definition["steps"]:
            step = _parse_step(raw_step)
            steps[step.code] = step
        date_labels = dict(BUILTIN_DATES)
        for step in steps.values():
            for action in step.actions.values():
                date_labels.update({f.name: f.label for f in action.fields if f.type == "date"})
        spec = FlowSpec(definition["code"], definition["name"], definition["start"], steps,
                        dict(definition.get("final", {})), procedure=definition.get("procedure", "general"),
                        decision_document=definition.get("decision_document", ""),
                        decision_mark=definition.get("decision_mark", ""),
                        case_mark=definition.get("case_mark", DEFAULT_CASE_MARK),
                        chronology=_names(definition, "chronology"), date_labels=date_labels)
    except (KeyError, TypeError, AttributeError) as exc:
        raise FlowDefinitionError(f"流程定义缺少必要的键：{exc}") from exc
    _check_flow(spec)
    return spec


def _check_flow(spec: FlowSpec) -> None:
    known = set(spec.steps) | set(spec.final)
    if spec.start not in spec.steps:
        raise FlowDefinitionError(f"起始环节“{spec.start}”未定义")
    if spec.procedure not in PROCEDURES:
        raise FlowDefinitionError(f"程序类型“{spec.procedure}”不受支持（可选：{'、'.join(PROCEDURES)}）")
    mark = spec.case_mark
    # The mark sits between the agency's 字号 and 〔year〕: a few Chinese characters, nothing that
    # could be read as part of the year or the serial (〔〕号 or digits).
    if not isinstance(mark, str) or not re.fullmatch(r"[\u4e00-\u9fff]{1,4}", mark):
        raise FlowDefinitionError(f"立案编号字“{mark}”须为1至4个汉字（case_mark）")
    if spec.decision_document and spec.decision_document not in spec.documents():
        raise FlowDefinitionError(f"决定文书“{spec.decision_document}”未在任何环节的文书中声明")
    unknown_dates = [d for d in spec.chronology if d not in spec.date_labels]
    if unknown_dates:
        raise FlowDefinitionError(f"日期顺序引用了未知的日期字段“{'、'.join(unknown_dates)}”")
    unordered = [d for d in spec.date_labels if d not in spec.chronology and d not in BUILTIN_DATES]
    if spec.chronology and unordered:
        raise FlowDefinitionError(f"日期字段“{'、'.join(unordered)}”未列入日期顺序（chronology）")
    fields = {f.name for s in spec.steps.values() for a in s.actions.values() for f in a.fields}
    for step in spec.steps.values():
        for need in step.dossier:
            if "field" in need and need["field"] not in fields:
                raise FlowDefinitionError(f"环节“{step.name}”的案卷要求引用了未知的字段“{need['field']}”")
            if "document" in need:
                wanted = need["document"] if isinstance(need["document"], list) else [need["document"]]
                if not set(wanted) & set(spec.documents()):
                    raise FlowDefinitionError(f"环节“{step.name}”的案卷要求“{need.get('label')}”所列文书未在任何环节声明")
        for action in step.actions.values():
            for route in action.routes:
                if route.to not in known:
                    raise FlowDefinitionError(f"操作“{action.name}”的去向“{route.to}”未定义")
            for period in action.periods:
                for name in (period.from_, period.on):
                    if name and name not in spec.date_labels:
                        raise FlowDefinitionError(f"操作“{action.name}”的期限引用了未知的日期字段“{name}”")
        for key in SURCHARGE_DATES if step.surcharge else ():
            if step.surcharge.get(key) not in spec.date_labels:
                raise FlowDefinitionError(f"环节“{step.name}”的加处罚款引用了未知的日期字段“{step.surcharge.get(key)}”")


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
        value = raw if hasattr(raw, "isoformat") else safe_parse_date(str(raw))
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
    if spec.type == "officers":
        values = raw if isinstance(raw, list | tuple) else [v for v in str(raw).split(",") if v.strip()]
        try:
            return list(dict.fromkeys(int(v) for v in values)), None
        except (TypeError, ValueError):
            return None, f"“{spec.label}”须选择本机关工作人员"
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
