"""The documents panel of a case page (template documents/_case_documents.html): the documents
issued, and an issue form for each kind the case's step allows this user to make."""

from __future__ import annotations

from django.utils import timezone

from sanxiang.cases.engine import flow_spec
from sanxiang.cases.procedure import document_allowed
from sanxiang.common.exceptions import DomainError
from sanxiang.documents import selectors
from sanxiang.documents.kinds import KINDS
from sanxiang.documents.services import available_kinds, kind_problem

INPUT_TYPES = {"date": "date", "datetime": "datetime-local", "line": "text"}


def _fields(kind, submitted, error) -> list[dict]:
    out = []
    for spec in kind.extra:
        name = f"{kind.code}-{spec.name}"
        out.append({
            "spec": spec, "name": name, "input": INPUT_TYPES.get(spec.type, "text"),
            "value": submitted.get(name, "") if submitted is not None else "",
            "error": error.message if error is not None and getattr(error, "field", None) == spec.name else "",
            "wide": spec.type in ("text", "qa", "items"),
        })
    return out


def panel_context(request, case, *, error=None, open_kind=None, submitted=None, notice="") -> dict:
    user = request.user
    documents = selectors.case_documents(user, case)
    replaced = {d.supersedes_id for d in documents if d.supersedes_id}
    current = {}
    for d in documents:
        d.is_latest = d.pk not in replaced
        if d.is_latest and KINDS.get(d.kind) and KINDS[d.kind].single:
            current.setdefault(d.kind, d)
        d.reissuable = d.is_latest and d.kind in KINDS and not KINDS[d.kind].single
    forms = []
    for kind in available_kinds(case, user):
        mine = kind.code == open_kind
        fields = _fields(kind, submitted if mine else None, error if mine else None)
        placed = any(f["error"] for f in fields)
        forms.append({"kind": kind, "fields": fields, "current": current.get(kind.code), "open": mine,
                      "error": error.message if mine and error is not None and not placed else ""})
    waiting, corrections = [], []
    for code in flow_spec(case.flow).documents():
        kind = KINDS.get(code)
        if not kind or user.role not in kind.roles or kind.code in {f["kind"].code for f in forms}:
            continue
        reason = kind_problem(case, kind, user=user) or ""
        if _correctable(case, kind, user):
            mine = kind.code == open_kind
            fields = _fields(kind, submitted if mine else None, error if mine else None)
            placed = any(f["error"] for f in fields)
            reason_error = error.message if mine and error is not None and error.field == "correction_reason" else ""
            corrections.append({"kind": kind, "fields": fields, "reason": reason, "open": mine,
                                "current": current.get(kind.code),
                                "reason_value": submitted.get("correction_reason", "") if mine and submitted else "",
                                "reason_error": reason_error,
                                "error": error.message if mine and error is not None and not placed
                                and not reason_error else ""})
        else:
            waiting.append({"kind": kind, "reason": reason})
    shown = {f["kind"].code for f in forms} | {c["kind"].code for c in corrections}
    return {"case": case, "documents": documents, "forms": forms, "corrections": corrections, "waiting": waiting,
            "notice": notice, "error": error if open_kind not in shown else None, "now": timezone.localtime()}


def _correctable(case, kind, user) -> bool:
    """The kind's step is over (or the case closed and the user is the head): a 补正 with a reason."""
    try:
        document_allowed(case, kind.code, user, correction_reason="?")
    except DomainError:
        return False
    return kind_problem(case, kind, user=user, correction_reason="?") is None
