"""投诉举报 about enforcement: public intake (anonymous allowed), routing, 受理 and 办结 deadlines in
working days (parameters), the reply, forwarding to a supervision matter, the public progress
lookup and the counts the dashboard and the annual report read.

Routing: a complaint naming an agency goes to that agency (its head and unit heads handle it);
one naming none, or about the agency as a whole (category 吃拿卡要), goes to the justice bureau
(supervisors). Supervisors may handle any complaint.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from sanxiang.accounts.models import Role
from sanxiang.common.calendar import add_working_days
from sanxiang.common.exceptions import (
    DeadlineError,
    NotFound,
    RoleNotAllowed,
    TransitionNotAllowed,
    ValidationFailed,
)
from sanxiang.common.models import next_number
from sanxiang.common.tracking import (
    Progress,
    ProgressStep,
    new_query_code,
    query_code_hash,
    query_code_matches,
    tracker,
)
from sanxiang.ledger.services import ledger_append
from sanxiang.registry.params import param_int
from sanxiang.supervision.matters import (
    HANDLER_ROLES,
    Complaint,
    ComplaintCategory,
    ComplaintStatus,
    ComplaintStep,
)

RULE = "《行政执法监督条例》投诉举报处理规定"
MAX_CONTENT = 5000


def _text(value, limit: int) -> str:
    return (value or "").strip()[:limit]


def _deadlines(received: dt.date, agency) -> tuple[dt.date | None, dt.date | None, str]:
    """(受理期限, 办结期限, note). A year missing from the working-day calendar leaves the dates
    empty with the reason, never a weekends-only guess; staff see the note."""
    try:
        accept = add_working_days(received, param_int("complaint_accept_working_days", agency), what="受理期限")
        handle = add_working_days(received, param_int("complaint_handle_working_days", agency), what="办结期限")
    except DeadlineError as exc:
        return None, None, exc.message[:300]
    return accept, handle, ""


def _step(complaint, *, action: str, actor, text: str, public_text: str, kind: str, summary: str,
          data: dict | None = None) -> ComplaintStep:
    step = ComplaintStep.objects.create(complaint=complaint, action=action, actor=actor,
                                        actor_role=getattr(actor, "role", "") if actor else "",
                                        at=timezone.now(), text=text, public_text=public_text[:300])
    entry = ledger_append(kind=kind, actor=actor, agency=complaint.agency, subjects=[complaint, step],
                          summary=summary, data=data or {})
    ComplaintStep.objects.filter(pk=step.pk).update(ledger_index=entry.index)
    step.ledger_index = entry.index
    return step


@transaction.atomic
def complaint_submit(*, content: str, category: str, agency=None, decision_number: str = "",
                     anonymous: bool = True, name: str = "", phone: str = "") -> tuple[Complaint, str]:
    """Record a complaint from the public. Returns (complaint, query code): the code is shown once."""
    from sanxiang.cases.models import Decision

    content = _text(content, MAX_CONTENT)
    if len(content) < 10:
        raise ValidationFailed(f"请写明投诉举报的事实和理由（不少于10个字）（{RULE}）", field="content",
                               code="complaint_content_short", rule=RULE)
    if category not in ComplaintCategory.values:
        raise ValidationFailed("请选择投诉举报类别", field="category", code="complaint_category")
    name, phone = _text(name, 60), _text(phone, 30)
    if not anonymous and not (name and phone):
        raise ValidationFailed("实名投诉须填写姓名和联系电话；不愿留名可选择匿名投诉", field="name",
                               code="complaint_name_required", rule=RULE)
    if anonymous:
        name, phone = "", ""
    decision_number = _text(decision_number, 80)
    case = None
    if decision_number:
        decision = Decision.objects.select_related("case__agency").filter(number=decision_number).first()
        if decision is not None:
            case = decision.case
            agency = agency or decision.case.agency
    now = timezone.now()
    accept_due, handle_due, note = _deadlines(timezone.localdate(now), agency)
    year = timezone.localdate(now).year
    code = new_query_code()
    complaint = Complaint.objects.create(
        number=f"TS{year}{next_number(f'complaint:{year}'):06d}", query_code_hash=query_code_hash(code),
        anonymous=anonymous, complainant_name=name, complainant_phone=phone, agency=agency, category=category,
        decision_number=decision_number, case=case, content=content, received_at=now, accept_due=accept_due,
        handle_due=handle_due, due_note=note,
    )
    step = _step(complaint, action="submit", actor=None, text="", kind="complaint.submit",
                 public_text=f"收到投诉举报，由{complaint.handler_label}办理",
                 summary=f"收到投诉举报 {complaint.number}（{complaint.get_category_display()}）",
                 data={"agency": agency.code if agency else None, "anonymous": anonymous})
    Complaint.objects.filter(pk=complaint.pk).update(ledger_index=step.ledger_index)
    complaint.ledger_index = step.ledger_index
    return complaint, code


def _check_handler(complaint, actor) -> None:
    """Supervisors handle any complaint; an agency's head or unit head only those routed to it."""
    if actor.role not in (Role.SUPERVISOR, *HANDLER_ROLES):
        raise RoleNotAllowed(f"投诉举报由承办机关的机关负责人或承办机构负责人办理，或由执法监督人员办理（{RULE}）",
                             code="complaint_wrong_handler", rule=RULE)
    if not Complaint.objects.visible_to(actor).filter(pk=complaint.pk).exists():
        from sanxiang.accounts.scoping import OutOfScope

        raise OutOfScope("投诉举报不存在或无权查看", ref=complaint.ledger_ref())
    if actor.role == Role.SUPERVISOR:
        return
    if actor.role not in HANDLER_ROLES or complaint.agency_id != actor.agency_id:
        raise RoleNotAllowed("投诉举报由承办机关的机关负责人或承办机构负责人办理，或由执法监督人员办理"
                             f"（{RULE}）", code="complaint_wrong_handler", rule=RULE)


def _locked(complaint) -> Complaint:
    return Complaint.objects.select_for_update(of=("self",)).select_related("agency").get(pk=complaint.pk)


@transaction.atomic
def complaint_accept(*, complaint, actor, note: str = "") -> Complaint:
    complaint = _locked(complaint)
    _check_handler(complaint, actor)
    if complaint.status != ComplaintStatus.RECEIVED:
        raise TransitionNotAllowed(f"该投诉举报{complaint.get_status_display()}，不能再受理", code="complaint_not_received")
    complaint.status = ComplaintStatus.ACCEPTED
    complaint.save(update_fields=["status"])
    _step(complaint, action="accept", actor=actor, text=_text(note, 2000), kind="complaint.accept",
          public_text="已受理", summary=f"受理投诉举报 {complaint.number}")
    return complaint


@transaction.atomic
def complaint_reject(*, complaint, actor, reason: str) -> Complaint:
    """不予受理, with the reason the complainant reads."""
    complaint = _locked(complaint)
    _check_handler(complaint, actor)
    reason = _text(reason, 2000)
    if not reason:
        raise ValidationFailed(f"不予受理须说明理由（{RULE}）", field="reason", code="complaint_reason_required", rule=RULE)
    if complaint.status != ComplaintStatus.RECEIVED:
        raise TransitionNotAllowed(f"该投诉举报{complaint.get_status_display()}，不能再作不予受理", code="complaint_not_received")
    complaint.status, complaint.reply, complaint.replied_at = ComplaintStatus.REJECTED, reason, timezone.now()
    complaint.save(update_fields=["status", "reply", "replied_at"])
    _step(complaint, action="reject", actor=actor, text=reason, kind="complaint.reject", public_text="不予受理",
          summary=f"不予受理投诉举报 {complaint.number}")
    return complaint


@transaction.atomic
def complaint_reply(*, complaint, actor, reply: str) -> Complaint:
    """办结 with the reply the complainant reads (after 受理)."""
    complaint = _locked(complaint)
    _check_handler(complaint, actor)
    reply = _text(reply, 5000)
    if not reply:
        raise ValidationFailed(f"办结须填写答复意见（{RULE}）", field="reply", code="complaint_reply_required", rule=RULE)
    if complaint.status != ComplaintStatus.ACCEPTED:
        raise TransitionNotAllowed("投诉举报须先受理，才能答复办结", code="complaint_not_accepted", rule=RULE)
    complaint.status, complaint.reply, complaint.replied_at = ComplaintStatus.REPLIED, reply, timezone.now()
    complaint.save(update_fields=["status", "reply", "replied_at"])
    _step(complaint, action="reply", actor=actor, text=reply, kind="complaint.reply", public_text="已答复办结",
          summary=f"答复办结投诉举报 {complaint.number}")
    return complaint


def complaint_forwarded(complaint, matter, actor) -> None:
    """Called by matter_open (same transaction): the complaint is handled as that matter."""
    complaint = _locked(complaint)
    if complaint.status in (ComplaintStatus.REJECTED, ComplaintStatus.REPLIED, ComplaintStatus.FORWARDED):
        raise TransitionNotAllowed(f"该投诉举报{complaint.get_status_display()}，不能再转为监督案件",
                                   code="complaint_closed")
    complaint.status, complaint.matter = ComplaintStatus.FORWARDED, matter
    complaint.save(update_fields=["status", "matter"])
    _step(complaint, action="forward", actor=actor, text=matter.number, kind="complaint.forward",
          public_text="已转为行政执法监督案件办理", summary=f"投诉举报 {complaint.number} 转为监督案件 {matter.number}")


# --- reads -------------------------------------------------------------------------------------


def complaint_list(user, *, status: str = ""):
    qs = Complaint.objects.visible_to(user).select_related("agency", "case", "matter")
    if status in ComplaintStatus.values:
        qs = qs.filter(status=status)
    return qs


def complaint_get(user, pk: int) -> Complaint:
    return Complaint.objects.select_related("agency", "case", "matter").get_visible(
        user, pk=pk, message="投诉举报不存在或无权查看")


def complaint_is_late(complaint, on: dt.date | None = None) -> str:
    on = on or timezone.localdate()
    if complaint.status == ComplaintStatus.RECEIVED and complaint.accept_due and on > complaint.accept_due:
        return "超过受理期限"
    if complaint.status in (ComplaintStatus.RECEIVED, ComplaintStatus.ACCEPTED) and complaint.handle_due \
            and on > complaint.handle_due:
        return "超过办结期限"
    return ""


def complaint_counts(user=None, *, agency_ids=None, since: dt.date | None = None,
                     until: dt.date | None = None) -> dict:
    """Counts of complaints received in [since, until] (local dates), for the dashboard and the
    annual report: {"total", "by_status": {status: n}, "by_category": {...}, "late", "to_bureau"}.

    Give `user` (counts what the user may see) or `agency_ids` (an explicit list, e.g. one agency
    tree for its annual report; None with no user means every agency, the deployment's report).
    """
    qs = Complaint.objects.visible_to(user) if user is not None else Complaint.objects.all()
    if agency_ids is not None:
        qs = qs.filter(agency_id__in=list(agency_ids))
    if since:
        qs = qs.filter(received_at__date__gte=since)
    if until:
        qs = qs.filter(received_at__date__lte=until)
    today = timezone.localdate()
    by_status = dict(qs.values_list("status").annotate(n=Count("pk")).order_by())
    by_category = dict(qs.values_list("category").annotate(n=Count("pk")).order_by())
    late = qs.filter(Q(status=ComplaintStatus.RECEIVED, accept_due__lt=today)
                     | Q(status__in=[ComplaintStatus.RECEIVED, ComplaintStatus.ACCEPTED], handle_due__lt=today)).count()
    return {"total": sum(by_status.values()), "by_status": {s: by_status.get(s, 0) for s in ComplaintStatus.values},
            "by_category": {c: by_category.get(c, 0) for c in ComplaintCategory.values}, "late": late,
            "to_bureau": qs.filter(agency__isnull=True).count()}


# --- progress lookup ---------------------------------------------------------------------------


def complaint_progress(number: str, code: str) -> Progress | None:
    complaint = Complaint.objects.select_related("agency", "matter").filter(number=number.upper()).first()
    if complaint is None or not query_code_matches(code, complaint.query_code_hash):
        return None
    steps = [ProgressStep(timezone.localtime(s.at).strftime("%Y-%m-%d %H:%M"), s.public_text)
             for s in complaint.steps.all()]
    status, outcome, due = complaint.get_status_display(), complaint.reply, ""
    if complaint.status == ComplaintStatus.RECEIVED and complaint.accept_due:
        due = f"{complaint.accept_due.isoformat()}（受理）"
    elif complaint.status == ComplaintStatus.ACCEPTED and complaint.handle_due:
        due = f"{complaint.handle_due.isoformat()}（办结）"
    matter = complaint.matter
    if matter is not None:
        from sanxiang.supervision.selectors import matter_public_steps

        steps += matter_public_steps(matter)
        if matter.status == "closed":
            status, outcome = "已办结（监督案件已办结）", matter.conclusion
        else:
            status = f"监督案件办理中（{matter.get_status_display()}）"
    return Progress(kind="complaint", kind_label="投诉举报", number=complaint.number,
                    title=f"{complaint.get_category_display()}", status=status, agency=complaint.handler_label,
                    due=due, steps=tuple(steps), outcome=outcome)


def register_trackers() -> None:
    tracker("complaint", "投诉举报")(complaint_progress)


__all__ = ["complaint_accept", "complaint_counts", "complaint_get", "complaint_list", "complaint_reject",
           "complaint_reply", "complaint_submit", "NotFound"]
