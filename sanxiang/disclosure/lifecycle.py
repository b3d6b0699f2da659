"""What happens to a publication after release (公示的全生命周期), each a service with its ledger entry:

- correction (更正): a new version (a new row) made from the decision's current 决定书, with a
  reason; the old row leaves the public view and its logged entry and proof stay verifiable;
- withdrawal (撤回): the decision was changed, revoked, declared unlawful or invalid, or remade
  (《行政处罚法》第四十八条第二款); within `withdraw_days` (3) of that, with the reason shown;
- expiry (公示期满撤下): the job takes a publication down at the end of its display period;
- 信用修复: the party applies for early take-down after the minimum period, the agency decides
  with reasons.

Every event is a PublicationEvent row and a public ledger entry whose `data.notice` is exactly
what the portal shows (the in-browser verifier checks it).
"""

from __future__ import annotations

import datetime as dt
import secrets

from django.db import transaction
from django.utils import timezone

from sanxiang.accounts.scoping import OutOfScope
from sanxiang.common.canonical import canonical_bytes, sha256_hex
from sanxiang.common.exceptions import RoleNotAllowed, TransitionNotAllowed, ValidationFailed
from sanxiang.common.tracking import new_query_code, query_code_hash
from sanxiang.disclosure.models import (
    CreditRepair,
    EventKind,
    Publication,
    PublicationEvent,
    PublicationStatus,
    RepairStatus,
    WithdrawGround,
)
from sanxiang.disclosure.redaction import redact_content
from sanxiang.disclosure.services import PUBLISHER_ROLES, _summary, release_fields
from sanxiang.ledger.services import ledger_append
from sanxiang.registry.params import param_int

WITHDRAW_RULE = "行政处罚法第四十八条"
CORRECT_RULE = "政府信息公开条例第四十一条；市场监督管理行政处罚信息公示规定第十二条"
REPAIR_RULE = "市场监督管理行政处罚信息公示规定第十四条；发改委令第58号"
MAX_REASON = 500
# 第十四条第三款: penalties whose information may not be taken down early on 信用修复.
NO_EARLY_TAKEDOWN = ("suspend_business", "restrict_operation", "restrict_practice", "downgrade", "revoke_licence")


def _check_actor(actor, publication, what: str) -> None:
    if getattr(actor, "role", None) not in PUBLISHER_ROLES:
        raise RoleNotAllowed(f"{what}须由承办机构负责人、机关负责人或法制审核人员办理", code="role_not_allowed")
    if not Publication.objects.visible_to(actor).filter(pk=publication.pk).exists():
        raise OutOfScope(f"无权对其他机关的公示信息{what}", ref=publication.ledger_ref())


def _reason(reason, *, message: str, rule: str) -> str:
    reason = (reason or "").strip()
    if len(reason) < 4:
        raise ValidationFailed(message, field="reason", code="reason_required", rule=rule)
    return reason[:MAX_REASON]


def _locked_published(publication, what: str) -> Publication:
    publication = Publication.objects.select_for_update(of=("self",)).select_related("agency").get(pk=publication.pk)
    if publication.status != PublicationStatus.PUBLISHED:
        raise TransitionNotAllowed(
            f"该公示状态为“{publication.get_status_display()}”，只有正在公示的信息可以{what}",
            code="not_published", field="status")
    return publication


def _log_event(event: PublicationEvent, *, actor, kind: str, summary: str, extra_subjects=(), files=(),
               content=None, data=None) -> PublicationEvent:
    event.save()
    publication = event.publication
    entry = ledger_append(kind=kind, actor=actor, agency=publication.agency,
                          subjects=[*extra_subjects, publication, event], files=files,
                          content={"notice": sha256_hex(canonical_bytes(event.notice())), **(content or {})},
                          data={"notice": event.notice(), **(data or {})}, public=True,
                          supersedes=publication.ledger_index, summary=summary)
    event.ledger_index = entry.index
    PublicationEvent.objects.filter(pk=event.pk).update(ledger_index=entry.index)
    return event


@transaction.atomic
def publication_correct(*, publication: Publication, actor, reason: str, extra_redactions=()) -> Publication:
    """更正: a new version from the decision's current 决定书 (a reissued 补正 version, if any) and
    its current data, with `extra_redactions` masked besides the usual terms. Refused without a
    reason and when the new version would be identical."""
    from sanxiang.documents.selectors import decision_document

    _check_actor(actor, publication, "更正")
    reason = _reason(reason, rule=CORRECT_RULE, message=(
        "更正公示信息须说明更正理由（《政府信息公开条例》第四十一条；《市场监督管理行政处罚信息公示规定》第十二条）"))
    old = _locked_published(publication, "更正")
    decision = old.case.decision
    document = decision_document(decision)
    extra = sorted({*old.extra_redactions, *[v.strip() for v in extra_redactions if v and v.strip()]})
    summary = _summary(decision)
    if extra:
        summary = redact_content(summary, known_values=extra)
    now = timezone.now()
    new = Publication(
        agency=old.agency, case=old.case, kind=old.kind, title=old.title, decision_number=old.decision_number,
        party_name=summary["party_name"], party_kind=summary["party_kind"], content=summary["content"],
        decided_on=old.decided_on, due_on=old.due_on, due_note=old.due_note, status=PublicationStatus.PUBLISHED,
        published_at=now, published_by=actor, version=old.version + 1, supersedes=old, correction_reason=reason,
        extra_redactions=extra, min_until=old.min_until, display_until=old.display_until,
        period_basis=old.period_basis,
    )
    if _amounts_normalised(new.content) == _amounts_normalised(old.content):
        new.content = old.content  # the same figures (800 and 800.00 are one amount): keep the old form
    pdf, pdf_new = release_fields(new, decision, document, extra)
    new.content_sha256 = sha256_hex(canonical_bytes(new.public_document()))
    if _comparable(new) == _comparable(old):
        raise ValidationFailed("更正后的公示内容与原公示完全相同：请先补正决定书，或填写需补充脱敏的内容",
                               field="extra_redactions", code="correction_unchanged", rule=CORRECT_RULE)
    new.save()
    old.status, old.ended_at = PublicationStatus.CORRECTED, now
    old.save(update_fields=["status", "ended_at"])
    event = PublicationEvent(publication=old, kind=EventKind.CORRECTED, reason=reason, replacement=new,
                             actor=actor, at=now)
    event = _log_event(event, actor=actor, kind="publication.correct",
                       summary=f"更正公示 {old.decision_number}（第{new.version}版）：{reason[:60]}",
                       extra_subjects=[new, *([pdf] if pdf_new else [])], files=[pdf.sha256],
                       content={"publication": new.content_sha256, "document": document.content_sha256},
                       data={"publication": new.public_document()})
    new.ledger_index = event.ledger_index
    Publication.objects.filter(pk=new.pk).update(ledger_index=event.ledger_index)
    if pdf_new:
        type(pdf).objects.filter(pk=pdf.pk).update(ledger_index=event.ledger_index)
    return new


def _amounts_normalised(node):
    from decimal import Decimal, InvalidOperation

    if isinstance(node, dict):
        return {k: _amounts_normalised(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_amounts_normalised(v) for v in node]
    if isinstance(node, str):
        try:
            return str(Decimal(node).normalize())
        except InvalidOperation:
            return node
    return node


def _comparable(publication: Publication) -> dict:
    """What a reader sees of a version (the PDF's bytes differ by their render time)."""
    document = publication.public_document()
    document.pop("pdf_sha256", None)
    return document


def withdraw_due(occurred_on: dt.date, agency) -> dt.date:
    return occurred_on + dt.timedelta(days=param_int("withdraw_days", agency))


@transaction.atomic
def publication_withdraw(*, publication: Publication, actor, ground: str, reason: str,
                         occurred_on: dt.date | None) -> PublicationEvent:
    """撤回: the decision was changed, revoked, declared unlawful or invalid (or revoked and remade).
    Due within `withdraw_days` of that day (《行政处罚法》第四十八条第二款); a late withdrawal is
    still made (it must be) and is marked late in the record and on the portal."""
    _check_actor(actor, publication, "撤回")
    if ground not in WithdrawGround.values:
        raise ValidationFailed("请选择撤回情形：决定被依法变更、撤销、确认违法、确认无效或撤销后重新作出（《行政处罚法》第四十八条第二款）",
                               field="ground", code="ground_required", rule=WITHDRAW_RULE)
    reason = _reason(reason, rule=WITHDRAW_RULE, message=(
        "撤回公示须公开说明理由（《行政处罚法》第四十八条第二款：应当在三日内撤回行政处罚决定信息并公开说明理由）"))
    p = _locked_published(publication, "撤回")
    today = timezone.localdate()
    if occurred_on is None:
        raise ValidationFailed("请填写决定被变更、撤销或确认违法、无效的日期（撤回期限自该日起算，《行政处罚法》第四十八条）",
                               field="occurred_on", code="occurred_on_required", rule=WITHDRAW_RULE)
    if occurred_on > today or occurred_on < p.decided_on:
        raise ValidationFailed(f"决定被变更、撤销等的日期应在决定日期（{p.decided_on}）之后、今天之前",
                               field="occurred_on", code="occurred_on_invalid", rule=WITHDRAW_RULE)
    due = withdraw_due(occurred_on, p.agency)
    now = timezone.now()
    p.status, p.withdrawn_reason, p.ended_at = PublicationStatus.WITHDRAWN, reason[:200], now
    p.save(update_fields=["status", "withdrawn_reason", "ended_at"])
    event = PublicationEvent(publication=p, kind=EventKind.WITHDRAWN, reason=reason, ground=ground,
                             occurred_on=occurred_on, due_on=due, late=today > due, actor=actor, at=now)
    return _log_event(event, actor=actor, kind="publication.withdraw",
                      summary=f"撤回公示 {p.decision_number}（{WithdrawGround(ground).label}"
                              f"{'，逾期' if today > due else ''}）：{reason[:60]}")


def publications_expire(on: dt.date | None = None, *, actor="job:expire_publications") -> list[PublicationEvent]:
    """The job: take down every publication whose display period ended (display_until ≤ on)."""
    on = on or timezone.localdate()
    done = []
    for pk in Publication.objects.filter(status=PublicationStatus.PUBLISHED, display_until__lte=on).values_list(
            "pk", flat=True):
        with transaction.atomic():
            p = Publication.objects.select_for_update(of=("self",)).select_related("agency").get(pk=pk)
            if p.status != PublicationStatus.PUBLISHED:
                continue
            now = timezone.now()
            p.status, p.ended_at = PublicationStatus.EXPIRED, now
            p.save(update_fields=["status", "ended_at"])
            event = PublicationEvent(publication=p, kind=EventKind.EXPIRED, at=now,
                                     reason=f"公示期于{p.display_until}届满，停止公示（{p.period_basis}）"[:MAX_REASON])
            done.append(_log_event(event, actor=actor, kind="publication.expire",
                                   summary=f"公示期满撤下 {p.decision_number}"))
    return done


# --- 信用修复 -------------------------------------------------------------------------------------


def _norm(value: str) -> str:
    return "".join(ch for ch in (value or "").upper() if ch.isalnum())


def _current_by_number(decision_number: str) -> Publication | None:
    return (Publication.objects.filter(decision_number=(decision_number or "").strip(),
                                       status=PublicationStatus.PUBLISHED)
            .select_related("agency", "case").order_by("-version").first())


@transaction.atomic
def credit_repair_apply(*, decision_number: str, identity: str, applicant: str, contact: str,
                        statement: str, on: dt.date | None = None) -> tuple[CreditRepair, str]:
    """The party applies for early take-down. Returns (application, query code shown once)."""
    on = on or timezone.localdate()
    p = _current_by_number(decision_number)
    if p is None:
        raise ValidationFailed("未找到正在公示的该文号行政处罚决定，请核对决定书文号", field="decision_number",
                               code="publication_not_found")
    parties = [row.party for row in p.case.decision.party_penalties()] or p.case.parties_in_order()
    if not identity or _norm(identity) not in {_norm(x.key) for x in parties if x.key}:
        raise ValidationFailed("证件号码与该决定书所载当事人的身份证号码或统一社会信用代码不符，只有当事人本人可以申请信用修复",
                               field="identity", code="identity_mismatch", rule=REPAIR_RULE)
    severe = [k for k in p.case.decision.penalty_kinds if k in NO_EARLY_TAKEDOWN]
    if severe:
        from sanxiang.cases.choices import PenaltyKind

        raise ValidationFailed(
            f"受到{'、'.join(PenaltyKind(k).label for k in severe)}等较为严重行政处罚的，不得申请提前停止公示"
            "（《市场监督管理行政处罚信息公示规定》第十四条第三款）",
            field="decision_number", code="early_takedown_not_allowed", rule=REPAIR_RULE)
    if p.min_until and on < p.min_until:
        raise ValidationFailed(
            f"最短公示期至{p.min_until:%Y年%m月%d日}届满，届满前不能申请提前停止公示（《市场监督管理行政处罚信息公示规定》第十四条；{p.period_basis}）",
            field="decision_number", code="min_period_not_reached", rule=REPAIR_RULE)
    if CreditRepair.objects.filter(publication__decision_number=p.decision_number,
                                   status=RepairStatus.PENDING).exists():
        raise ValidationFailed("该决定已有待审查的信用修复申请，请凭受理编号查询进度", field="decision_number",
                               code="repair_pending")
    applicant, contact, statement = (applicant or "").strip(), (contact or "").strip(), (statement or "").strip()
    if not applicant or not contact:
        raise ValidationFailed("请填写申请人和联系方式", field="applicant" if not applicant else "contact",
                               code="applicant_required")
    if len(statement) < 10:
        raise ValidationFailed("请说明已履行行政处罚决定、已消除危害后果和不良影响等情况（不少于10字，《市场监督管理行政处罚信息公示规定》第十四条）",
                               field="statement", code="statement_required", rule=REPAIR_RULE)
    code = new_query_code()
    repair = CreditRepair.objects.create(
        publication=p, agency=p.agency, number=f"XYXF{on:%Y%m%d}{secrets.token_hex(3).upper()}",
        code_hash=query_code_hash(code), applicant=applicant[:100], contact=contact[:100], statement=statement[:4000],
        created_at=timezone.now())
    entry = ledger_append(kind="publication.repair_apply", actor="public", agency=p.agency, subjects=[repair],
                          summary=f"信用修复申请 {repair.number}（{p.decision_number}）")
    repair.ledger_index = entry.index
    CreditRepair.objects.filter(pk=repair.pk).update(ledger_index=entry.index)
    return repair, code


@transaction.atomic
def credit_repair_decide(*, repair: CreditRepair, actor, grant: bool, reason: str) -> CreditRepair:
    """The agency decides, with reasons; granting takes the publication down (a public event)."""
    repair = CreditRepair.objects.select_for_update(of=("self",)).select_related("publication").get(pk=repair.pk)
    _check_actor(actor, repair.publication, "作出信用修复决定")
    if repair.status != RepairStatus.PENDING:
        raise TransitionNotAllowed(f"该申请已{repair.get_status_display()}，不能再次决定", code="repair_decided")
    reason = _reason(reason, rule=REPAIR_RULE, message="信用修复决定须说明理由（同意或不予同意均须说明，《市场监督管理行政处罚信息公示规定》第十四条）")
    now = timezone.now()
    repair.status = RepairStatus.GRANTED if grant else RepairStatus.REFUSED
    repair.decision_reason, repair.decided_by, repair.decided_at = reason, actor, now
    repair.save()
    if grant:
        p = _locked_published(repair.publication, "提前撤下")
        p.status, p.ended_at = PublicationStatus.REPAIRED, now
        p.save(update_fields=["status", "ended_at"])
        event = PublicationEvent(publication=p, kind=EventKind.REPAIRED, reason=reason, actor=actor, at=now)
        _log_event(event, actor=actor, kind="publication.repair_grant", extra_subjects=[repair],
                   summary=f"信用修复：同意提前停止公示 {p.decision_number}（{repair.number}）")
    else:
        ledger_append(kind="publication.repair_refuse", actor=actor, agency=repair.agency, subjects=[repair],
                      summary=f"信用修复：不予同意 {repair.number}：{reason[:60]}")
    return repair
