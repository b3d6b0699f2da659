"""What the publication lifecycle (publicity) writes, mimicked for the feed tests: a correction and a
withdrawal are new public ledger entries naming the publication rows they changed."""

from django.db import transaction

from sanxiang.common.canonical import canonical_bytes, sha256_hex
from sanxiang.disclosure.models import Publication, PublicationStatus
from sanxiang.ledger.services import ledger_append


@transaction.atomic
def correct(publication, *, text: str, actor):
    publication = Publication.objects.get(pk=publication.pk)
    publication.text = text
    publication.content_sha256 = sha256_hex(canonical_bytes(publication.public_document()))
    publication.save()
    return ledger_append(kind="publication.correct", actor=actor, agency=publication.agency, subjects=[publication],
                         public=True, supersedes=publication.ledger_index,
                         data={"publication": publication.public_document()}, summary="更正公示")


@transaction.atomic
def withdraw(publication, *, reason: str, actor):
    publication = Publication.objects.get(pk=publication.pk)
    publication.status = PublicationStatus.WITHDRAWN
    publication.withdrawn_reason = reason
    publication.save()
    return ledger_append(kind="publication.withdraw", actor=actor, agency=publication.agency, subjects=[publication],
                         public=True, supersedes=publication.ledger_index, summary=f"撤回公示：{reason}")
