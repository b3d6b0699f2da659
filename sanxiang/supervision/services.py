"""The one write of the access log: called by every view, download or export of a case record."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from sanxiang.common.exceptions import ValidationFailed
from sanxiang.ledger.services import ledger_append
from sanxiang.registry.params import param_int
from sanxiang.supervision.models import AccessAction, AccessLog


class ReasonRequired(ValidationFailed):
    """The agency requires a reason for this access (always for flagged material)."""

    code = "access_reason_required"
    status = 428


def reason_required(case, *, flagged: bool) -> bool:
    """Flagged material always needs a reason; otherwise the agency's parameter decides."""
    return flagged or bool(param_int("access_reason_required", case.agency))


@transaction.atomic
def access_record(*, actor, case, target, action: str = AccessAction.VIEW, reason: str = "",
                  flagged: bool = False, label: str = "") -> AccessLog:
    """Log one look at `target` (a Recorded row of `case`, or the case itself) before it is shown.

    Raises ReasonRequired (nothing is shown, nothing is logged) when a reason is needed and missing.
    """
    reason = (reason or "").strip()
    if not reason and reason_required(case, flagged=flagged):
        what = "涉密、商业秘密或个人隐私材料" if flagged else "本机关案件材料"
        raise ReasonRequired(f"调阅{what}须填写调阅事由（调阅监督制度）", field="reason")
    if action not in AccessAction.values:
        raise ValidationFailed("调阅方式无效", field="action")
    row = AccessLog.objects.create(
        actor=actor, actor_role=getattr(actor, "role", ""), agency=case.agency, case=case,
        target=target.ledger_ref(), target_label=(label or str(target))[:200], action=action, reason=reason[:200],
        flagged=flagged, at=timezone.now(),
    )
    entry = ledger_append(kind=f"access.{action}", actor=actor, agency=case.agency, subjects=[row],
                          summary=f"{AccessAction(action).label} {case.number}：{row.target_label}")
    AccessLog.objects.filter(pk=row.pk).update(ledger_index=entry.index)
    row.ledger_index = entry.index
    return row
