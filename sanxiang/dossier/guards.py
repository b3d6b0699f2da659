"""The dossier's guard, registered with the flow engine."""

from __future__ import annotations

from sanxiang.cases.engine import guard
from sanxiang.common.exceptions import EvidenceMissing


@guard("dossier_complete", label="案卷材料齐全方可立卷归档", rule="执法全过程记录·案卷完整性")
def dossier_complete(ctx) -> None:
    """立卷归档: every document and record the flow requires of the completed steps is there."""
    from sanxiang.dossier.checklist import missing

    gaps = missing(ctx.case, including=ctx.case.state)
    if gaps:
        listed = "；".join(f"{g.step_name}：{g.label}（{g.detail}）" for g in gaps)
        raise EvidenceMissing(f"案卷材料不齐全，不能归档。缺少：{listed}", code="dossier_incomplete",
                              field="dossier", rule="执法全过程记录·案卷完整性")
