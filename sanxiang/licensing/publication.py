"""公示 of licensing and levy/fee decisions, through the disclosure app's Publication.

The disclosure app's own `publication_create` speaks of 行政处罚; these decisions get their own
title and structured content, the same due-date rule (7 working days for 许可 and 处罚, 20 for the
others: `publish_working_days_*`) and the same release path (`publication_publish`, which
publishes the issued 决定书, redacted).
"""

from __future__ import annotations

from sanxiang.cases.choices import PartyKind
from sanxiang.common.calendar import add_working_days
from sanxiang.common.canonical import canonical_bytes, sha256_hex
from sanxiang.common.exceptions import DeadlineError
from sanxiang.disclosure.models import Publication
from sanxiang.disclosure.redaction import mask_name
from sanxiang.registry.params import param_int

RESULT = {"grant": "准予行政许可", "refuse": "不予行政许可", "decide_levy": "征收（收费）决定"}


def publish_period_key(kind: str) -> str:
    return "publish_working_days_penalty" if kind in ("penalty", "licensing") else "publish_working_days_other"


def publication_for(case, decision, action: str) -> Publication:
    party = case.party
    citizen = party.kind == PartyKind.CITIZEN
    name = mask_name(party.name) if citizen else party.name
    kind_label = case.item.get_kind_display()
    result = RESULT.get(action, kind_label)
    if case.item.kind in ("levy", "fee"):
        result = f"{kind_label}：应缴{case.data.get('levy_amount')}元"
    try:
        due_on = add_working_days(decision.decided_on, param_int(publish_period_key(case.item.kind), case.agency),
                                  what="公示期限")
        due_note = ""
    except DeadlineError as exc:
        due_on, due_note = None, f"{exc.message}；请系统管理员录入该年度节假日安排"
    content = {
        "item": case.item.name, "result": result, "penalty": result,
        "fine_amount": None, "party_uscc": None if citizen else party.uscc,
        "legal_representative": None if citizen else party.legal_representative,
        "parties": [{"name": name, "kind": party.get_kind_display(), "uscc": None if citizen else party.uscc,
                     "legal_representative": None if citizen else party.legal_representative,
                     "penalty": result, "fine_amount": None}],
    }
    if case.item.kind in ("levy", "fee"):
        content["amount"] = str(case.data.get("levy_amount"))
    if action == "grant":
        content["licence_scope"] = case.data.get("licence_scope", "")
    publication = Publication(
        agency=case.agency, case=case, kind=kind_label, title=f"{case.agency.name}{kind_label}决定（{decision.number}）",
        decision_number=decision.number, party_name=name, party_kind=party.get_kind_display(), content=content,
        text="", decided_on=decision.decided_on, due_on=due_on, due_note=due_note,
    )
    publication.content_sha256 = sha256_hex(canonical_bytes(publication.public_document()))
    publication.save()
    return publication
