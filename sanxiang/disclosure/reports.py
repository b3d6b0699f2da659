"""审核纠错: the public reports an error in a publication (no login, rate-limited); the agency
answers within `error_report_working_days` working days, by a correction through the lifecycle
(disclosure.lifecycle.publication_correct) or by a reasoned reply. The reporter follows it at
/progress/ with the number and query code (tracker below); alerts warn of answers falling due."""

from __future__ import annotations

import datetime as dt
import secrets

from django.db import transaction
from django.utils import timezone

from sanxiang.common.alerts import Finding, alert_rule
from sanxiang.common.calendar import add_working_days
from sanxiang.common.exceptions import DeadlineError, TransitionNotAllowed, ValidationFailed
from sanxiang.common.tracking import (
    Progress,
    ProgressStep,
    new_query_code,
    query_code_hash,
    query_code_matches,
    tracker,
)
from sanxiang.disclosure.lifecycle import REPAIR_RULE, _check_actor, publication_correct
from sanxiang.disclosure.models import (
    CreditRepair,
    ErrorReport,
    Publication,
    PublicationStatus,
    ReportStatus,
)
from sanxiang.ledger.services import ledger_append
from sanxiang.registry.params import param_int

REPORT_RULE = "政府信息公开条例第四十一条；行政执法公示制度（审核纠错）"


def current_version(publication: Publication) -> Publication:
    """The newest version of a corrected publication (itself when not corrected)."""
    while publication.status == PublicationStatus.CORRECTED:
        successor = publication.successors.order_by("-version").first()
        if successor is None:
            break
        publication = successor
    return publication


@transaction.atomic
def report_submit(*, publication: Publication, description: str, contact: str = "") -> tuple[ErrorReport, str]:
    """A visitor reports an error. Returns (report, query code shown once)."""
    if publication.status != PublicationStatus.PUBLISHED:
        raise TransitionNotAllowed("该信息已不在公示中，不能报告错误", code="not_published")
    description = (description or "").strip()
    if len(description) < 5:
        raise ValidationFailed("请说明公示信息中哪里有误（不少于5字）", field="description", code="description_required")
    today = timezone.localdate()
    days = param_int("error_report_working_days", publication.agency)
    try:
        due_on, due_note = add_working_days(today, days, what="纠错答复期限"), ""
    except DeadlineError as exc:
        due_on, due_note = None, exc.message[:300]
    code = new_query_code()
    report = ErrorReport.objects.create(
        publication=publication, agency=publication.agency, number=f"JC{today:%Y%m%d}{secrets.token_hex(3).upper()}",
        code_hash=query_code_hash(code), description=description[:4000], contact=(contact or "").strip()[:100],
        due_on=due_on, due_note=due_note, created_at=timezone.now())
    entry = ledger_append(kind="publication.report", actor="public", agency=publication.agency, subjects=[report],
                          summary=f"公示纠错报告 {report.number}（{publication.decision_number}）")
    ErrorReport.objects.filter(pk=report.pk).update(ledger_index=entry.index)
    report.ledger_index = entry.index
    return report, code


@transaction.atomic
def report_answer(*, report: ErrorReport, actor, correct: bool, reply: str, extra_redactions=()) -> ErrorReport:
    """The agency answers: a correction (a new version of the publication, through the lifecycle)
    or a reasoned reply that the publication is right."""
    report = ErrorReport.objects.select_for_update(of=("self",)).select_related("publication").get(pk=report.pk)
    _check_actor(actor, report.publication, "答复纠错报告")
    if report.status != ReportStatus.PENDING:
        raise TransitionNotAllowed(f"该纠错报告已{report.get_status_display()}，不能再次答复", code="report_answered")
    reply = (reply or "").strip()
    if len(reply) < 4:
        raise ValidationFailed("答复纠错报告须说明理由：更正的，说明更正内容；不予更正的，说明公示信息准确的依据",
                               field="reply", code="reply_required", rule=REPORT_RULE)
    if correct:
        target = current_version(report.publication)
        report.correction = publication_correct(publication=target, actor=actor, reason=reply,
                                                extra_redactions=extra_redactions)
        report.status = ReportStatus.CORRECTED
    else:
        report.status = ReportStatus.REPLIED
    report.reply, report.answered_by, report.answered_at = reply[:4000], actor, timezone.now()
    report.save()
    ledger_append(kind="publication.report_answer", actor=actor, agency=report.agency, subjects=[report],
                  summary=f"答复纠错报告 {report.number}：{report.get_status_display()}")
    return report


# --- progress lookup (/progress/) ---------------------------------------------------------------


@tracker("error_report", "公示纠错")
def report_progress(number: str, code: str) -> Progress | None:
    report = ErrorReport.objects.select_related("publication", "agency", "correction").filter(number=number).first()
    if report is None or not query_code_matches(code, report.code_hash):
        return None
    p = report.publication
    steps = [ProgressStep(at=timezone.localtime(report.created_at).strftime("%Y-%m-%d %H:%M"),
                          text=f"收到纠错报告（{p.decision_number}）")]
    links = ()
    if report.answered_at:
        steps.append(ProgressStep(at=timezone.localtime(report.answered_at).strftime("%Y-%m-%d %H:%M"),
                                  text=report.get_status_display()))
    if report.correction_id:
        from django.urls import reverse

        links = (("查看更正后的公示", reverse("portal:decision", args=[report.correction_id])),)
    return Progress(kind="error_report", kind_label="公示纠错", number=report.number,
                    title=f"对“{p.title}”的纠错报告", status=report.get_status_display(), agency=report.agency.name,
                    due=f"{report.due_on:%Y-%m-%d}前答复" if report.due_on and not report.answered_at else "",
                    steps=tuple(steps), outcome=report.reply, links=links)


@tracker("credit_repair", "信用修复申请")
def repair_progress(number: str, code: str) -> Progress | None:
    repair = CreditRepair.objects.select_related("publication", "agency").filter(number=number).first()
    if repair is None or not query_code_matches(code, repair.code_hash):
        return None
    steps = [ProgressStep(at=timezone.localtime(repair.created_at).strftime("%Y-%m-%d %H:%M"),
                          text=f"收到信用修复申请（{repair.publication.decision_number}）")]
    if repair.decided_at:
        steps.append(ProgressStep(at=timezone.localtime(repair.decided_at).strftime("%Y-%m-%d %H:%M"),
                                  text=repair.get_status_display()))
    return Progress(kind="credit_repair", kind_label="信用修复申请", number=repair.number,
                    title=f"申请提前停止公示 {repair.publication.decision_number}", status=repair.get_status_display(),
                    agency=repair.agency.name, steps=tuple(steps), outcome=repair.decision_reason)


# --- early warnings (the monitoring app stores and shows them) -----------------------------------


@alert_rule("publication_not_released", "执法决定未按期公示", threshold_label="提前天数", default=1,
            basis="《行政处罚法》第四十八条；行政执法公示制度（7个工作日内公示）")
def publications_falling_due(threshold: int, on: dt.date):
    limit = on + dt.timedelta(days=int(threshold or 0))
    qs = Publication.objects.filter(status=PublicationStatus.PENDING, due_on__isnull=False, due_on__lte=limit)
    for p in qs.select_related("agency"):
        late = on > p.due_on
        yield Finding(agency_id=p.agency_id, subject=p, case_id=p.case_id, due=p.due_on,
                      roles=("agency_head", "unit_head", "legal_reviewer"), key="release",
                      text=f"{p.decision_number} {'已逾期未公示' if late else '即将届满公示期限'}（应于{p.due_on}前公示）")


@alert_rule("error_report_due", "公示纠错报告答复期限届满", threshold_label="提前天数", default=1,
            basis=REPORT_RULE)
def reports_falling_due(threshold: int, on: dt.date):
    limit = on + dt.timedelta(days=int(threshold or 0))
    qs = ErrorReport.objects.filter(status=ReportStatus.PENDING, due_on__isnull=False, due_on__lte=limit)
    for r in qs.select_related("publication"):
        yield Finding(agency_id=r.agency_id, subject=r, case_id=r.publication.case_id, due=r.due_on,
                      roles=("agency_head", "unit_head", "legal_reviewer"), key="answer",
                      text=f"纠错报告 {r.number}（{r.publication.decision_number}）{'已逾期未答复' if on > r.due_on else '即将届满答复期限'}（{r.due_on}）")


__all__ = ["REPAIR_RULE", "current_version", "report_answer", "report_submit"]
