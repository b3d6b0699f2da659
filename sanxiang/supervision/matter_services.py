"""监督案件 services: open (立案), assign (交办), transfer (转办), answer (反馈), remind (催办),
escalate (督办), close (办结). Each writes a MatterStep and a ledger entry in one transaction.

Who does what:
- supervisors (司法局执法监督人员) open, assign, transfer, remind, escalate and close;
- the addressed agency's head or unit head answers (an agency above it sees the matter but
  does not answer for it; any other agency does not see it at all).
"""

from __future__ import annotations

import datetime as dt

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from sanxiang.accounts.models import Role
from sanxiang.accounts.scoping import OutOfScope
from sanxiang.common.calendar import add_working_days
from sanxiang.common.canonical import sha256_hex
from sanxiang.common.exceptions import DeadlineError, RoleNotAllowed, TransitionNotAllowed, ValidationFailed
from sanxiang.common.models import next_number
from sanxiang.ledger.services import ledger_append
from sanxiang.registry.params import param_int
from sanxiang.supervision.matters import HANDLER_ROLES, Matter, MatterSource, MatterStatus, MatterStep

RULE = "行政执法监督工作制度（交办、转办、督办、反馈）"
MAX_FILES, MAX_FILE_BYTES = 5, 20 * 1024 * 1024


def _text(value, limit: int) -> str:
    return (value or "").strip()[:limit]


def _require_supervisor(actor, what: str) -> None:
    if getattr(actor, "role", None) != Role.SUPERVISOR:
        raise RoleNotAllowed(f"{what}由司法行政部门执法监督人员办理（{RULE}）", code="supervisor_only", rule=RULE)


def _locked(matter) -> Matter:
    return Matter.objects.select_for_update(of=("self",)).select_related("agency", "case").get(pk=matter.pk)


def _step(matter, *, action: str, name: str, actor, text: str = "", agency=None, due_on=None, files=(),
          summary: str = "", data: dict | None = None, extra_subjects=()) -> MatterStep:
    step = MatterStep.objects.create(matter=matter, action=action, action_name=name, actor=actor,
                                     actor_role=getattr(actor, "role", "") if actor else "system",
                                     agency=agency or matter.agency, at=timezone.now(), text=text, due_on=due_on,
                                     files=list(files))
    entry = ledger_append(kind=f"matter.{action}", actor=actor, agency=agency or matter.agency,
                          subjects=[matter, step, *extra_subjects], files=[f["sha256"] for f in files],
                          summary=summary or f"{name} {matter.number}", data={"matter": matter.number, **(data or {})})
    MatterStep.objects.filter(pk=step.pk).update(ledger_index=entry.index)
    step.ledger_index = entry.index
    return step


def default_due(agency, start: dt.date | None = None) -> dt.date:
    start = start or timezone.localdate()
    return add_working_days(start, param_int("matter_answer_working_days", agency), what="监督案件反馈期限")


def _check_due(due_on) -> dt.date:
    if due_on is None:
        raise ValidationFailed(f"交办须确定反馈期限（{RULE}）", field="due_on", code="matter_due_required", rule=RULE)
    if due_on <= timezone.localdate():
        raise ValidationFailed("反馈期限须晚于今天", field="due_on", code="matter_due_past", rule=RULE)
    return due_on


@transaction.atomic
def matter_open(*, actor, source: str, title: str, description: str, agency=None, case=None, complaint=None,
                alert_ref: str = "", due_on: dt.date | None = None) -> Matter:
    """立案. `agency` defaults to the case's agency; with `due_on` the matter is assigned at once."""
    from sanxiang.supervision.complaints import complaint_forwarded

    _require_supervisor(actor, "监督案件立案")
    if source not in MatterSource.values:
        raise ValidationFailed("请选择监督案件来源（投诉举报、预警或执法检查）", field="source", code="matter_source")
    title, description = _text(title, 200), _text(description, 5000)
    if not title:
        raise ValidationFailed("请填写监督事项", field="title", code="matter_title_required")
    if not description:
        raise ValidationFailed("请写明发现的问题和监督要求", field="description", code="matter_description_required")
    if source == MatterSource.COMPLAINT and complaint is None:
        raise ValidationFailed("来源为投诉举报的监督案件须关联该投诉举报", field="complaint", code="matter_complaint_required")
    if source == MatterSource.ALERT and not _text(alert_ref, 120):
        raise ValidationFailed("来源为预警的监督案件须注明预警", field="alert_ref", code="matter_alert_required")
    if case is not None:
        if agency is not None and agency.pk != case.agency_id:
            raise ValidationFailed("监督案件针对某一案件时，承办机关须为办案机关", field="agency", code="matter_agency_case")
        agency = case.agency
    if complaint is not None and agency is None:
        agency = complaint.agency or (complaint.case.agency if complaint.case_id else None)
    if agency is None:
        raise ValidationFailed("请指定被监督的行政执法机关或案件", field="agency", code="matter_agency_required")
    now = timezone.now()
    year = timezone.localdate(now).year
    matter = Matter.objects.create(
        number=f"JD{year}{next_number(f'matter:{year}'):05d}", source=source, complaint=complaint,
        alert_ref=_text(alert_ref, 120), agency=agency, case=case, title=title, description=description,
        opened_by=actor, opened_at=now,
    )
    step = _step(matter, action="open", name="立案", actor=actor, text=description,
                 summary=f"监督案件立案 {matter.number}：{title}",
                 data={"source": source, "case": case.number if case else None})
    Matter.objects.filter(pk=matter.pk).update(ledger_index=step.ledger_index)
    matter.ledger_index = step.ledger_index
    if complaint is not None:
        complaint_forwarded(complaint, matter, actor)
    if due_on is not None:
        matter = matter_assign(matter=matter, actor=actor, due_on=due_on)
    return matter


@transaction.atomic
def matter_assign(*, matter, actor, due_on: dt.date, note: str = "") -> Matter:
    """交办 to the matter's agency with a deadline for the answer."""
    _require_supervisor(actor, "交办")
    matter = _locked(matter)
    if matter.status != MatterStatus.OPEN:
        raise TransitionNotAllowed(f"监督案件{matter.get_status_display()}，不能再交办（转办请用“转办”）",
                                   code="matter_not_open", rule=RULE)
    matter.due_on, matter.status = _check_due(due_on), MatterStatus.ASSIGNED
    matter.save(update_fields=["due_on", "status"])
    _step(matter, action="assign", name="交办", actor=actor, text=_text(note, 2000), due_on=matter.due_on,
          summary=f"交办监督案件 {matter.number} 至 {matter.agency.name}，{matter.due_on} 前反馈")
    return matter


@transaction.atomic
def matter_transfer(*, matter, actor, agency, reason: str, due_on: dt.date | None = None) -> Matter:
    """转办 to another agency, with the reason; the answer period starts again."""
    _require_supervisor(actor, "转办")
    matter = _locked(matter)
    reason = _text(reason, 2000)
    if not reason:
        raise ValidationFailed(f"转办须说明理由（{RULE}）", field="reason", code="matter_transfer_reason", rule=RULE)
    if agency is None or agency.pk == matter.agency_id:
        raise ValidationFailed("请选择另一个承办机关", field="agency", code="matter_transfer_same")
    if matter.case_id is not None:
        raise ValidationFailed("针对具体案件的监督案件由办案机关反馈，不能转办其他机关", field="agency",
                               code="matter_transfer_case", rule=RULE)
    if matter.status not in (MatterStatus.OPEN, MatterStatus.ASSIGNED):
        raise TransitionNotAllowed(f"监督案件{matter.get_status_display()}，不能转办", code="matter_not_transferable",
                                   rule=RULE)
    old = matter.agency
    matter.agency = agency
    matter.due_on = _check_due(due_on) if due_on is not None else default_due(agency)
    matter.status, matter.escalation = MatterStatus.ASSIGNED, 0
    matter.save(update_fields=["agency", "due_on", "status", "escalation"])
    _step(matter, action="transfer", name="转办", actor=actor, text=reason, agency=agency, due_on=matter.due_on,
          summary=f"转办监督案件 {matter.number}：{old.name} → {agency.name}",
          data={"from": old.code, "to": agency.code})
    return matter


def _store_files(files) -> tuple[list[dict], list]:
    from sanxiang.ledger import guomi
    from sanxiang.records.services import blob_put, file_store

    files = [f for f in (files or []) if f]
    if len(files) > MAX_FILES:
        raise ValidationFailed(f"附件最多 {MAX_FILES} 个", field="files", code="matter_too_many_files")
    out, new_rows = [], []
    for upload in files:
        if upload.size > MAX_FILE_BYTES:
            raise ValidationFailed(f"附件“{upload.name}”超过 {MAX_FILE_BYTES // (1024 * 1024)} MiB", field="files",
                                   code="matter_file_too_large")
        data = upload.read()
        sha = sha256_hex(data)
        blob_put(ContentFile(data, name="attachment"), sha)
        stored, new = file_store(sha256=sha, size=len(data), sm3=guomi.sm3_hex(data))
        if new:
            new_rows.append(stored)
        out.append({"sha256": sha, "name": _text(upload.name, 200), "size": len(data), "file": stored.pk})
    return out, new_rows


@transaction.atomic
def matter_answer(*, matter, actor, text: str, files=()) -> Matter:
    """反馈: what the addressed agency did, by its head or a unit head, with attachments."""
    if actor.role not in HANDLER_ROLES:
        raise RoleNotAllowed(f"监督案件由承办机关的机关负责人或承办机构负责人反馈（{RULE}）", code="matter_wrong_agency",
                             rule=RULE)
    if not Matter.objects.visible_to(actor).filter(pk=matter.pk).exists():
        raise OutOfScope("监督案件不存在或无权查看", ref=matter.ledger_ref())
    matter = _locked(matter)
    if actor.role not in HANDLER_ROLES or actor.agency_id != matter.agency_id:
        raise RoleNotAllowed(f"监督案件由承办机关（{matter.agency.name}）的机关负责人或承办机构负责人反馈（{RULE}）",
                             code="matter_wrong_agency", rule=RULE)
    if matter.status != MatterStatus.ASSIGNED:
        raise TransitionNotAllowed(f"监督案件{matter.get_status_display()}，不能反馈", code="matter_not_assigned", rule=RULE)
    text = _text(text, 5000)
    if not text:
        raise ValidationFailed(f"反馈须写明核查和整改情况（{RULE}）", field="text", code="matter_answer_required", rule=RULE)
    stored, new_rows = _store_files(files)
    matter.status = MatterStatus.ANSWERED
    matter.save(update_fields=["status"])
    late = matter.due_on and timezone.localdate() > matter.due_on
    _step(matter, action="answer", name="反馈" + ("（逾期）" if late else ""), actor=actor, text=text, files=stored,
          summary=f"{matter.agency.name} 反馈监督案件 {matter.number}", extra_subjects=new_rows)
    if new_rows:
        from sanxiang.records.models import StoredFile

        StoredFile.objects.filter(pk__in=[f.pk for f in new_rows]).update(
            ledger_index=matter.steps.order_by("-pk").values_list("ledger_index", flat=True).first())
    return matter


@transaction.atomic
def matter_return(*, matter, actor, reason: str, due_on: dt.date) -> Matter:
    """退回重新反馈: the answer does not settle the matter; a new deadline."""
    _require_supervisor(actor, "退回反馈")
    matter = _locked(matter)
    reason = _text(reason, 2000)
    if not reason:
        raise ValidationFailed("退回须说明理由", field="reason", code="matter_return_reason", rule=RULE)
    if matter.status != MatterStatus.ANSWERED:
        raise TransitionNotAllowed("只有已反馈的监督案件可以退回", code="matter_not_answered", rule=RULE)
    matter.due_on, matter.status = _check_due(due_on), MatterStatus.ASSIGNED
    matter.save(update_fields=["due_on", "status"])
    _step(matter, action="return", name="退回重新反馈", actor=actor, text=reason, due_on=matter.due_on)
    return matter


def matter_is_late(matter, on: dt.date | None = None) -> bool:
    on = on or timezone.localdate()
    return matter.status == MatterStatus.ASSIGNED and matter.due_on is not None and on > matter.due_on


@transaction.atomic
def matter_remind(*, matter, actor=None, note: str = "", on: dt.date | None = None) -> Matter:
    """催办: the matter is past its deadline. By a supervisor, or by the job runner (actor None)."""
    if actor is not None:
        _require_supervisor(actor, "催办")
    matter = _locked(matter)
    if matter.status != MatterStatus.ASSIGNED:
        raise TransitionNotAllowed(f"监督案件{matter.get_status_display()}，无需催办", code="matter_not_assigned", rule=RULE)
    if actor is None and not matter_is_late(matter, on):
        raise TransitionNotAllowed("未超过反馈期限，不自动催办", code="matter_not_late", rule=RULE)
    matter.escalation = max(matter.escalation, 1)
    matter.save(update_fields=["escalation"])
    text = _text(note, 2000) or f"请于收到后尽快反馈（反馈期限 {matter.due_on}）"
    _step(matter, action="remind", name="催办" if actor else "自动催办", actor=actor, text=text)
    return matter


@transaction.atomic
def matter_escalate(*, matter, actor=None, note: str = "", due_on: dt.date | None = None,
                    on: dt.date | None = None) -> Matter:
    """督办: a formal escalation (with the 行政执法监督通知书 where issued) and a new deadline."""
    if actor is not None:
        _require_supervisor(actor, "督办")
    matter = _locked(matter)
    if matter.status != MatterStatus.ASSIGNED:
        raise TransitionNotAllowed(f"监督案件{matter.get_status_display()}，不能督办", code="matter_not_assigned", rule=RULE)
    if actor is None:
        if matter.escalation < 1 or not matter_is_late(matter, on):
            raise TransitionNotAllowed("自动督办须先催办且仍逾期", code="matter_not_reminded", rule=RULE)
    matter.escalation = 2
    matter.due_on = _check_due(due_on) if due_on is not None else default_due(matter.agency)
    matter.save(update_fields=["escalation", "due_on"])
    text = _text(note, 2000) or "逾期未反馈，列为督办事项"
    _step(matter, action="escalate", name="督办" if actor else "自动督办", actor=actor, text=text, due_on=matter.due_on)
    return matter


@transaction.atomic
def matter_close(*, matter, actor, conclusion: str) -> Matter:
    """办结 with a conclusion (shown to the complainant in the progress lookup)."""
    _require_supervisor(actor, "办结")
    matter = _locked(matter)
    conclusion = _text(conclusion, 5000)
    if not conclusion:
        raise ValidationFailed(f"办结须写明监督结论（{RULE}）", field="conclusion", code="matter_conclusion_required",
                               rule=RULE)
    if matter.status == MatterStatus.CLOSED:
        raise TransitionNotAllowed("监督案件已办结", code="matter_closed")
    if matter.status != MatterStatus.ANSWERED:
        raise TransitionNotAllowed("承办机关反馈后才能办结", code="matter_not_answered", rule=RULE)
    matter.status, matter.conclusion, matter.closed_at = MatterStatus.CLOSED, conclusion, timezone.now()
    matter.save(update_fields=["status", "conclusion", "closed_at"])
    _step(matter, action="close", name="办结", actor=actor, text=conclusion, summary=f"监督案件办结 {matter.number}")
    return matter


def matters_remind_overdue(on: dt.date | None = None) -> dict:
    """The job runner's daily pass: 催办 matters past their deadline, then 督办 those reminded
    `matter_escalate_working_days` working days ago and still unanswered. Returns counts."""
    on = on or timezone.localdate()
    reminded = escalated = 0
    for matter in Matter.objects.filter(status=MatterStatus.ASSIGNED, due_on__lt=on).select_related("agency"):
        if matter.escalation == 0:
            matter_remind(matter=matter, on=on)
            reminded += 1
        elif matter.escalation == 1:
            last = matter.steps.filter(action="remind").order_by("-at").first()
            start = timezone.localdate(last.at) if last else matter.due_on
            try:
                limit = add_working_days(start, param_int("matter_escalate_working_days", matter.agency),
                                         what="督办期限")
            except DeadlineError:  # a missing calendar year: tried again tomorrow
                continue
            if on > limit:
                matter_escalate(matter=matter, on=on)
                escalated += 1
    return {"reminded": reminded, "escalated": escalated}


# --- reads -------------------------------------------------------------------------------------


def matter_list(user, *, status: str = "", late: bool = False):
    qs = Matter.objects.visible_to(user).select_related("agency", "case")
    if status in MatterStatus.values:
        qs = qs.filter(status=status)
    if late:
        qs = qs.filter(status=MatterStatus.ASSIGNED, due_on__lt=timezone.localdate())
    return qs


def matter_get(user, pk: int) -> Matter:
    return Matter.objects.select_related("agency", "case", "complaint").get_visible(
        user, pk=pk, message="监督案件不存在或无权查看")
