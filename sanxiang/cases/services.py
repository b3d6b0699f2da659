"""Case services: the only code that writes cases. Each write is logged in the same transaction."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from sanxiang.accounts.models import Role, role_labels
from sanxiang.cases import engine
from sanxiang.cases.engine import FlowSpec, StepSpec, clean_value, flow_spec
from sanxiang.cases.facts import check_av_records
from sanxiang.cases.guards import check_officers
from sanxiang.cases.models import Case, CaseEvent, CaseOfficer, CaseParty, Decision, DecisionParty
from sanxiang.cases.parties import party_prefix, party_register, validate_party_fields
from sanxiang.cases.procedure import (
    check_chronology,
    check_periods,
    check_separation,
    late_payment,
)
from sanxiang.common.calendar import add_working_days, current_calendar
from sanxiang.common.exceptions import (
    DeadlineError,
    DomainError,
    NotFound,
    RoleNotAllowed,
    TransitionNotAllowed,
    ValidationFailed,
)
from sanxiang.common.models import next_number
from sanxiang.common.workdays import UnknownCalendarYear
from sanxiang.ledger.services import ledger_append
from sanxiang.registry.choices import ActionKind
from sanxiang.registry.params import param_int

# Case columns a step field may set directly; every other field value goes to Case.data.
CASE_COLUMNS = {
    "facts", "proposed_penalty_kinds", "proposed_fine", "penalty_kinds", "fine_amount", "flagged_complex",
    "flagged_major_public_interest", "notice_served_on", "hearing_requested", "hearing_held_on",
    "decided_on", "served_on", "service_method",
}


def today() -> dt.date:
    return timezone.localdate()


def _check_role(actor, roles, what: str) -> None:
    if actor.role not in roles:
        labels = role_labels(roles)
        raise RoleNotAllowed(f"“{what}”须由{labels}办理，您的角色是{Role(actor.role).label}",
                             code="role_not_allowed")


def _check_scope(actor, agency) -> None:
    visible = actor.visible_agency_ids()
    if visible is not None and agency.pk not in visible:
        raise NotFound("案件不存在或无权查看")


def _decision_due(agency, opened_on: dt.date) -> tuple[dt.date, str]:
    days = param_int("decision_days", agency)
    try:
        return current_calendar().end_of_period_natural_days(opened_on, days), ""
    except UnknownCalendarYear as exc:
        # The natural-day date is certain; only the holiday extension is unknown. Say so.
        due = opened_on + dt.timedelta(days=days)
        return due, f"{exc.year}年节假日安排尚未录入，届满日遇法定节假日顺延未计算"


def _step_due(step: StepSpec | None, agency, entered: dt.date, case: Case | None = None) -> tuple[dt.date | None, str]:
    """The step's deadline, or None with a note saying why it cannot be computed.

    The period runs from the day the step is entered, or from the recorded date the step's `due`
    names in `from` (送达 runs from the decision date, 缴款 from service).

    A working-day period that runs into a year whose holidays nobody has entered yet is not
    guessed; the case moves on, and the note asks an administrator to enter the calendar.
    """
    if step is None or not step.due:
        return None, ""
    n = param_int(step.due["param"], agency)
    if step.due.get("from") and case is not None:
        from sanxiang.cases.procedure import recorded_date

        entered = recorded_date(case, step.due["from"]) or entered
    if step.due["unit"] == "working_days":
        try:
            return add_working_days(entered, n, what=f"“{step.name}”环节期限"), ""
        except DeadlineError as exc:
            return None, f"{exc.message}；请系统管理员录入该年度节假日安排"
    return entered + dt.timedelta(days=n), ""


def _party_list(party: dict | None, parties: list[dict] | None) -> list[dict]:
    """The parties of a new case: `parties` (共同违法: several), or the one `party` (kept for
    callers of the earlier single-party API)."""
    if parties is not None and party is not None:
        raise ValidationFailed("请只提供 party 或 parties 之一", field="parties", code="party_twice")
    chosen = list(parties) if parties is not None else ([party] if party is not None else [])
    if not chosen:
        raise ValidationFailed("立案须列明当事人（《行政处罚法》第五十九条）", field="party.name", code="party_missing",
                               rule="行政处罚法第五十九条")
    cleaned, seen = [], {}
    for index, data in enumerate(chosen):
        prefix = party_prefix(index)
        if not isinstance(data, dict):
            raise ValidationFailed("当事人信息格式错误", field=f"{prefix}.name", code="party_format")
        clean = validate_party_fields(data, prefix)
        key = clean["id_number"] or clean["uscc"]
        if key in seen:
            raise ValidationFailed(f"第{index + 1}名当事人与第{seen[key] + 1}名为同一证件号码，同一当事人只能列明一次",
                                   field=f"{prefix}.{'id_number' if clean['id_number'] else 'uscc'}",
                                   code="party_listed_twice")
        seen[key] = index
        cleaned.append(clean)
    return cleaned


@transaction.atomic
def case_open(*, actor, item, officers: list, title: str, party: dict | None = None,
              parties: list[dict] | None = None, source: str = "", procedure: str = "general",
              opened_on: dt.date | None = None) -> Case:
    """立案: register a case on an enforcement item with at least two qualified officers and one
    or more parties (共同违法). A party whose number is known is the same record (集中储存)."""
    _check_role(actor, {Role.OFFICER}, "立案登记")
    _check_scope(actor, item.agency)
    if not item.is_active:
        raise ValidationFailed("该执法事项已停用", field="item", code="item_inactive")
    if not title.strip():
        raise ValidationFailed("案由为必填项", field="title", code="title_required")
    flow = _flow_for(item, procedure)
    opened_on = opened_on or today()
    if opened_on > today():
        raise ValidationFailed("立案日期不能晚于今天", field="opened_on", code="date_in_future")
    agency = item.agency
    officers = list(dict.fromkeys(officers))
    check_officers(agency, item.kind, officers, opened_on)
    actor_officer = getattr(actor, "officer", None)
    if actor_officer is None or actor_officer not in officers:
        raise ValidationFailed("立案人须为本案承办人员之一", field="officers", code="actor_not_assigned")
    party_data = _party_list(party, parties)
    spec = flow_spec(flow)
    # The officers assigned are the case's investigators: the step-level separation rules of the
    # flow (法制审核人员不参与调查取证) apply to each of them before anything is written.
    unsaved = Case(agency=agency, item=item, flow=flow, state=spec.start)
    for officer in officers:
        if officer.user_id is not None:
            for step_code, step in spec.steps.items():
                if step.separation:
                    check_separation(case=unsaved, actor=officer.user, step=step_code, doing="assignment",
                                     today=opened_on)
    party_rows = [party_register(actor=actor, agency=agency, data=data, prefix=party_prefix(i))
                  for i, data in enumerate(party_data)]
    year = opened_on.year
    number = f"{agency.doc_prefix}{spec.case_mark}〔{year}〕{next_number(case_counter(agency, spec.case_mark, year))}号"
    decision_due, note = (_decision_due(agency, opened_on) if spec.procedure == "general" and item.kind == ActionKind.PENALTY
                          else (None, ""))
    case = Case.objects.create(
        agency=agency, item=item, flow=flow, number=number, state=spec.start,
        title=title.strip(), source=source, opened_on=opened_on, decision_due=decision_due, deadline_note=note,
        step_entered_at=timezone.now(), created_by=actor,
    )
    case.step_due, case.step_due_note = _step_due(spec.steps[spec.start], agency, opened_on)
    case.save(update_fields=["step_due", "step_due_note"])
    assignments = [CaseOfficer.objects.create(case=case, officer=o, is_lead=(o == actor_officer)) for o in officers]
    links = [CaseParty.objects.create(case=case, party=p, order=i,
                                      role=CaseParty.Role.JOINT if len(party_rows) > 1 else CaseParty.Role.PARTY)
             for i, p in enumerate(party_rows)]
    event = CaseEvent.objects.create(case=case, action="open", action_name="立案登记", from_state="",
                                     to_state=case.state, actor=actor, actor_role=actor.role,
                                     at=timezone.now(), data={"title": case.title, "procedure": procedure})
    entry = ledger_append(kind="case.open", actor=actor, agency=agency, subjects=[case, *party_rows, *links, event, *assignments],
                          summary=f"立案登记 {case.number}")
    CaseEvent.objects.filter(pk=event.pk).update(ledger_index=entry.index)
    return case


def case_counter(agency, mark: str, year: int) -> str:
    """The counter a case number is drawn from: one per agency, mark and year. Penalty cases (立)
    keep the scope they always had, so their numbers continue unchanged; each other mark (检、受、强、
    征、费…, the flow's `case_mark`) counts on its own."""
    if mark == engine.DEFAULT_CASE_MARK:
        return f"case:{agency.code}:{year}"
    return f"case:{agency.code}:{mark}:{year}"


def _flow_for(item, procedure: str):
    """The item's own flow for the general procedure; for another procedure, the flow of the same
    kind whose definition declares that procedure (no flow code is named in code)."""
    from sanxiang.registry.models import Flow

    if procedure not in engine.PROCEDURES:
        raise ValidationFailed(f"程序类型“{procedure}”不受支持", field="procedure", code="procedure_unknown")
    if flow_spec(item.flow).procedure == procedure:
        return item.flow
    for flow in Flow.objects.filter(kind=item.kind).order_by("code"):
        if flow_spec(flow).procedure == procedure:
            return flow
    raise ValidationFailed(f"未找到适用于该事项的{engine.PROCEDURES[procedure]}流程定义", field="procedure",
                           code="flow_missing")


def available_actions(case: Case, user) -> list:
    """Actions of the case's current step that this user's role may perform."""
    spec = flow_spec(case.flow)
    step = spec.steps.get(case.state)
    if step is None:
        return []
    return [a for a in step.actions.values() if user.role in a.roles]


@transaction.atomic
def case_transition(*, case: Case, action: str, actor, data: dict) -> CaseEvent:
    """Perform `action` on the case: role, step order, fields and guards, then effects and log."""
    case = Case.objects.select_for_update(of=("self",)).select_related("agency", "item", "flow").get(pk=case.pk)
    _check_scope(actor, case.agency)
    spec: FlowSpec = flow_spec(case.flow)
    step = spec.steps.get(case.state)
    if step is None:
        raise TransitionNotAllowed(f"案件已处于“{spec.step_name(case.state)}”状态，不能再办理", code="case_final")
    act = step.actions.get(action)
    if act is None:
        names = "、".join(f"“{a.name}”" for a in step.actions.values())
        raise TransitionNotAllowed(f"案件当前环节为“{step.name}”，不能执行该操作；本环节可办理：{names}",
                                   code="step_order")
    _check_role(actor, act.roles, act.name)
    if act.assigned_only:
        officer = getattr(actor, "officer", None)
        if officer is None or not case.officers.filter(pk=officer.pk).exists():
            raise RoleNotAllowed(f"“{act.name}”须由本案承办人员办理", code="not_assigned")
    # Separation of duties holds whatever roles the flow data lists (only the agency head decides,
    # approvers are not handlers…): a flow edited by mistake cannot undo it.
    check_separation(case=case, actor=actor, step=step.code, action=act, values=data, today=today())
    values = {}
    for field_spec in act.fields:
        choices = None
        if field_spec.choices:
            choices = {v for v, _ in engine.choice_options(field_spec.choices, case)}
        value, error = clean_value(field_spec, data.get(field_spec.name), choices, case.agency)
        if error:
            raise ValidationFailed(f"{error}（{step.name}·{act.name}）", field=field_spec.name, code="field_invalid")
        values[field_spec.name] = value
    for name, value in values.items():
        if name in CASE_COLUMNS:
            setattr(case, name, value)
        else:
            case.data[name] = value.isoformat() if hasattr(value, "isoformat") else (
                str(value) if hasattr(value, "quantize") else value)
    ctx = engine.Context(case=case, action=act, values=values, actor=actor, today=today(), step=step.code)
    check_chronology(ctx, spec)
    check_periods(ctx, spec)
    for guard in act.guards:
        engine.GUARDS[guard](ctx)
    check_av_records(ctx, step.code)
    target = next(r.to for r in act.routes if r.when is None or engine.CONDITIONS[r.when](ctx))
    for effect in act.effects:
        engine.EFFECTS[effect](ctx)
    from_state = case.state
    if target != from_state:
        case.state = target
        case.step_entered_at = timezone.now()
        case.step_due, case.step_due_note = _step_due(spec.steps.get(target), case.agency, today(), case)
    # An action that keeps the case in its step (a position stated, a period extended) leaves the
    # step's start and period as they were, unless one of its effects changed them.
    case.save()
    event = CaseEvent.objects.create(
        case=case, action=act.code, action_name=act.name, from_state=from_state, to_state=target, actor=actor,
        actor_role=actor.role, at=timezone.now(), data=_jsonable(values),
    )
    entry = ledger_append(kind=f"case.{act.code}", actor=actor, agency=case.agency,
                          subjects=[case, event, *ctx.created], content=ctx.content, files=ctx.files,
                          summary=f"{act.name} {case.number}：{step.name} → {spec.step_name(target)}")
    CaseEvent.objects.filter(pk=event.pk).update(ledger_index=entry.index)
    event.ledger_index = entry.index
    return event


def _jsonable(values: dict) -> dict:
    out = {}
    for k, v in values.items():
        if hasattr(v, "isoformat"):
            out[k] = v.isoformat()
        elif hasattr(v, "quantize"):
            out[k] = str(v)
        else:
            out[k] = v
    return out


def decision_make(*, case: Case, actor, values: dict) -> tuple[Decision, list[DecisionParty]]:
    """Number and record the decision (〔year〕第N号, per agency and year, gapless), with each
    party's own penalty (DecisionParty; one row per party, also for a single party).

    The decision's text is not written here: its one source is the 决定书 issued from the case
    (documents.builders.decision), which Decision.text reads.
    """
    from sanxiang.cases.facts import party_penalties

    decided_on = values.get("decided_on") or today()
    spec = flow_spec(case.flow)
    # Each procedure numbers its decisions in its own series (当场处罚决定书 carry the flow's mark).
    scope = f"decision:{case.agency.code}:{spec.procedure}:{decided_on.year}"
    number = f"{case.agency.doc_prefix}{spec.decision_mark}〔{decided_on.year}〕第{next_number(scope)}号"
    case.decided_on = decided_on
    decision = Decision.objects.create(case=case, number=number, decided_on=decided_on,
                                       penalty_kinds=case.penalty_kinds, fine_amount=case.fine_amount,
                                       reasons=values.get("reasons", ""), decided_by=actor)
    rows = [DecisionParty.objects.create(decision=decision, party=p.party, order=i, penalty_kinds=list(p.kinds),
                                         fine_amount=p.fine)
            for i, p in enumerate(party_penalties(case))]
    return decision, rows


# Registered here, beside decision_make, so that cases.guards need not import the services back.
@engine.effect("make_decision", label="制作处罚决定并编号")
def make_decision(ctx: engine.Context) -> None:
    decision, rows = decision_make(case=ctx.case, actor=ctx.actor, values=ctx.values)
    ctx.created.extend([decision, *rows])


def case_is_overdue(case: Case, on: dt.date | None = None) -> list[str]:
    """Why a case is overdue (empty when it is not)."""
    on = on or today()
    spec = flow_spec(case.flow)
    reasons = []
    if spec.is_final(case.state):
        return reasons
    if case.decision_due and case.decided_on is None and on > case.decision_due:
        reasons.append(f"已超过决定期限（{case.decision_due}）")
    if case.step_due and on > case.step_due:
        reasons.append(f"“{spec.step_name(case.state)}”环节已超期（{case.step_due}）")
    if case.step_due_note:
        reasons.append(case.step_due_note)
    reasons.extend(case_flags(case, on))
    return reasons


def case_flags(case: Case, on: dt.date | None = None) -> list[str]:
    """Late acts the flow flags without refusing them (送达、缴款 late), and 加处罚款 / 催告 due."""
    flags = [f"逾期：{text}" for text in (case.data.get("late") or {}).values()]
    surcharge = late_payment(case, on or today())
    if surcharge is not None:
        flags.append(surcharge["text"])
    return flags


__all__ = ["case_open", "case_transition", "available_actions", "validate_party_fields", "DomainError"]
