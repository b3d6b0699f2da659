"""Reads of documents, scoped like the cases they belong to (denied by default)."""

from __future__ import annotations

from django.db.models import QuerySet

from sanxiang.documents.content import plain_text
from sanxiang.documents.kinds import KINDS
from sanxiang.documents.models import Document

_ORDER = {code: i for i, code in enumerate(KINDS)}


def document_queryset(user) -> QuerySet[Document]:
    """Documents of the cases the user may see (Document.objects.visible_to)."""
    return Document.objects.visible_to(user).select_related("case", "docx", "pdf", "issued_by", "supersedes")


def case_documents(user, case) -> list[Document]:
    """Every version of every document of the case, in flow order, newest version first."""
    docs = list(document_queryset(user).filter(case=case))
    docs.sort(key=lambda d: (_ORDER.get(d.kind, 99), d.number, -d.version))
    return docs


def document_get(user, pk: int) -> Document:
    return Document.objects.select_related("case", "docx", "pdf", "issued_by", "supersedes").get_visible(
        user, pk=pk, message="文书不存在或无权查看")


# Kinds that carry the decision's own number: the 行政处罚决定书 and the 当场处罚决定书.
DECISION_KINDS = tuple(code for code, kind in KINDS.items() if kind.numbering == "decision")


def decision_document(decision) -> Document | None:
    """The current (latest) version of the issued 决定书 of a decision, or None before it is issued.

    Not scoped: callers already hold the decision (the case services, the publication service).
    """
    # Read at call time: kinds registered by other apps (许可决定书, 征收决定书) number by the decision too.
    kinds = tuple(code for code, kind in KINDS.items() if kind.numbering == "decision")
    return (Document.objects.filter(case_id=decision.case_id, kind__in=kinds, number=decision.number)
            .select_related("pdf").order_by("-version", "-pk").first())



def decision_text(decision) -> str:
    """The plain text of the issued 决定书 of a decision; empty until it is issued."""
    document = decision_document(decision)
    return plain_text(document.content) if document is not None else ""
