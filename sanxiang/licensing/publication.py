"""公示 of licensing and levy/fee decisions: what each says (title, result, licence scope, amount).

The Publication itself is made by the shared builder of non-penalty decisions
(`disclosure.kinds.decision_publication_create`: parties, due date by kind — 7 working days for 许可,
20 for 征收/收费 — and hash); release is disclosure's `publication_publish` (the issued 决定书, redacted).
"""

from __future__ import annotations

from sanxiang.disclosure.kinds import decision_publication_create
from sanxiang.disclosure.models import Publication

RESULT = {"grant": "准予行政许可", "refuse": "不予行政许可", "decide_levy": "征收（收费）决定"}


def publication_for(case, decision, action: str) -> Publication:
    kind_label = case.item.get_kind_display()
    result = RESULT.get(action, kind_label)
    extra = {}
    if case.item.kind in ("levy", "fee"):
        result = f"{kind_label}：应缴{case.data.get('levy_amount')}元"
        extra["amount"] = str(case.data.get("levy_amount"))
    if action == "grant":
        extra["licence_scope"] = case.data.get("licence_scope", "")
    return decision_publication_create(case=case, decision=decision, result=result, extra=extra)
