"""案卷评查 services: the template, the round and its verifiable draw, scoring, rectification and
publication. Each write is logged in the ledger in its transaction."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone

from sanxiang.accounts.models import Role
from sanxiang.common.exceptions import NotFound, RoleNotAllowed, TransitionNotAllowed, ValidationFailed
from sanxiang.common.services import record_save
from sanxiang.evaluation import standard
from sanxiang.evaluation.models import (
    EvaluatedFile,
    EvaluationRound,
    ItemScore,
    Rectification,
    RectificationState,
    RoundState,
    ScoringTemplate,
    TemplateItem,
)
from sanxiang.ledger.services import ledger_append

RULE = "行政执法案卷评查制度（《行政执法监督条例》）"
PURPOSE = "case_review"
ANSWER_ROLES = {Role.AGENCY_HEAD, Role.UNIT_HEAD}


def _supervisor(actor, what: str) -> None:
    if actor.role != Role.SUPERVISOR:
        raise RoleNotAllowed(f"“{what}”须由执法监督人员办理", code="role_not_allowed", rule=RULE)


@transaction.atomic
def template_install(*, actor="system", code: str = standard.CODE) -> ScoringTemplate:
    """The shipped template under `code` (kept as it is when it exists: it is the administrator's)."""
    existing = ScoringTemplate.objects.filter(code=code).first()
    if existing is not None:
        return existing
    template = record_save(ScoringTemplate(code=code, name=standard.NAME, basis=standard.BASIS), actor=actor)
    for order, (part, text, points, veto) in enumerate(standard.ITEMS, start=1):
        record_save(TemplateItem(template=template, order=order, part=part, text=text, points=Decimal(points),
                                 is_veto=veto), actor=actor, summary=f"评查标准条目 {order}")
    return template


def _decimal(value, field: str) -> Decimal:
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValidationFailed("请填写数字", field=field, code="number_format") from None
    if not number.is_finite():
        raise ValidationFailed("请填写数字", field=field, code="number_format")
    return number


def sample_pool(agencies, start: dt.date, end: dt.date) -> list[dict]:
    """Archived dossiers of `agencies` closed between `start` and `end`, as draw pool members
    (stratum: the agency, so each agency gets its own share)."""
    from sanxiang.cases.engine import flow_spec
    from sanxiang.cases.models import Case

    members = []
    cases = Case.objects.filter(agency__in=agencies, closed_on__gte=start, closed_on__lte=end).select_related(
        "flow", "agency")
    for case in cases.order_by("pk"):
        if flow_spec(case.flow).is_final(case.state):
            members.append({"id": f"case:{case.pk}", "stratum": case.agency.code, "number": case.number})
    return members


@transaction.atomic
def round_create(*, actor, title: str, year: int, agencies, period_start: dt.date, period_end: dt.date,
                 ratio, evaluators, minimum: int = 1, template: ScoringTemplate | None = None) -> EvaluationRound:
    """Open a round and draw its sample: archived dossiers per agency at `ratio` (at least
    `minimum`), each given one evaluator, by the same verifiable draw as 双随机 (the seed's
    commitment is in the ledger before the result)."""
    from sanxiang.draws.services import draw_run

    _supervisor(actor, "组织案卷评查")
    title = (title or "").strip()
    if not title:
        raise ValidationFailed("须填写评查活动名称", field="title", code="title_required")
    ratio = _decimal(ratio, "ratio")
    if not Decimal("0") < ratio <= Decimal("1"):
        raise ValidationFailed("抽取比例须大于0且不超过1（如0.1即10%）", field="ratio", code="ratio_range")
    if period_start > period_end:
        raise ValidationFailed("归档日期起不得晚于归档日期止", field="period_end", code="period_order")
    agencies = list(agencies)
    if not agencies:
        raise ValidationFailed("须选择至少一个被评查机关", field="agencies", code="agencies_required")
    evaluators = list(dict.fromkeys(evaluators))
    if not evaluators:
        raise ValidationFailed("须指定至少一名评查人员", field="evaluators", code="evaluators_required")
    bad = [u for u in evaluators if u.role != Role.SUPERVISOR or not u.is_active]
    if bad:
        raise ValidationFailed(f"评查人员须为执法监督人员：{'、'.join(str(u) for u in bad)}", field="evaluators",
                               code="evaluator_role", rule=RULE)
    template = template or template_install(actor=actor)
    if not template.is_active:
        raise ValidationFailed("该评查标准已停用", field="template", code="template_inactive")
    targets = sample_pool(agencies, period_start, period_end)
    if not targets:
        raise ValidationFailed("所选机关在该期间内没有已归档的案卷可供抽取", field="agencies", code="pool_empty")
    round_ = record_save(EvaluationRound(title=title, year=year, template=template, ratio=ratio, minimum=minimum,
                                         period_start=period_start, period_end=period_end, created_by=actor),
                         actor=actor, summary=f"组织案卷评查：{title}")
    pools = {"targets": targets,
             "inspectors": [{"id": f"user:{u.pk}", "name": u.display_name or u.username} for u in evaluators]}
    # 回避: an evaluator who handled, reviewed or decided a dossier does not score it.
    exclusions = [{"inspector": f"user:{u.pk}", "target": t["id"], "reason": "曾参与办理该案件，回避"}
                  for t in targets for u in evaluators if _took_part(u, int(t["id"].split(":")[1]))]
    parameters = {"ratios": {a.code: str(ratio) for a in agencies}, "minimum": minimum, "team_size": 1,
                  "exclusions": exclusions}
    draw = draw_run(purpose=PURPOSE, agency=_organiser(actor, agencies), subject=round_.ledger_ref(), title=title,
                    pools=pools, parameters=parameters, actor=actor)
    round_.draw = draw
    round_.save(update_fields=["draw"])
    files = []
    users = {f"user:{u.pk}": u for u in evaluators}
    for drawn in draw.result["targets"]:
        if not drawn["inspectors"]:
            continue  # unstaffed: every evaluator must avoid it; listed on the round page
        files.append(EvaluatedFile.objects.create(round=round_, case_id=int(drawn["id"].split(":")[1]),
                                                  evaluator=users[drawn["inspectors"][0]]))
    entry = ledger_append(kind="evaluation.sample", actor=actor, agency=draw.agency, subjects=[round_, *files],
                          summary=f"案卷评查抽取 {len(files)} 卷：{title}（抽取第{draw.pk}号）")
    EvaluationRound.objects.filter(pk=round_.pk).update(ledger_index=entry.index)
    round_.ledger_index = entry.index
    return round_


def _organiser(actor, agencies):
    """The body that organises the round: the supervisor's own agency (the justice bureau)."""
    from sanxiang.registry.choices import AgencyKind
    from sanxiang.registry.models import Agency

    return actor.agency or Agency.objects.filter(kind=AgencyKind.SUPERVISION).order_by("pk").first() or agencies[0]


def _took_part(user, case_id: int) -> bool:
    from sanxiang.cases.models import CaseEvent

    return CaseEvent.objects.filter(case_id=case_id, actor=user).exists()


@transaction.atomic
def file_score(*, actor, file: EvaluatedFile, scores: dict, comment: str) -> EvaluatedFile:
    """Score a dossier item by item: `scores` maps item id to {"points", "triggered", "note"}.
    Every item must be scored; a deduction or a veto needs its reason."""
    file = EvaluatedFile.objects.select_for_update(of=("self",)).select_related("round__template").get(pk=file.pk)
    if file.evaluator_id != actor.pk:
        raise RoleNotAllowed("只有抽取确定的评查人员可以评分", code="not_evaluator", rule=RULE)
    if file.scored_at is not None:
        raise TransitionNotAllowed("该案卷已评分，评查结果不得修改", code="already_scored", rule=RULE)
    if file.round.state != RoundState.SCORING:
        raise TransitionNotAllowed("评查活动已结束，不能再评分", code="round_closed", rule=RULE)
    comment = (comment or "").strip()
    if not comment:
        raise ValidationFailed("须填写评查意见", field="comment", code="comment_required")
    rows, total, vetoed = [], Decimal(0), False
    for item in file.round.template.items.order_by("order"):
        given = scores.get(item.pk) or scores.get(str(item.pk)) or {}
        field = f"item_{item.pk}"
        note = (given.get("note") or "").strip()[:500]
        if item.is_veto:
            triggered = str(given.get("triggered", "")).lower() in {"1", "true", "yes", "on"}
            if triggered and not note:
                raise ValidationFailed(f"第{item.order}项否决情形须写明事实", field=f"{field}_note", code="veto_reason")
            vetoed = vetoed or triggered
            rows.append(ItemScore(file=file, item=item, points=Decimal(0), triggered=triggered, note=note))
            continue
        if given.get("points") in (None, ""):
            raise ValidationFailed(f"第{item.order}项（{item.part}）未评分", field=field, code="item_unscored")
        points = _decimal(given["points"], field)
        if not Decimal(0) <= points <= item.points:
            raise ValidationFailed(f"第{item.order}项得分须在0至{item.points.normalize():f}分之间", field=field,
                                   code="points_range")
        if points < item.points and not note:
            raise ValidationFailed(f"第{item.order}项扣分须写明理由", field=f"{field}_note", code="deduction_reason")
        total += points
        rows.append(ItemScore(file=file, item=item, points=points, note=note))
    ItemScore.objects.bulk_create(rows)
    file.score, file.vetoed, file.comment = total, vetoed, comment[:4000]
    file.grade = file.round.template.grade(total, vetoed)
    file.scored_at = timezone.now()
    file.save()
    from sanxiang.supervision.services import access_record

    entry = ledger_append(kind="evaluation.score", actor=actor, agency=file.case.agency,
                          subjects=[file, *ItemScore.objects.filter(file=file)],
                          summary=f"案卷评查评分 {file.case.number}：{total.normalize():f}分，{file.get_grade_display()}")
    EvaluatedFile.objects.filter(pk=file.pk).update(ledger_index=entry.index)
    file.ledger_index = entry.index
    access_record(actor=actor, case=file.case, target=file.case, reason="案卷评查评分",
                  label=f"案卷评查评分 {file.case.number}")
    return file


@transaction.atomic
def rectification_request(*, actor, file: EvaluatedFile, request: str, due_on: dt.date) -> Rectification:
    _supervisor(actor, "下达评查整改通知")
    file = EvaluatedFile.objects.select_related("case__agency").get(pk=file.pk)
    if file.scored_at is None:
        raise TransitionNotAllowed("案卷评分后才能下达整改通知", code="not_scored", rule=RULE)
    request = (request or "").strip()
    if not request:
        raise ValidationFailed("须写明整改要求", field="request", code="request_required")
    if due_on <= timezone.localdate():
        raise ValidationFailed("整改期限须晚于今天", field="due_on", code="due_in_past")
    row = Rectification.objects.create(file=file, request=request[:4000], due_on=due_on, requested_by=actor)
    ledger_append(kind="evaluation.rectification_request", actor=actor, agency=file.case.agency, subjects=[row],
                  summary=f"案卷评查整改通知 {file.case.number}（{due_on}前反馈）")
    return row


@transaction.atomic
def rectification_answer(*, actor, rectification: Rectification, answer: str) -> Rectification:
    row = Rectification.objects.select_for_update(of=("self",)).select_related("file__case__agency").get(pk=rectification.pk)
    agency = row.file.case.agency
    if actor.role not in ANSWER_ROLES:
        raise RoleNotAllowed("整改情况须由被评查机关的机关负责人或承办机构负责人反馈", code="role_not_allowed", rule=RULE)
    visible = actor.visible_agency_ids()
    if visible is not None and agency.pk not in visible:
        raise NotFound("整改通知不存在或无权查看")
    if row.state not in {RectificationState.REQUESTED, RectificationState.RETURNED}:
        raise TransitionNotAllowed("该整改通知已反馈，等待评查机关审核", code="already_answered", rule=RULE)
    answer = (answer or "").strip()
    if not answer:
        raise ValidationFailed("须写明整改情况", field="answer", code="answer_required")
    row.answer, row.answered_by, row.answered_at = answer[:4000], actor, timezone.now()
    row.state = RectificationState.ANSWERED
    row.save()
    late = timezone.localdate() > row.due_on
    ledger_append(kind="evaluation.rectification_answer", actor=actor, agency=agency, subjects=[row],
                  summary=f"评查整改反馈 {row.file.case.number}" + ("（逾期反馈）" if late else ""))
    return row


@transaction.atomic
def rectification_review(*, actor, rectification: Rectification, accept: bool, note: str) -> Rectification:
    _supervisor(actor, "审核整改情况")
    row = Rectification.objects.select_for_update().get(pk=rectification.pk)
    if row.state != RectificationState.ANSWERED:
        raise TransitionNotAllowed("整改情况尚未反馈，不能审核", code="not_answered", rule=RULE)
    note = (note or "").strip()
    if not accept and not note:
        raise ValidationFailed("退回重新整改须说明理由", field="review_note", code="review_reason")
    row.state = RectificationState.ACCEPTED if accept else RectificationState.RETURNED
    row.review_note = note[:2000]
    row.save()
    ledger_append(kind="evaluation.rectification_review", actor=actor, agency=row.file.case.agency, subjects=[row],
                  summary=f"评查整改{'完成' if accept else '退回'} {row.file.case.number}")
    return row


@transaction.atomic
def round_conclude(*, actor, round_: EvaluationRound, summary: str) -> EvaluationRound:
    _supervisor(actor, "结束案卷评查")
    round_ = EvaluationRound.objects.select_for_update().get(pk=round_.pk)
    if round_.state != RoundState.SCORING:
        raise TransitionNotAllowed("评查活动已结束", code="round_closed", rule=RULE)
    pending = round_.files.filter(scored_at__isnull=True).count()
    if pending:
        raise TransitionNotAllowed(f"尚有{pending}卷未评分，不能结束评查", code="files_unscored", rule=RULE)
    summary = (summary or "").strip()
    if not summary:
        raise ValidationFailed("须填写评查通报（总体情况、主要问题和整改要求）", field="summary", code="summary_required")
    round_.summary, round_.state = summary[:8000], RoundState.CONCLUDED
    round_.save()
    ledger_append(kind="evaluation.conclude", actor=actor, agency=round_.draw.agency if round_.draw else None,
                  subjects=[round_], summary=f"案卷评查结束：{round_.title}")
    return round_


@transaction.atomic
def round_publish(*, actor, round_: EvaluationRound) -> EvaluationRound:
    """Publish the summary: per agency counts, average and grades (never party names)."""
    from sanxiang.common.canonical import canonical_bytes, sha256_hex
    from sanxiang.evaluation.selectors import public_summary

    _supervisor(actor, "公布评查结果")
    round_ = EvaluationRound.objects.select_for_update().get(pk=round_.pk)
    if round_.state != RoundState.CONCLUDED:
        raise TransitionNotAllowed("评查结束后才能公布结果", code="not_concluded", rule=RULE)
    round_.state, round_.published_at = RoundState.PUBLISHED, timezone.now()
    round_.save()
    ledger_append(kind="evaluation.publish", actor=actor, agency=round_.draw.agency if round_.draw else None,
                  subjects=[round_], public=True, content={"summary": sha256_hex(canonical_bytes(public_summary(round_)))},
                  summary=f"公布案卷评查结果：{round_.title}")
    return round_
