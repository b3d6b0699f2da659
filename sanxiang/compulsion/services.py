"""Compulsion services: the writes the flows' effects do not do themselves.

`enforcement_open_from_penalty` opens the enforcement case of a fine left unpaid past its
payment period (《行政强制法》第三十五条、第四十五条; 《行政处罚法》第七十二条), carrying the fine and the
加处罚款 (capped at the fine) into it. Logged with the case it opens, in the same transaction.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from sanxiang.accounts.models import Role
from sanxiang.cases.models import Case
from sanxiang.cases.parties import DETAIL_FIELDS, IDENTITY_FIELDS
from sanxiang.cases.procedure import late_payment, payment_due
from sanxiang.common.exceptions import (
    NotFound,
    RoleNotAllowed,
    TransitionNotAllowed,
    ValidationFailed,
)
from sanxiang.compulsion.facts import ENFORCEMENT_FLOW
from sanxiang.compulsion.models import EnforcementOrigin
from sanxiang.disclosure.kinds import publication_due as kind_publication_due
from sanxiang.ledger.services import ledger_append

RULE = "行政强制法第三十五条、第四十五条"


def publication_due(case, decided_on: dt.date) -> tuple[str | None, str]:
    """The day a compulsion decision is to be published (ISO, for Case.data): the 20-working-day
    period for decisions other than licences and penalties, the same rule its Publication gets."""
    due, note = kind_publication_due(case, decided_on)
    return (due.isoformat() if due else None), note


def enforcement_item(agency):
    """The agency's active enforcement item run by the enforcement flow (its own, else its parent's)."""
    from sanxiang.registry.models import EnforcementItem

    current = agency
    while current is not None:
        item = EnforcementItem.objects.filter(agency=current, is_active=True, kind="compulsion",
                                              flow__code=ENFORCEMENT_FLOW).order_by("code").first()
        if item is not None:
            return item
        current = current.parent
    return None


def unpaid_fine(case, on: dt.date | None = None) -> dict | None:
    """The overdue fine of a penalty case (late_payment's figures, surcharge capped at the fine), or None."""
    if case.item.kind != "penalty" or not case.fine_amount:
        return None
    late = late_payment(case, on or timezone.localdate())
    if late is None or not late["reminder"]:
        return None
    surcharge = min(late["surcharge"], case.fine_amount)  # 第四十五条: 不得超出金钱给付义务的数额
    return {**late, "surcharge": surcharge, "fine": case.fine_amount, "total": case.fine_amount + surcharge}


@transaction.atomic
def enforcement_open_from_penalty(*, actor, penalty_case: Case, officers: list | None = None) -> Case:
    """Open the enforcement case (行政强制执行) of a penalty case's unpaid fine."""
    from sanxiang.cases.services import case_open

    penalty_case = Case.objects.select_for_update(of=("self",)).get(pk=penalty_case.pk)
    if not Case.objects.visible_to(actor).filter(pk=penalty_case.pk).exists():
        raise NotFound("案件不存在或无权查看")
    if actor.role != Role.OFFICER:
        raise RoleNotAllowed("移送强制执行（立案）须由执法人员办理", code="role_not_allowed")
    if EnforcementOrigin.objects.filter(penalty_case=penalty_case).exists():
        existing = EnforcementOrigin.objects.get(penalty_case=penalty_case).case
        raise TransitionNotAllowed(f"本案罚款已移送强制执行（{existing.number}），不能重复立案", code="enforcement_exists",
                                   field="case")
    today = timezone.localdate()
    owed = unpaid_fine(penalty_case, today)
    if owed is None:
        due = payment_due(penalty_case)
        why = (f"缴款期限至{due}，尚未届满" if due and due >= today else
               "本案没有逾期未缴纳的罚款（未作出罚款、决定书尚未送达或已缴纳）")
        raise TransitionNotAllowed(f"{why}：当事人逾期不履行金钱给付义务的，方可催告并强制执行（《行政强制法》第三十五条、"
                                   "第四十五条；《行政处罚法》第七十二条）", code="fine_not_overdue", field="case", rule=RULE)
    item = enforcement_item(penalty_case.agency)
    if item is None:
        raise ValidationFailed(f"{penalty_case.agency.name}未登记适用行政强制执行流程的执法事项，请管理员在执法事项清单中登记",
                               code="enforcement_item_missing", field="item")
    chosen = officers if officers is not None else [a.officer for a in penalty_case.assignments.select_related("officer")]
    parties = [{k: getattr(p, k) or "" for k in (*IDENTITY_FIELDS, *DETAIL_FIELDS)} for p in penalty_case.parties_in_order()]
    case = case_open(actor=actor, item=item, officers=chosen, parties=parties,
                     title=f"{penalty_case.title}（罚款强制执行）", source=f"行政处罚决定逾期未履行：{penalty_case.number}")
    origin = EnforcementOrigin.objects.create(
        case=case, penalty_case=penalty_case, fine_amount=owed["fine"], surcharge=owed["surcharge"],
        surcharge_days=owed["days"], computed_on=today, payment_due=owed["due"])
    decision = getattr(penalty_case, "decision", None)
    case.data.update({
        "origin_case": penalty_case.number, "origin_decision": decision.number if decision else "",
        "fine_amount": str(owed["fine"]), "surcharge": str(owed["surcharge"]), "amount_due": str(owed["total"]),
        "surcharge_days": owed["days"], "payment_due": owed["due"].isoformat(),
        "obligation": (f"缴纳{decision.number if decision else penalty_case.number}行政处罚决定的罚款{owed['fine']}元"
                       f"及加处罚款{owed['surcharge']}元（截至{today}，合计{owed['total']}元）"),
    })
    case.save(update_fields=["data"])
    ledger_append(kind="compulsion.from_penalty", actor=actor, agency=case.agency, subjects=[case, origin],
                  summary=f"罚款逾期未缴纳，移送强制执行：{penalty_case.number} → {case.number}（罚款{owed['fine']}元，"
                          f"加处罚款{owed['surcharge']}元）")
    return case
