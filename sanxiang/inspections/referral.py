"""发现违法 → 立案查处: open the penalty case from an inspection case, carrying its evidence over."""

from __future__ import annotations

from sanxiang.registry.models import EnforcementItem


def _party_data(party) -> dict:
    return {"kind": party.kind, "name": party.name, "id_number": party.id_number, "uscc": party.uscc,
            "legal_representative": party.legal_representative, "address": party.address, "phone": party.phone}


def referral_open(ctx):
    """Called by the flow effect open_penalty_case inside the inspection case's transition.

    The penalty case is opened by the acting officer with the inspection's officers and parties
    (立案: 行政处罚法第五十四条); every piece of evidence of the inspection case, and the PDF of each
    issued 检查笔录 and 责令改正通知书, becomes evidence of the new case at its first step (the same
    stored file, hash unchanged). The Referral row links both cases.
    """
    from sanxiang.cases.services import case_open
    from sanxiang.inspections.models import Referral
    from sanxiang.records.services import evidence_meta, evidence_record

    case = ctx.case
    item = EnforcementItem.objects.get(pk=int(ctx.values["penalty_item"]), agency=case.agency, kind="penalty")
    penalty = case_open(actor=ctx.actor, item=item, parties=[_party_data(p) for p in case.parties_in_order()],
                        officers=list(case.officers.all()), title=f"{item.name}（{case.party_names}）",
                        source=f"行政检查发现（{case.number}）", opened_on=ctx.today)
    carried = 0
    for evidence in case.evidence.filter(superseded_by__isnull=True).select_related("file"):
        meta = evidence_meta(case=penalty, actor=ctx.actor, kind=evidence.kind, step=penalty.state,
                             description=f"自检查案件{case.number}移转：{evidence.description}"[:500],
                             captured_at=evidence.captured_at, device_no=evidence.device_no,
                             location=evidence.location, officer=evidence.officer, secret=evidence.secret,
                             trade_secret=evidence.trade_secret, privacy=evidence.privacy)
        evidence_record(case=penalty, actor=ctx.actor, meta=meta, sha256=evidence.file.sha256, size=evidence.file.size,
                        original_name=evidence.original_name, content_type=evidence.content_type)
        carried += 1
    for document in case.documents.filter(kind__in=["inspection_record", "rectification_notice", "recheck_opinion"]) \
            .select_related("pdf"):
        meta = evidence_meta(case=penalty, actor=ctx.actor, kind="document", step=penalty.state,
                             description=f"自检查案件{case.number}移转：{document.title}{document.number}")
        evidence_record(case=penalty, actor=ctx.actor, meta=meta, sha256=document.pdf.sha256, size=document.pdf.size,
                        original_name=f"{document.title}{document.number}.pdf", content_type="application/pdf")
        carried += 1
    referral = Referral(inspection_case=case, penalty_case=penalty, evidence_count=carried)
    referral.save()
    case.data["penalty_case"] = penalty.number
    return referral
