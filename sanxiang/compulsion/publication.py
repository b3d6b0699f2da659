"""公示 of 行政强制 decisions: the 查封扣押决定 and the 强制执行决定.

Each is recorded as the case's Decision (the one decision of its case, as for every kind), numbered
like its 决定书 always was — the document kind's counter and 字号 (河城管强封〔2026〕第1号) — so the
决定书 issued afterwards carries the decision's number (`numbering="decision"`) and the publication
finds it. The decision creates its publication, pending 公示审核, due in 20 working days
(`publish_working_days_other`), released like every other by `publication_publish` (the issued
决定书, redacted). A 代履行决定 is not a decision of its own: it carries out the 强制执行决定 whose
method is 代履行, which is what is published.
"""

from __future__ import annotations

import datetime as dt

from sanxiang.common.models import next_number
from sanxiang.compulsion.facts import data_date
from sanxiang.disclosure.kinds import decision_publication_create

LAW = "《中华人民共和国行政强制法》"
SEIZURE_BASIS = f"{LAW}第九条、第十八条、第二十四条、第二十五条"
ENFORCEMENT_BASIS = f"{LAW}第十二条、第三十七条"


def decision_number(case, document_kind: str, year: int) -> str:
    """The next number of the kind's 决定书 counter (the scope documents.services numbers it by)."""
    from sanxiang.documents.kinds import KINDS

    kind, agency = KINDS[document_kind], case.agency
    return f"{agency.doc_prefix}{kind.abbr}〔{year}〕第{next_number(f'document:{agency.code}:{kind.code}:{year}')}号"


def _decision_create(ctx, *, document_kind: str, decided_on: dt.date, reasons: str):
    from django.apps import apps

    Decision = apps.get_model("cases", "Decision")
    decision = Decision.objects.create(
        case=ctx.case, number=decision_number(ctx.case, document_kind, decided_on.year), decided_on=decided_on,
        penalty_kinds=[], fine_amount=None, reasons=reasons or "—", decided_by=ctx.actor)
    ctx.created.append(decision)
    return decision


def things_summary(case) -> list[str]:
    return [f"{t.name}{t.quantity.normalize():f}{t.unit}" for t in case.seized_things.order_by("order", "pk")]


def seizure_published(ctx, *, measure: str) -> None:
    """The 查封扣押决定 (made when the seizure is carried out) and its pending publication;
    `measure` is the measure's label (查封 or 扣押; the choices are the rules' own)."""
    case = ctx.case
    if getattr(case, "decision", None) is not None:
        return
    started, ends = data_date(case, "seized_on"), data_date(case, "seizure_ends_on")
    things = things_summary(case)
    days = (ends - started).days if started and ends else None
    listed = "、".join(things[:3]) + (f"等{len(things)}项" if len(things) > 3 else "")
    result = f"{measure}：{listed}；期限{days}日（{started}至{ends}）"
    decision = _decision_create(ctx, document_kind="seizure_decision", decided_on=started,
                                reasons=case.data.get("seizure_facts", ""))
    ctx.created.append(decision_publication_create(
        case=case, decision=decision, result=result, title=f"{case.agency.name}{measure}决定（{decision.number}）",
        extra={"measure": measure, "things": things, "place": case.data.get("seizure_place", ""),
               "period": {"from": str(started), "to": str(ends), "days": days}, "basis": SEIZURE_BASIS}))


def enforcement_published(ctx, *, method: str) -> None:
    """The 强制执行决定 and its pending publication; `method` is the label of its method (代履行
    included), which the content names."""
    case = ctx.case
    if getattr(case, "decision", None) is not None:
        return
    obligation = case.data.get("obligation", "")
    decision = _decision_create(ctx, document_kind="enforcement_decision", decided_on=ctx.values["enforcement_decided_on"],
                                reasons=case.data.get("enforcement_reasons", ""))
    amount = case.data.get("amount_due") or None
    ctx.created.append(decision_publication_create(
        case=case, decision=decision, result=f"强制执行（{method}）：{obligation}",
        title=f"{case.agency.name}强制执行决定（{decision.number}）",
        extra={"method": method, "obligation": obligation, "amount": str(amount) if amount else None,
               "origin_decision": case.data.get("origin_decision") or None, "basis": ENFORCEMENT_BASIS}))
