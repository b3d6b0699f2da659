"""Publication services: create (on decision), publish (after review), withdraw (a new entry)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from sanxiang.accounts.models import Role
from sanxiang.accounts.scoping import OutOfScope
from sanxiang.cases.choices import PartyKind, PenaltyKind
from sanxiang.common.calendar import add_working_days
from sanxiang.common.canonical import canonical_bytes, sha256_hex
from sanxiang.common.exceptions import DeadlineError, DomainError, RoleNotAllowed
from sanxiang.disclosure.models import Publication, PublicationStatus
from sanxiang.disclosure.redaction import mask_name, redact_text
from sanxiang.ledger.services import ledger_append
from sanxiang.registry.params import param_int

PUBLISHER_ROLES = {Role.UNIT_HEAD, Role.AGENCY_HEAD, Role.LEGAL_REVIEWER}


def _redact(decision) -> dict:
    case = decision.case
    party = case.party
    citizen = party.kind == PartyKind.CITIZEN
    private = [v for v in (party.id_number, party.address, party.phone, party.bank_account) if v] if citizen else []
    names = [party.name] if citizen else []

    def clean(text: str) -> str:
        return redact_text(text or "", person_names=names, known_values=private).text

    return {
        "party_name": mask_name(party.name) if citizen else party.name,
        "content": {
            "item": case.item.name,
            "facts": clean(case.facts),
            "basis": clean(decision.reasons),
            "penalty": "、".join(PenaltyKind(k).label for k in decision.penalty_kinds),
            "fine_amount": str(decision.fine_amount) if decision.fine_amount is not None else None,
            "party_uscc": party.uscc if not citizen else None,
            "legal_representative": party.legal_representative if not citizen else None,
        },
        "text": clean(decision.text),
    }


def publication_create(*, decision) -> Publication:
    """A decision creates its publication (pending review) with its due date:
    7 working days for penalties and licences, 20 for other decisions."""
    case = decision.case
    key = "publish_working_days_penalty" if case.item.kind in ("penalty", "licensing") else "publish_working_days_other"
    try:
        due_on, due_note = add_working_days(decision.decided_on, param_int(key, case.agency), what="公示期限"), ""
    except DeadlineError as exc:  # the calendar year is not entered yet: no guess, say so
        due_on, due_note = None, f"{exc.message}；请系统管理员录入该年度节假日安排"
    redacted = _redact(decision)
    publication = Publication(
        agency=case.agency, case=case, kind=case.item.get_kind_display(),
        title=f"{case.agency.name}行政处罚决定（{decision.number}）", decision_number=decision.number,
        party_name=redacted["party_name"], party_kind=case.party.get_kind_display(),
        content=redacted["content"], text=redacted["text"], decided_on=decision.decided_on, due_on=due_on,
        due_note=due_note,
    )
    publication.content_sha256 = sha256_hex(canonical_bytes(publication.public_document()))
    publication.save()
    return publication


@transaction.atomic
def publication_publish(*, publication: Publication, actor) -> Publication:
    """公示审核: a head or legal reviewer of the agency releases the redacted text to the portal."""
    publication = Publication.objects.select_for_update().get(pk=publication.pk)
    if actor.role not in PUBLISHER_ROLES:
        raise RoleNotAllowed("公示审核须由承办机构负责人、机关负责人或法制审核人员办理", code="role_not_allowed")
    if not Publication.objects.visible_to(actor).filter(pk=publication.pk).exists():
        raise OutOfScope("无权公示其他机关的信息", ref=publication.ledger_ref())
    if publication.status != PublicationStatus.PENDING:
        raise DomainError(f"该公示状态为“{publication.get_status_display()}”，不能再次公示", code="already_published")
    publication.status = PublicationStatus.PUBLISHED
    publication.published_at = timezone.now()
    publication.published_by = actor
    publication.save()
    entry = ledger_append(kind="publication.publish", actor=actor, agency=publication.agency, subjects=[publication],
                          content={"publication": publication.content_sha256}, public=True,
                          data={"publication": publication.public_document()},
                          summary=f"公示 {publication.decision_number}")
    publication.ledger_index = entry.index
    Publication.objects.filter(pk=publication.pk).update(ledger_index=entry.index)
    return publication


def publication_is_overdue(publication: Publication, on=None) -> bool:
    on = on or timezone.localdate()
    return (publication.status == PublicationStatus.PENDING and publication.due_on is not None
            and on > publication.due_on)
