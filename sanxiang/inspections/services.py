"""Inspection services: the only code that writes the 抽查清单, pools, plans, draws and tasks.

Each write calls ledger_append in its transaction (directly, or through record_save / the draw
and case services). A plan's draw goes through `draws.services.draw_run`: commitment first,
then the result; a redraw is a new draw with a reason.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone

from sanxiang.accounts.models import Role, role_labels
from sanxiang.common.canonical import canonical_bytes, sha256_hex
from sanxiang.common.exceptions import NotFound, RoleNotAllowed, TransitionNotAllowed, ValidationFailed
from sanxiang.common.services import record_save
from sanxiang.draws import selectors as draw_selectors
from sanxiang.draws.services import draw_commit_hold, draw_reveal_held, draw_run
from sanxiang.inspections.models import (
    Avoidance,
    CheckItem,
    MarketEntity,
    Plan,
    ResultNotice,
    RiskGrade,
    Task,
)
from sanxiang.ledger.services import ledger_append
from sanxiang.registry.models import Officer
from sanxiang.registry.params import param_int

PURPOSE = "inspection"
ORGANISERS = {Role.UNIT_HEAD, Role.AGENCY_HEAD}
RULE_DRAW = "《国务院关于在市场监管领域全面推行部门联合“双随机、一公开”监管的意见》"
RULE_AVOID = "执法人员回避（《行政处罚法》第四十三条）"


def _check_role(actor, roles, what: str) -> None:
    if getattr(actor, "role", None) not in roles:
        labels = role_labels(roles)
        raise RoleNotAllowed(f"“{what}”须由{labels}办理", code="role_not_allowed")


def _check_scope(actor, agency) -> None:
    visible = actor.visible_agency_ids()
    if visible is not None and agency.pk not in visible:
        raise NotFound("对象不存在或无权查看")


# --- the list, the pools ---------------------------------------------------------------------------


def check_item_create(*, actor, agency, item, name: str, basis: str, targets: str, content: str, ratio: str,
                      method: str, frequency: str) -> CheckItem:
    """随机抽查事项清单: add an entry (published on the portal at once)."""
    _check_role(actor, ORGANISERS | {Role.ADMIN}, "登记随机抽查事项")
    return record_save(CheckItem(agency=agency, item=item, name=name, basis=basis, targets=targets, content=content,
                                 ratio=ratio, method=method, frequency=frequency), actor=actor, agency=agency)


def entity_add(*, actor, agency, **fields) -> MarketEntity:
    _check_role(actor, ORGANISERS | {Role.ADMIN}, "登记检查对象")
    return record_save(MarketEntity(agency=agency, **fields), actor=actor, agency=agency)


@transaction.atomic
def avoidance_declare(*, actor, officer: Officer, entity: MarketEntity, reason: str) -> Avoidance:
    """回避申报: the officer is never drawn onto, nor assigned to, this entity's inspections."""
    _check_role(actor, ORGANISERS | {Role.OFFICER}, "登记回避申报")
    _check_scope(actor, entity.agency)
    if not reason.strip():
        raise ValidationFailed("回避申报须写明回避事由（如亲属关系、利害关系）", field="reason", code="reason_required",
                               rule=RULE_AVOID)
    if actor.role == Role.OFFICER and getattr(actor, "officer", None) != officer:
        raise RoleNotAllowed("执法人员只能为本人申报回避；为他人登记须由承办机构负责人或机关负责人办理",
                             code="avoidance_not_own")
    if officer.agency_id not in entity.agency.descendant_ids():
        raise ValidationFailed("该执法人员不属于检查对象的监管机关", field="officer", code="officer_other_agency",
                               rule=RULE_AVOID)
    if Avoidance.objects.filter(officer=officer, entity=entity, withdrawn_at__isnull=True).exists():
        raise TransitionNotAllowed(f"{officer.name}已申报对{entity.name}回避，无须重复申报", field="entity",
                                   code="avoidance_exists", rule=RULE_AVOID)
    row = Avoidance(officer=officer, entity=entity, reason=reason.strip(), declared_by=actor)
    row.save()
    ledger_append(kind="inspections.avoidance", actor=actor, agency=entity.agency, subjects=[row],
                  summary=f"回避申报：{officer.name} 对 {entity.name}")
    return row


@transaction.atomic
def avoidance_withdraw(*, actor, avoidance: Avoidance, reason: str) -> Avoidance:
    """撤回回避申报 (the relation ended): kept with its reason; from now on the officer may be drawn."""
    _check_role(actor, ORGANISERS | {Role.OFFICER}, "撤回回避申报")
    row = Avoidance.objects.select_for_update(of=("self",)).select_related("officer", "entity__agency").get(pk=avoidance.pk)
    _check_scope(actor, row.entity.agency)
    if actor.role == Role.OFFICER and getattr(actor, "officer", None) != row.officer:
        raise RoleNotAllowed("执法人员只能撤回本人的回避申报", code="avoidance_not_own")
    if row.withdrawn_at is not None:
        raise TransitionNotAllowed("该回避申报已撤回", code="avoidance_withdrawn", rule=RULE_AVOID)
    if not reason.strip():
        raise ValidationFailed("撤回回避申报须写明理由（如利害关系已消除）", field="withdrawn_reason",
                               code="reason_required", rule=RULE_AVOID)
    row.withdrawn_at = timezone.now()
    row.withdrawn_reason = reason.strip()[:200]
    row.save(update_fields=["withdrawn_at", "withdrawn_reason"])
    ledger_append(kind="inspections.avoidance_withdraw", actor=actor, agency=row.entity.agency, subjects=[row],
                  summary=f"撤回回避申报：{row.officer.name} 对 {row.entity.name}（{row.withdrawn_reason}）")
    return row


# --- plans and draws -------------------------------------------------------------------------------


def _ratios(raw) -> dict[str, str]:
    if not isinstance(raw, dict) or not raw:
        raise ValidationFailed("须按风险等级填写抽查比例，如 A类 0.03", field="ratios", code="ratios_required")
    out = {}
    for grade, value in raw.items():
        if grade not in RiskGrade.values:
            raise ValidationFailed(f"未知的风险等级“{grade}”（可选：{'、'.join(RiskGrade.values)}）", field="ratios",
                                   code="grade_unknown")
        try:
            ratio = Decimal(str(value))
        except InvalidOperation as exc:
            raise ValidationFailed(f"{grade}类的抽查比例“{value}”须为 0 至 1 之间的小数", field="ratios",
                                   code="ratio_invalid") from exc
        if not Decimal(0) <= ratio <= Decimal(1):
            raise ValidationFailed(f"{grade}类的抽查比例“{value}”须为 0 至 1 之间的小数", field="ratios",
                                   code="ratio_invalid")
        out[grade] = format(ratio.normalize(), "f")
    return out


@transaction.atomic
def plan_create(*, actor, check_item: CheckItem, title: str, period_start: dt.date, period_end: dt.date,
                ratios: dict, team_size: int | None = None) -> Plan:
    _check_role(actor, ORGANISERS, "制定抽查计划")
    _check_scope(actor, check_item.agency)
    if not check_item.is_active:
        raise ValidationFailed("该抽查事项已停用", field="check_item", code="check_item_inactive")
    if period_end < period_start:
        raise ValidationFailed("实施期间止不得早于起", field="period_end", code="period_order")
    if not title.strip():
        raise ValidationFailed("计划名称为必填项", field="title", code="title_required")
    least = param_int("min_officers", check_item.agency)
    if team_size is not None and not least <= team_size <= 10:
        raise ValidationFailed(f"每组检查人员不得少于{least}人（《行政处罚法》第四十二条），且不超过10人",
                               field="team_size", code="team_size_invalid", rule="行政处罚法第四十二条")
    plan = Plan(agency=check_item.agency, check_item=check_item, title=title.strip(), period_start=period_start,
                period_end=period_end, ratios=_ratios(ratios), team_size=team_size, created_by=actor)
    plan.save()
    ledger_append(kind="inspections.plan", actor=actor, agency=plan.agency, subjects=[plan],
                  summary=f"制定双随机抽查计划：{plan.title}")
    return plan


def inspector_pool(agency, on: dt.date) -> list[Officer]:
    """执法检查人员名录库: the agency's (and its subordinates') officers whose certificate is valid
    on `on` and covers 行政检查, with an active account in the officer role (a drawn pair must be
    able to take its task in the system); legal reviewers excluded (审核与执法相分离)."""
    officers = Officer.objects.filter(agency_id__in=agency.descendant_ids(), is_legal_reviewer=False,
                                      certificate_no__isnull=False, user__is_active=True,
                                      user__role=Role.OFFICER).order_by("certificate_no")
    return [o for o in officers if o.certificate_problem(on, "inspection") is None]


def target_pool(plan: Plan) -> list[MarketEntity]:
    return list(MarketEntity.objects.filter(agency=plan.agency, is_active=True).order_by("uscc"))


def _previous_pairs(plan: Plan) -> tuple[set[tuple[str, str]], Plan | None]:
    """(inspector, target) pairs of the previous plan of the same check item's current draw."""
    previous = (Plan.objects.filter(check_item=plan.check_item, period_start__lte=plan.period_start)
                .exclude(pk=plan.pk).order_by("-period_start", "-pk").first())
    if previous is None:
        return set(), None
    draw = draw_selectors.current_draw(previous.draw_subject)
    if draw is None:
        return set(), previous
    return {(i, t["id"]) for t in draw.result["targets"] for i in t["inspectors"]}, previous


def draw_inputs(plan: Plan, on: dt.date) -> tuple[dict, dict]:
    """The pools and parameters of the plan's draw (what is committed and published)."""
    inspectors = inspector_pool(plan.agency, on)
    entities = target_pool(plan)
    pools = {
        "targets": [{"id": e.uscc, "name": e.name, "stratum": e.risk_grade} for e in entities],
        "inspectors": [{"id": o.certificate_no, "name": o.name} for o in inspectors],
    }
    by_cert = {o.pk: o.certificate_no for o in inspectors}
    targets = {e.pk: e.uscc for e in entities}
    exclusions = []
    for a in Avoidance.objects.filter(officer_id__in=by_cert, entity_id__in=targets, withdrawn_at__isnull=True):
        exclusions.append({"inspector": by_cert[a.officer_id], "target": targets[a.entity_id],
                           "reason": f"回避申报：{a.reason}"})
    pairs, previous = _previous_pairs(plan)
    for inspector, target in sorted(pairs):
        exclusions.append({"inspector": inspector, "target": target,
                           "reason": f"上一次抽查（{previous.title}）已由该人员检查该对象"})
    exclusions.sort(key=lambda e: (e["target"], e["inspector"], e["reason"]))
    parameters = {"ratios": plan.ratios, "team_size": plan.team_size or param_int("min_officers", plan.agency),
                  "minimum": 0,
                  "exclusions": exclusions}
    return pools, parameters


def _draw_arguments(*, actor, plan: Plan, reason: str, redraw_of) -> dict:
    """The checks before a plan's commitment, and the arguments of the draw service."""
    _check_role(actor, ORGANISERS, "组织随机抽取")
    _check_scope(actor, plan.agency)
    if redraw_of is not None and redraw_of.subject != plan.draw_subject:
        raise ValidationFailed("所替代的抽取不属于本计划", field="redraw_of", code="redraw_other_subject")
    if redraw_of is not None and Task.objects.filter(draw=redraw_of).exists():
        raise TransitionNotAllowed("该次抽取已据以生成检查任务，不得重新抽取", field="redraw_of",
                                   code="redraw_after_tasks", rule=RULE_DRAW)
    pools, parameters = draw_inputs(plan, timezone.localdate())
    if len(pools["inspectors"]) < parameters["team_size"]:
        raise ValidationFailed(f"执法检查人员名录库中持有行政检查类执法证的人员不足{parameters['team_size']}人，无法抽取",
                               field="inspectors", code="inspector_pool_small", rule="行政处罚法第四十二条")
    if not pools["targets"]:
        raise ValidationFailed("检查对象名录库为空，请先导入检查对象", field="targets", code="target_pool_empty")
    return {"purpose": PURPOSE, "agency": plan.agency, "subject": plan.draw_subject, "title": plan.title,
            "pools": pools, "parameters": parameters, "actor": actor, "reason": reason, "redraw_of": redraw_of}


@transaction.atomic
def plan_draw(*, actor, plan: Plan, reason: str = "", redraw_of=None):
    """随机抽取检查对象和执法检查人员 (双随机): committed in the ledger before it is drawn (one step)."""
    return draw_run(**_draw_arguments(actor=actor, plan=plan, reason=reason, redraw_of=redraw_of))


@transaction.atomic
def plan_commit(*, actor, plan: Plan, reason: str = "", redraw_of=None):
    """Step one on the staff page: the seed's commitment and today's pools written to the ledger;
    the draw (`plan_reveal`) uses exactly these pools, whatever changes in the pools meanwhile."""
    return draw_commit_hold(**_draw_arguments(actor=actor, plan=plan, reason=reason, redraw_of=redraw_of))


@transaction.atomic
def plan_reveal(*, actor, plan: Plan):
    """Step two: draw with the committed seed and pools, then publish seed and result."""
    _check_role(actor, ORGANISERS, "组织随机抽取")
    _check_scope(actor, plan.agency)
    return draw_reveal_held(subject=plan.draw_subject, actor=actor)


# --- tasks (inspection cases) ----------------------------------------------------------------------


def check_avoidance(entity: MarketEntity, officers: list) -> None:
    """回避: an officer declared related to the entity may not inspect it, drawn or assigned."""
    from sanxiang.common.exceptions import OfficerNotQualified

    clash = (Avoidance.objects.filter(entity=entity, officer__in=officers, withdrawn_at__isnull=True)
             .select_related("officer").first())
    if clash is not None:
        raise OfficerNotQualified(f"{clash.officer.name}已申报与{entity.name}存在利害关系（{clash.reason}），"
                                  "应当回避，不得参加对该对象的检查（《行政处罚法》第四十三条）",
                                  field="officers", code="officer_must_avoid", rule="行政处罚法第四十三条")


def _open_case(*, actor, check_item: CheckItem, entity: MarketEntity, officers: list, source: str):
    from sanxiang.cases.services import case_open

    check_avoidance(entity, officers)
    return case_open(actor=actor, item=check_item.item, parties=[entity.party_data()], officers=officers,
                     title=f"{check_item.name}：{entity.name}", source=source)


@transaction.atomic
def task_open_from_draw(*, actor, plan: Plan, uscc: str):
    """Open the inspection case of one drawn target, with the inspectors drawn for it."""
    _check_scope(actor, plan.agency)
    draw = draw_selectors.current_draw(plan.draw_subject)
    if draw is None:
        raise TransitionNotAllowed("本计划尚未随机抽取", code="not_drawn", rule=RULE_DRAW)
    if draw_selectors.waiting_commitment(plan.draw_subject) is not None:
        # A redraw is committed: the current result may be replaced, so no task is opened from it.
        raise TransitionNotAllowed("本计划已记录重新抽取的种子承诺，须待重新抽取完成后再生成检查任务",
                                   code="redraw_waiting", rule=RULE_DRAW)
    row = next((t for t in draw.result["targets"] if t["id"] == uscc), None)
    if row is None:
        raise ValidationFailed("该对象不在本次抽取结果中", field="uscc", code="not_drawn_target", rule=RULE_DRAW)
    if not row["inspectors"]:
        raise TransitionNotAllowed("该对象未抽到足够的执法检查人员，须重新抽取", code="unstaffed", rule=RULE_DRAW)
    entity = MarketEntity.objects.get(agency=plan.agency, uscc=uscc)
    if Task.objects.filter(draw=draw, entity=entity).exists():
        raise TransitionNotAllowed("该抽取对象已生成检查任务", code="task_exists")
    officers = list(Officer.objects.filter(certificate_no__in=row["inspectors"]))
    officers.sort(key=lambda o: row["inspectors"].index(o.certificate_no))
    case = _open_case(actor=actor, check_item=plan.check_item, entity=entity, officers=officers,
                      source=f"双随机抽查（{plan.title}，第{draw.pk}号抽取）")
    task = Task(case=case, entity=entity, plan=plan, draw=draw)
    task.save()
    ledger_append(kind="inspections.task", actor=actor, agency=plan.agency, subjects=[task],
                  summary=f"生成检查任务 {case.number}：{entity.name}（随机抽取）")
    return case


@transaction.atomic
def task_open_ad_hoc(*, actor, check_item: CheckItem, entity: MarketEntity, officers: list, source: str = ""):
    """An inspection outside a draw (投诉举报、转办、专项检查): the same flow and rules."""
    _check_scope(actor, check_item.agency)
    if entity.agency_id != check_item.agency_id:
        raise ValidationFailed("检查对象不在本机关名录库中", field="entity", code="entity_other_agency")
    case = _open_case(actor=actor, check_item=check_item, entity=entity, officers=officers,
                      source=source or "日常检查（非随机抽取）")
    task = Task(case=case, entity=entity)
    task.save()
    ledger_append(kind="inspections.task", actor=actor, agency=check_item.agency, subjects=[task],
                  summary=f"生成检查任务 {case.number}：{entity.name}")
    return case


# --- results published ------------------------------------------------------------------------------

OUTCOMES = {"closed": "检查完结", "referred": "发现违法，已立案查处"}


def task_outcome(task: Task) -> dict:
    """What the public reads of one task: the result and what followed (no personal data)."""
    case = task.case
    data = case.data or {}
    result = data.get("result")
    followed = ""
    if case.state == "referred" and hasattr(case, "referral"):
        followed = f"已立案查处（{case.referral.penalty_case.number}）"
    elif data.get("rectified") == "yes":
        followed = f"已责令限期改正，{data.get('rechecked_on', '')}复查合格"
    elif case.state == "rectification":
        followed = f"已责令限期改正（期限至{data.get('rectify_deadline', '')}），待复查"
    label = {"pass": "未发现问题", "rectify": "发现问题，责令限期改正", "violation": "发现违法行为"}.get(
        result or "", "检查中")
    return {"entity": task.entity.name, "uscc": task.entity.uscc, "case": case.number,
            "inspected_on": data.get("inspected_on", ""), "result": label, "followed": followed,
            "state": OUTCOMES.get(case.state, "检查中")}


def results_content(plan: Plan, month: str) -> dict:
    draw = draw_selectors.current_draw(plan.draw_subject)
    drawn = [t["id"] for t in draw.result["targets"]] if draw else []
    tasks = {t.entity.uscc: t for t in plan.tasks.select_related("case", "entity")}
    rows = []
    for uscc in drawn:
        task = tasks.get(uscc)
        if task is not None:
            rows.append(task_outcome(task))
        else:
            entity = MarketEntity.objects.filter(agency=plan.agency, uscc=uscc).first()
            rows.append({"entity": entity.name if entity else uscc, "uscc": uscc, "case": "", "inspected_on": "",
                         "result": "尚未检查", "followed": "", "state": "待检查"})
    return {"plan": plan.title, "check_item": plan.check_item.name, "agency": plan.agency.name, "month": month,
            "period": [plan.period_start.isoformat(), plan.period_end.isoformat()],
            "draw": draw.pk if draw else None, "drawn": len(drawn), "rows": rows,
            "inspected": sum(1 for r in rows if r["inspected_on"]),
            "problems": sum(1 for r in rows if r["result"] in ("发现问题，责令限期改正", "发现违法行为"))}


@transaction.atomic
def results_publish(*, plan: Plan, month: str, actor="system") -> ResultNotice | None:
    """抽查结果公示 of one plan for one month (once; None when already published or not drawn)."""
    if ResultNotice.objects.filter(plan=plan, month=month).exists():
        return None
    if draw_selectors.current_draw(plan.draw_subject) is None:
        return None
    content = results_content(plan, month)
    digest = sha256_hex(canonical_bytes(content))
    notice = ResultNotice(plan=plan, month=month, content=content, content_sha256=digest, published_at=timezone.now())
    notice.save()
    entry = ledger_append(kind="inspections.results_publish", actor=actor, agency=plan.agency, subjects=[notice],
                          content={"notice": digest}, public=True, summary=f"抽查结果公示：{plan.title}（{month}）")
    ResultNotice.objects.filter(pk=notice.pk).update(ledger_index=entry.index)
    notice.ledger_index = entry.index
    return notice


def previous_month(today: dt.date) -> str:
    first = today.replace(day=1) - dt.timedelta(days=1)
    return f"{first.year:04d}-{first.month:02d}"


def results_publish_due(*, today: dt.date | None = None, actor="system") -> list[ResultNotice]:
    """The monthly job: publish last month's results of every drawn plan whose period overlaps it."""
    today = today or timezone.localdate()
    month = previous_month(today)
    end_of_month = today.replace(day=1)
    start_of_month = (end_of_month - dt.timedelta(days=1)).replace(day=1)
    done = []
    for plan in Plan.objects.filter(period_start__lt=end_of_month, period_end__gte=start_of_month) \
            .select_related("check_item", "agency"):
        notice = results_publish(plan=plan, month=month, actor=actor)
        if notice is not None:
            done.append(notice)
    return done
