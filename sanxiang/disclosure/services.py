"""Publication services: create (on decision), publish (after review). What follows release
(correction, withdrawal, expiry, 信用修复) is in disclosure.lifecycle.

What is published as the decision's full text is the issued 行政处罚决定书 itself, redacted: its
structured content goes through the redaction, the text shown is that content's text, and the
PDF linked is rendered from that content by the documents' own renderer. Nothing here writes
a decision's text of its own (documents.builders.decision is the one writer).
"""

from __future__ import annotations

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from sanxiang.accounts.models import Role
from sanxiang.accounts.scoping import OutOfScope
from sanxiang.cases.choices import PartyKind, PenaltyKind
from sanxiang.common.calendar import add_working_days
from sanxiang.common.canonical import canonical_bytes, sha256_hex
from sanxiang.common.exceptions import DeadlineError, DomainError, RoleNotAllowed, TransitionNotAllowed
from sanxiang.disclosure.models import Publication, PublicationStatus
from sanxiang.disclosure.periods import period_for, sector_text
from sanxiang.disclosure.redaction import mask_name, redact_content
from sanxiang.ledger.services import ledger_append
from sanxiang.registry.params import param_int

PUBLISHER_ROLES = {Role.UNIT_HEAD, Role.AGENCY_HEAD, Role.LEGAL_REVIEWER}
PUBLISH_RULE = "行政处罚法第四十八条"


def _penalty_text(kinds, fine) -> str:
    text = "、".join(PenaltyKind(k).label for k in kinds if k in PenaltyKind.values)
    return text + (f"（罚款{fine}元）" if fine else "")


def _parties(decision) -> list:
    return [row.party for row in decision.party_penalties()] or decision.case.parties_in_order()


def redaction_terms(decision) -> dict:
    """What the redaction removes for this decision: every natural person's name and private
    details among the parties; organisations' names, codes and registered addresses stay public. The agency's own
    contact numbers are kept (the remedy notice may state them)."""
    names, private = [], []
    for party in _parties(decision):
        if party.kind == PartyKind.CITIZEN:
            names.append(party.name)
            private += [("id_number", party.id_number), ("address", party.address), ("phone", party.phone),
                        ("bank_account", party.bank_account)]
    agency = decision.case.agency
    public = [v for v in (getattr(agency, "phone", ""), getattr(agency, "complaint_phone", "")) if v]
    return {"person_names": names, "known_values": [(k, v) for k, v in private if v], "public_values": public}


def redacted_document(decision, document) -> dict:
    """The issued 决定书's content, redacted for publication (the source of the text and PDF)."""
    return redact_content(document.content, **redaction_terms(decision))


def _summary(decision) -> dict:
    """The structured fields beside the text (who, which item, what penalty): data, not a text."""
    case = decision.case
    rows = decision.party_penalties()
    parties = []
    for row in rows:
        citizen = row.party.kind == PartyKind.CITIZEN
        parties.append({
            "name": mask_name(row.party.name) if citizen else row.party.name,
            "kind": row.party.get_kind_display(),
            "uscc": None if citizen else row.party.uscc,
            "legal_representative": None if citizen else row.party.legal_representative,
            "penalty": _penalty_text(row.penalty_kinds, row.fine_amount),
            "fine_amount": str(row.fine_amount) if row.fine_amount is not None else None,
        })
    first = parties[0] if parties else {}
    return {
        "party_name": "、".join(p["name"] for p in parties),
        "party_kind": "、".join(dict.fromkeys(p["kind"] for p in parties)),
        "content": {
            "item": case.item.name,
            "penalty": "、".join(PenaltyKind(k).label for k in decision.penalty_kinds if k in PenaltyKind.values),
            "fine_amount": str(decision.fine_amount) if decision.fine_amount is not None else None,
            "party_uscc": first.get("uscc") if len(parties) == 1 else None,
            "legal_representative": first.get("legal_representative") if len(parties) == 1 else None,
            "parties": parties,
        },
    }


def publication_create(*, decision) -> Publication:
    """A decision creates its publication (pending review) with its due date:
    7 working days for penalties and licences, 20 for other decisions.

    Its text stays empty until release, which takes it from the issued 决定书."""
    case = decision.case
    key = "publish_working_days_penalty" if case.item.kind in ("penalty", "licensing") else "publish_working_days_other"
    try:
        due_on, due_note = add_working_days(decision.decided_on, param_int(key, case.agency), what="公示期限"), ""
    except DeadlineError as exc:  # the calendar year is not entered yet: no guess, say so
        due_on, due_note = None, f"{exc.message}；请系统管理员录入该年度节假日安排"
    summary = _summary(decision)
    publication = Publication(
        agency=case.agency, case=case, kind=case.item.get_kind_display(),
        title=f"{case.agency.name}行政处罚决定（{decision.number}）", decision_number=decision.number,
        party_name=summary["party_name"], party_kind=summary["party_kind"], content=summary["content"], text="",
        decided_on=decision.decided_on, due_on=due_on, due_note=due_note,
    )
    publication.content_sha256 = sha256_hex(canonical_bytes(publication.public_document()))
    publication.save()
    return publication


def release_fields(publication: Publication, decision, document, extra_redactions=()):
    """Fill the released text, document and redacted PDF of `publication` from the issued
    决定书 `document` (its current version), masking `extra_redactions` besides the usual terms.
    Returns (pdf, whether the file is new)."""
    from sanxiang.documents import render
    from sanxiang.documents.content import plain_text

    terms = redaction_terms(decision)
    terms["known_values"] = [*terms["known_values"], *[v for v in extra_redactions if v]]
    redacted = redact_content(document.content, **terms)
    redacted_sha256 = sha256_hex(canonical_bytes(redacted))
    pdf, pdf_new = _store_pdf(render.render_pdf(redacted, redacted_sha256))
    publication.text = plain_text(redacted)
    publication.document = document
    publication.source_sha256 = document.content_sha256
    publication.pdf = pdf
    return pdf, pdf_new


def _store_pdf(data: bytes):
    from sanxiang.records.services import blob_put, file_store

    sha256 = sha256_hex(data)
    blob_put(ContentFile(data, name="decision-public.pdf"), sha256)
    return file_store(sha256=sha256, size=len(data))


@transaction.atomic
def publication_publish(*, publication: Publication, actor) -> Publication:
    """公示审核: a head or legal reviewer of the agency releases the redacted 决定书 to the portal.

    Refused while no 决定书 is issued: what the portal calls the decision's full text is the
    issued document, redacted, and its redacted PDF (行政处罚法第四十八条; 公示 of the decision).
    """
    from sanxiang.documents.selectors import decision_document

    publication = Publication.objects.select_for_update().get(pk=publication.pk)
    if actor.role not in PUBLISHER_ROLES:
        raise RoleNotAllowed("公示审核须由承办机构负责人、机关负责人或法制审核人员办理", code="role_not_allowed")
    if not Publication.objects.visible_to(actor).filter(pk=publication.pk).exists():
        raise OutOfScope("无权公示其他机关的信息", ref=publication.ledger_ref())
    if publication.status != PublicationStatus.PENDING:
        raise DomainError(f"该公示状态为“{publication.get_status_display()}”，不能再次公示", code="already_published")
    decision = publication.case.decision
    document = decision_document(decision)
    if document is None:
        raise TransitionNotAllowed(
            f"决定书{decision.number}尚未制作，不能公示：公示的是已制作的行政处罚决定书全文（脱敏后），"
            "请先制作决定书（《行政处罚法》第四十八条，行政执法决定公示）",
            code="decision_document_missing", field="document", rule=PUBLISH_RULE)
    pdf, pdf_new = release_fields(publication, decision, document)
    publication.status = PublicationStatus.PUBLISHED
    publication.published_at = timezone.now()
    publication.published_by = actor
    period = period_for(decision.penalty_kinds, sector_text(publication.case))
    publication.min_until, publication.display_until = period.bounds(timezone.localdate(publication.published_at))
    publication.period_basis = f"最短{period.min_months}个月、最长{period.max_months}个月（{period.basis}）"[:300]
    publication.content_sha256 = sha256_hex(canonical_bytes(publication.public_document()))
    publication.save()
    entry = ledger_append(kind="publication.publish", actor=actor, agency=publication.agency,
                          subjects=[publication, *([pdf] if pdf_new else [])], files=[pdf.sha256],
                          content={"publication": publication.content_sha256, "document": document.content_sha256},
                          public=True, data={"publication": publication.public_document()},
                          summary=f"公示 {publication.decision_number}（依据决定书第{document.version}版）")
    publication.ledger_index = entry.index
    Publication.objects.filter(pk=publication.pk).update(ledger_index=entry.index)
    if pdf_new:
        type(pdf).objects.filter(pk=pdf.pk).update(ledger_index=entry.index)
    return publication


def publication_is_overdue(publication: Publication, on=None) -> bool:
    on = on or timezone.localdate()
    return (publication.status == PublicationStatus.PENDING and publication.due_on is not None
            and on > publication.due_on)
