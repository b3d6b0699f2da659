"""公示 of the decisions other than 行政处罚: 许可, 征收/收费, 强制 — one builder for every kind.

`publication_create` (services) speaks of 行政处罚 (its content is the penalty per party); the other
kinds' apps (licensing, compulsion) describe their own decision — its title and result, and the
structured fields that go with it — and this module makes the pending Publication: the parties
(natural persons' names masked), the due date by kind (7 working days for 许可 and 处罚, 20 for the
others: `publish_working_days_*`) and the content hash. Release is the same `publication_publish`
(the issued 决定书, redacted) for every kind.

Here, not in an app of a kind, so that no app of a kind imports another (licensing ↔ compulsion),
and disclosure imports none of them.
"""

from __future__ import annotations

import datetime as dt

from sanxiang.cases.choices import PartyKind
from sanxiang.common.calendar import add_working_days
from sanxiang.common.canonical import canonical_bytes, sha256_hex
from sanxiang.common.exceptions import DeadlineError
from sanxiang.disclosure.models import Publication
from sanxiang.disclosure.redaction import mask_name, redact_content
from sanxiang.disclosure.services import redaction_terms
from sanxiang.registry.params import param_int


def publish_period_key(kind: str) -> str:
    """The parameter of the publication period of a kind of decision."""
    return "publish_working_days_penalty" if kind in ("penalty", "licensing") else "publish_working_days_other"


def publication_due(case, decided_on: dt.date) -> tuple[dt.date | None, str]:
    """The day a decision of this case's kind is to be published, or None with the reason (the
    calendar year is not entered yet: no guess, say so)."""
    try:
        return add_working_days(decided_on, param_int(publish_period_key(case.item.kind), case.agency),
                                what="公示期限"), ""
    except DeadlineError as exc:
        return None, f"{exc.message}；请系统管理员录入该年度节假日安排"


def _party_row(party, result: str) -> dict:
    citizen = party.kind == PartyKind.CITIZEN
    return {"name": mask_name(party.name) if citizen else party.name, "kind": party.get_kind_display(),
            "uscc": None if citizen else party.uscc,
            "legal_representative": None if citizen else party.legal_representative,
            "penalty": result, "fine_amount": None}


def decision_publication_create(*, case, decision, result: str, title: str = "", extra: dict | None = None) -> Publication:
    """The pending publication of a non-penalty decision: `result` is what the portal prints as
    决定内容 (the content's `result`, and `penalty` for the lists that print that key), `extra`
    the kind's own structured fields (both redacted); `title` defaults to “<机关><类别>决定（<文号>）”."""
    # What the officer wrote (the obligation, the place, a licence's scope) may name a person or
    # carry a number: the same redaction as the decision's text, before it is stored.
    terms = redaction_terms(decision)
    result, extra = redact_content(result, **terms), redact_content(extra or {}, **terms)
    parties = case.parties_in_order()
    rows = [_party_row(p, result) for p in parties]
    first = rows[0]
    due_on, due_note = publication_due(case, decision.decided_on)
    kind_label = case.item.get_kind_display()
    content = {
        "item": case.item.name, "result": result, "penalty": result, "fine_amount": None,
        "party_uscc": first["uscc"] if len(rows) == 1 else None,
        "legal_representative": first["legal_representative"] if len(rows) == 1 else None,
        "parties": rows, **extra,
    }
    publication = Publication(
        agency=case.agency, case=case, kind=kind_label,
        title=title or f"{case.agency.name}{kind_label}决定（{decision.number}）",
        decision_number=decision.number, party_name="、".join(r["name"] for r in rows),
        party_kind="、".join(dict.fromkeys(r["kind"] for r in rows)), content=content, text="",
        decided_on=decision.decided_on, due_on=due_on, due_note=due_note,
    )
    publication.content_sha256 = sha256_hex(canonical_bytes(publication.public_document()))
    publication.save()
    return publication
