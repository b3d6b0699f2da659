"""Rules of procedure the engine applies to every flow from what the flow declares.

- chronology: the dates a case records follow the order the flow declares
  (立案 ≤ 告知 ≤ 决定 ≤ 送达 ≤ 执行 ≤ 结案) and none lies in the future;
- periods: statutory periods between recorded dates (陈述申辩 3 days, 听证申请 5 days, 听证通知 7
  days: refused before they run; 送达 7 days, 缴款 15 days: flagged when late);
- separation of duties: the rules a step or an action names (审批人、审核人、主持人、决定人);
- documents: each kind is made at the steps that declare it; afterwards only as a 补正 with a
  reason, and after 结案 only with the agency head's approval;
- 加处罚款 (Art. 72): computed from the parameters, shown on the case and in the API.

Figures come from registry.Parameter; nothing here is a literal of the law.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone

from sanxiang.cases import engine
from sanxiang.cases.engine import Context, FlowSpec, PeriodSpec, flow_spec
from sanxiang.common.exceptions import DomainError, RoleNotAllowed, TransitionNotAllowed, ValidationFailed
from sanxiang.registry.params import param, param_int

# 全过程记录 in the order 启动、调查取证、审核、决定、送达、执行 (Art. 47); notice before decision
# (Art. 44); service of the decision (Art. 61).
CHRONOLOGY_RULE = "行政处罚法第四十七条、第四十四条、第六十一条"
DOCUMENT_RULE = "行政处罚法第四十七条"


# --- recorded dates ------------------------------------------------------------------------------


def recorded_date(case, name: str, values: dict | None = None) -> dt.date | None:
    """A date the case holds: this action's value first, then the case column, then Case.data."""
    from django.utils.dateparse import parse_date

    if values and values.get(name):
        return values[name]
    value = getattr(case, name, None) if name in _columns(case) else None
    if value is None:
        raw = (case.data or {}).get(name)
        value = parse_date(raw) if isinstance(raw, str) else None
    return value


def _columns(case) -> set[str]:
    return {f.attname for f in case._meta.concrete_fields}


def check_chronology(ctx: Context, spec: FlowSpec) -> None:
    """Each date the action records lies on or after every date listed before it in the flow's
    chronology that the case has already recorded, and not after today."""
    for field_spec in ctx.action.fields:
        if field_spec.type != "date":
            continue
        value = ctx.values.get(field_spec.name)
        if not value:
            continue
        if value > ctx.today:
            raise ValidationFailed(f"“{field_spec.label}”（{value}）不能晚于今天：办案记录的日期须为已经发生的日期"
                                   "（全过程记录，《行政处罚法》第四十七条）",
                                   field=field_spec.name, code="date_in_future", rule=CHRONOLOGY_RULE)
        if field_spec.name not in spec.chronology:
            continue
        for earlier in spec.chronology[:spec.chronology.index(field_spec.name)]:
            before = recorded_date(ctx.case, earlier, ctx.values)
            if before and value < before:
                order = " ≤ ".join(spec.date_label(d) for d in spec.chronology)
                raise ValidationFailed(
                    f"“{field_spec.label}”（{value}）不得早于已记录的“{spec.date_label(earlier)}”（{before}）："
                    f"办案各环节日期须依次发生（{order}；《行政处罚法》第四十七条、第四十四条、第六十一条）",
                    field=field_spec.name, code="date_out_of_order", rule=CHRONOLOGY_RULE)


def chronology_sentence(spec: FlowSpec) -> str:
    """The chronology rule of a flow in words (portal flowchart, README)."""
    if not spec.chronology:
        return ""
    order = " ≤ ".join(spec.date_label(d) for d in spec.chronology)
    return (f"各环节记录的日期须依次发生、不得早于此前已记录的日期，且不得晚于办理当日：{order}"
            f"（《行政处罚法》第四十七条、第四十四条、第六十一条）")


# --- periods -------------------------------------------------------------------------------------


def _period_text(period: PeriodSpec, agency) -> tuple[int, str, str]:
    label, unit, source = engine.PARAMETERS[period.param]
    return param_int(period.param, agency), label, source


def period_code(period: PeriodSpec) -> str:
    return period.code or f"period_{period.param}"


def check_periods(ctx: Context, spec: FlowSpec) -> None:
    """`min` periods refuse an act before they have run (unless a declared condition holds);
    `within` periods record a flag when the act comes late."""
    case = ctx.case
    for period in ctx.action.periods:
        if period.when and not engine.CONDITIONS[period.when](ctx):
            continue
        start = recorded_date(case, period.from_, ctx.values)
        if start is None:
            continue
        on = recorded_date(case, period.on, ctx.values) if period.on else ctx.today
        on = on or ctx.today
        days, label, source = _period_text(period, case.agency)
        elapsed = (on - start).days
        from_label = spec.date_label(period.from_)
        on_label = spec.date_label(period.on) if period.on else "办理日期"
        if period.mode == "min" and elapsed < days:
            if any(engine.CONDITIONS[name](ctx) for name in period.unless):
                continue
            exceptions = "、".join(engine.CONDITIONS[name].label.removesuffix("的") for name in period.unless)
            raise DomainError(
                f"{label}为{days}日（{source}），自“{from_label}”{start}起算，“{on_label}”最早为"
                f"{start + dt.timedelta(days=days)}" + (f"；{exceptions}的除外" if exceptions else ""),
                code=period_code(period), field=period.on or "", rule=source)
        if period.mode == "within" and elapsed > days:
            flags = dict(case.data.get("late") or {})
            flags[period.param] = (f"{on_label}{on}晚于{label}（{days}日，{source}，自“{from_label}”{start}起算，"
                                   f"应于{start + dt.timedelta(days=days)}前）")
            case.data["late"] = flags


def period_rules(spec: FlowSpec, agency=None) -> list[dict]:
    """The periods of a flow in words, per action, for the portal and the README."""
    out = []
    for step in spec.steps.values():
        for action in step.actions.values():
            for period in action.periods:
                label, unit, source = engine.PARAMETERS[period.param]
                try:
                    figure = f"{param_int(period.param, agency)}{unit}"
                except DomainError:
                    figure = ""
                out.append({"step": step.code, "action": action.code, "code": period_code(period),
                            "text": period_sentence(spec, period, figure, label), "rule": source})
    return out


def period_sentence(spec: FlowSpec, period: PeriodSpec, figure: str, label: str) -> str:
    from_label = spec.date_label(period.from_)
    on_label = spec.date_label(period.on) if period.on else "办理"
    when = f"{engine.CONDITIONS[period.when].label}，" if period.when else ""
    if period.mode == "within":
        return f"{when}{label}：“{on_label}”应在“{from_label}”后{figure}内，逾期的予以标记"
    unless = "、".join(engine.CONDITIONS[n].label.removesuffix("的") for n in period.unless)
    return (f"{when}{label}：“{on_label}”须在“{from_label}”{figure}之后" + (f"（{unless}的除外）" if unless else ""))


# --- separation of duties ------------------------------------------------------------------------


def check_separation(*, case, actor, step: str, action=None, values: dict | None = None, doing: str = "action",
                     kind: str = "", today: dt.date | None = None) -> None:
    """Run the separation rules the step (and the action) names; raises the rule's refusal."""
    spec = flow_spec(case.flow)
    step_spec = spec.steps.get(step)
    names = list(step_spec.separation) if step_spec else []
    if action is not None:
        names += [n for n in action.separation if n not in names]
    ctx = Context(case=case, action=action, values=values or {}, actor=actor, today=today or timezone.localdate(),
                  step=step, doing=doing, kind=kind)
    for name in names:
        engine.SEPARATIONS[name](ctx)


# --- documents per step --------------------------------------------------------------------------


@dataclass(frozen=True)
class DocumentPermit:
    """May the document be made now, and is it a 补正 (with its reason and who approved it)?"""

    step: str
    correction: bool = False
    reason: str = ""
    approved_by: str = ""


def _left_at(case, steps: list[str]) -> bool:
    """True when the case has completed one of `steps` and done nothing since (the document of a
    step may still be made right after the step's action, e.g. the 决定书 once decided)."""
    last = case.events.exclude(from_state="").order_by("-at", "-pk").values_list("from_state", "to_state").first()
    return bool(last) and last[0] in steps and last[1] == case.state


def _reached(case, steps: list[str]) -> bool:
    seen = {case.state}
    for from_state, to_state in case.events.values_list("from_state", "to_state"):
        seen.update((from_state, to_state))
    return bool(seen & set(steps))


def document_allowed(case, kind: str, actor, correction_reason: str | None = None) -> DocumentPermit:
    """Whether `actor` may make a document of `kind` for the case now; raises a DomainError.

    A kind is made at the steps whose `documents` declare it (or right after such a step's
    action). Later, only as a 补正 with a reason the dossier shows; after 结案, only a 补正 with
    the agency head's approval (the head makes it)."""
    from sanxiang.accounts.models import Role

    spec = flow_spec(case.flow)
    name = engine.DOCUMENT_KINDS.get(kind, kind)
    steps = spec.document_steps(kind)
    if not steps:
        raise TransitionNotAllowed(f"《{name}》不属于{spec.name}的任何环节，不能制作", code="document_not_in_flow",
                                   field="kind", rule=DOCUMENT_RULE)
    at = case.state if case.state in steps else steps[-1]
    if actor is not None:  # None: only asking whether the step allows the kind at all
        check_separation(case=case, actor=actor, step=at, doing="document", kind=kind)
    reason = (correction_reason or "").strip()
    closed = case.closed_on is not None or spec.is_final(case.state)
    if closed:
        if not reason:
            raise TransitionNotAllowed(f"案件已结案，不能再制作《{name}》；确需补正的，须写明补正理由并经行政机关负责人批准"
                                       "（全过程记录、归档保存，《行政处罚法》第四十七条）",
                                       code="document_after_closing", field="correction_reason", rule=DOCUMENT_RULE)
        if actor is None or actor.role != Role.AGENCY_HEAD:
            raise RoleNotAllowed(f"案件已结案，补正《{name}》须经行政机关负责人批准（由负责人办理补正；"
                                 "《行政处罚法》第四十七条）", code="correction_needs_head", field="correction_reason",
                                 rule=DOCUMENT_RULE)
        return DocumentPermit(at, True, reason, str(actor))
    if case.state in steps or _left_at(case, steps):
        return DocumentPermit(at, bool(reason), reason)
    if not _reached(case, steps):
        names = "、".join(f"“{spec.step_name(s)}”" for s in steps)
        raise TransitionNotAllowed(f"案件尚未进入{names}环节，不能制作《{name}》（文书在其所属环节制作，"
                                   "《行政处罚法》第四十七条）", code="document_step_not_reached", field="kind",
                                   rule=DOCUMENT_RULE)
    if not reason:
        names = "、".join(f"“{spec.step_name(s)}”" for s in steps)
        raise TransitionNotAllowed(f"《{name}》应在{names}环节制作，该环节已办结；确需补正的，须写明补正理由"
                                   "（《行政处罚法》第四十七条）", code="document_correction_required",
                                   field="correction_reason", rule=DOCUMENT_RULE)
    return DocumentPermit(at, True, reason)


# --- after the decision: 加处罚款 ------------------------------------------------------------------


def payment_due(case) -> dt.date | None:
    """The last day to pay the fine: the flow's `surcharge.due` days from its `from` date
    (送达, Art. 67). None when the flow declares no surcharge, there is no fine, or not yet served."""
    declared = flow_spec(case.flow).surcharge()
    start = recorded_date(case, declared["from"]) if declared else None
    if not case.fine_amount or start is None:
        return None
    return start + dt.timedelta(days=param_int(declared["due"], case.agency))


def late_payment(case, on: dt.date | None = None) -> dict | None:
    """加处罚款 (行政处罚法第七十二条): rate per day of the fine from the day after the due date until
    paid (or `on`), capped at the fine times the cap ratio. None when nothing is overdue."""
    due = payment_due(case)
    if due is None:
        return None
    declared = flow_spec(case.flow).surcharge()
    paid = recorded_date(case, declared["paid"])
    until = paid or on or timezone.localdate()
    days = (until - due).days
    if days <= 0:
        return None
    rate = param(declared["rate"], case.agency)
    cap = (case.fine_amount * param(declared["cap"], case.agency)).quantize(Decimal("0.01"))
    raw = (case.fine_amount * rate / Decimal(100) * days).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return {"due": due, "days": days, "rate": rate, "surcharge": min(raw, cap), "capped": raw >= cap,
            "paid_on": paid, "reminder": paid is None,
            "text": (f"罚款应于{due}前缴纳，{'逾期' if paid is None else '迟延'}{days}日，按每日{rate.normalize()}%加处罚款"
                     f"{min(raw, cap):,.2f}元" + ("（已达上限：不得超出罚款数额）" if raw >= cap else "")
                     + ("；应当书面催告当事人履行（《行政强制法》第三十五条）" if paid is None else "")
                     + "（《行政处罚法》第七十二条）")}


def surcharge_sentence(spec: FlowSpec, agency=None, *, defaults: bool = False) -> str:
    """The flow's 加处罚款 rule in words (portal flowchart, README)."""
    declared = spec.surcharge()
    if not declared:
        return ""

    def figure(key):
        if defaults:
            return f"{engine.PARAMETER_DEFAULTS.get(declared[key], '')}（参数 {declared[key]}）"
        try:
            return f"{param(declared[key], agency).normalize():f}"
        except DomainError:
            return declared[key]

    return (f"罚款自“{spec.date_label(declared['from'])}”起{figure('due')}日内缴纳；到期不缴纳的，每日按罚款数额的"
            f"{figure('rate')}%加处罚款，加处罚款不超出罚款数额的{figure('cap')}倍；逾期未缴纳的标记为应催告")


def remedy_periods(agency) -> tuple[str, str]:
    """(reconsideration days, litigation months) as a document writes them (六十, 六): the periods
    every decision states, from the parameters."""
    return cn_count(param_int("reconsideration_days", agency)), cn_count(param_int("litigation_months", agency))


def cn_count(n: int) -> str:
    from sanxiang.guidance.lawtext import int_to_cn

    return int_to_cn(n) if 0 < n < 10_000 else str(n)


def rate_text(agency) -> str:
    """加处罚款 per day as the law writes it (百分之三), from `late_payment_rate_per_day`."""
    rate = param("late_payment_rate_per_day", agency)
    return f"百分之{cn_count(int(rate))}" if rate == int(rate) else f"{rate.normalize():f}%"
