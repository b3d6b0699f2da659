"""Document services: issue (制作) a document — number it, render it, store it, log it.

Nothing here updates or deletes a document: reissuing writes a new version with the same number
that points at the one it replaces, and both stay (each with its own ledger entry).
"""

from __future__ import annotations

import datetime as dt
import re

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from sanxiang.accounts.models import role_labels
from sanxiang.accounts.scoping import OutOfScope
from sanxiang.cases.engine import flow_spec
from sanxiang.cases.models import Case
from sanxiang.cases.procedure import document_allowed
from sanxiang.common.canonical import canonical_bytes, sha256_hex
from sanxiang.common.exceptions import (
    DomainError,
    RoleNotAllowed,
    TransitionNotAllowed,
    ValidationFailed,
)
from sanxiang.common.models import next_number
from sanxiang.common.params import safe_parse_date, safe_parse_datetime
from sanxiang.documents import render
from sanxiang.documents.builders import BuildContext
from sanxiang.documents.kinds import KINDS, DocumentKind, ExtraField
from sanxiang.documents.models import Document
from sanxiang.ledger import guomi
from sanxiang.ledger.services import ledger_append
from sanxiang.records.models import StoredFile
from sanxiang.records.services import blob_put, file_store

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _check_scope(actor, case) -> None:
    # The one rule (accounts.scoping), also here: a service may be called without a view before it.
    if not Case.objects.visible_to(actor).filter(pk=case.pk).exists():
        raise OutOfScope("案件不存在或无权查看", ref=case.ledger_ref())


def _check_role(actor, kind: DocumentKind) -> None:
    """Documents are made by the staff of the case's agency (scope is checked first), in the
    roles the kind names; supervisors and administrators read them but do not make them."""
    if actor.role not in kind.roles or actor.agency_id is None:
        labels = role_labels(kind.roles)
        raise RoleNotAllowed(f"《{kind.name}》须由办案机关的{labels}制作", code="role_not_allowed")


def kind_problem(case, kind: DocumentKind, extra: dict | None = None, *, user=None,
                 correction_reason: str | None = None) -> str | None:
    """Why `kind` cannot be made for the case now (Chinese), or None when it can.

    The step rule (the flow declares which steps make which documents, 补正 afterwards) is the
    engine's; the kind's own precondition (a decision to serve, a review to report…) is ours."""
    try:
        document_allowed(case, kind.code, user, correction_reason)
    except DomainError as exc:
        return exc.message
    if kind.requires:
        return kind.requires(case, extra or {})
    return None


def available_kinds(case, user=None) -> list[DocumentKind]:
    """Kinds that can be made for the case now at its step (and, given a user, that the user may
    make); a 补正 of a past step's document is made from the dossier, with a reason."""
    out = []
    for code in flow_spec(case.flow).documents():
        kind = KINDS.get(code)
        if kind is None or (user is not None and (user.role not in kind.roles or user.agency_id is None)):
            continue
        if kind_problem(case, kind, user=user) is None:
            out.append(kind)
    return out


# --- officer-entered values ------------------------------------------------------------------------

_QA = re.compile(r"^\s*(问|答|Q|A)\s*[:：]\s*", re.IGNORECASE)


def parse_qa(raw) -> list[dict]:
    """Questions and answers from a list of {q, a} or from text lines starting with 问：/答：."""
    if isinstance(raw, list):
        return [{"q": str(i.get("q", "")).strip(), "a": str(i.get("a", "")).strip()} for i in raw
                if isinstance(i, dict) and (i.get("q") or i.get("a"))]
    items: list[dict] = []
    current = None
    for text in str(raw or "").splitlines():
        match = _QA.match(text)
        if match:
            key = "q" if match.group(1).upper() in ("问", "Q") else "a"
            body = text[match.end():].strip()
            if key == "q" or current is None or current["a"]:
                current = {"q": "", "a": ""}
                items.append(current)
            current[key] = body
        elif text.strip() and current is not None:
            key = "a" if current["a"] else "q"
            current[key] = (current[key] + "\n" + text.strip()).strip()
    return items


def parse_items(raw) -> list[list[str]]:
    """Goods for 先行登记保存: one per line, name|spec|quantity|remark (also tab or ｜)."""
    if isinstance(raw, list):
        rows = [r if isinstance(r, list) else [str(r)] for r in raw]
    else:
        rows = [re.split(r"\s*[|｜\t]\s*", text.strip()) for text in str(raw or "").splitlines() if text.strip()]
    return [[str(c).strip() for c in (row + ["", "", "", ""])[:4]] for row in rows]


def _clean_extra(kind: DocumentKind, raw: dict | None, now: dt.datetime) -> dict:
    raw = raw or {}
    clean: dict = {}
    for spec in kind.extra:
        value = _clean_field(spec, raw.get(spec.name), now)
        if value in (None, "", []):
            if spec.required:
                raise ValidationFailed(f"请填写“{spec.label}”（《{kind.name}》）", field=spec.name,
                                       code="field_required")
            continue
        clean[spec.name] = value
    if clean.get("started_at") and clean.get("ended_at") and clean["ended_at"] < clean["started_at"]:
        names = {spec.name: spec.label for spec in kind.extra}
        raise ValidationFailed(f"“{names['ended_at']}”不能早于“{names['started_at']}”（《{kind.name}》）",
                               field="ended_at", code="ended_before_started")
    return clean


def _clean_field(spec: ExtraField, value, now: dt.datetime):
    if value is None:
        return None
    if spec.type == "qa":
        items = parse_qa(value)
        if value and not items:
            raise ValidationFailed(f"“{spec.label}”须逐行以“问：”“答：”开头", field=spec.name, code="qa_format")
        return items
    if spec.type == "items":
        return parse_items(value)
    text = str(value).strip()
    if not text:
        return None
    if spec.type == "date":
        parsed = safe_parse_date(text)
        if parsed is None:
            raise ValidationFailed(f"“{spec.label}”须为有效日期（YYYY-MM-DD）", field=spec.name, code="date_invalid")
        if spec.past_only and parsed > timezone.localdate(now):
            raise ValidationFailed(f"“{spec.label}”不能晚于今天", field=spec.name, code="date_in_future")
        return parsed.isoformat()
    if spec.type == "datetime":
        parsed = safe_parse_datetime(text.replace(" ", "T"))
        if parsed is None:
            raise ValidationFailed(f"“{spec.label}”须为有效时间（YYYY-MM-DD HH:MM）", field=spec.name,
                                   code="datetime_invalid")
        if timezone.is_naive(parsed):
            parsed = timezone.make_aware(parsed)
        if spec.past_only and parsed > now + dt.timedelta(minutes=5):
            raise ValidationFailed(f"“{spec.label}”不能晚于现在", field=spec.name, code="date_in_future")
        return timezone.localtime(parsed).replace(second=0, microsecond=0).isoformat()
    if spec.type == "choice":
        allowed = {v for v, _ in spec.choices}
        if text not in allowed:
            raise ValidationFailed(f"“{spec.label}”的取值“{text}”不在可选范围内", field=spec.name, code="choice_invalid")
    return text[:4000] if spec.type == "text" else text[:300]


# --- numbering -----------------------------------------------------------------------------------


def _number_for(case, kind: DocumentKind, year: int) -> str:
    """A new number: the case's or the decision's own, or the next of the kind's counter."""
    if kind.numbering == "case":
        return case.number
    if kind.numbering == "decision":
        # A kind with its own 字号 (强封, 强执) on a case decided before decisions of its kind were
        # recorded has no Decision: it keeps numbering from its counter, as it did then.
        if getattr(case, "decision", None) is not None or not kind.abbr:
            return case.decision.number
    agency = case.agency
    n = next_number(f"document:{agency.code}:{kind.code}:{year}")
    return f"{agency.doc_prefix}{kind.abbr}〔{year}〕第{n}号"


# --- issue ---------------------------------------------------------------------------------------


@transaction.atomic
def document_issue(*, case: Case, kind: str, actor, extra: dict | None = None,
                   reissue_of: Document | None = None, correction_reason: str | None = None) -> Document:
    """Make a document of `kind` for the case, as Word and PDF, and log it.

    Kinds a case has once (告知书、决定书…) are reissued by issuing again: a new version with the
    same number pointing at the previous one. Kinds a case may have several of (询问笔录、现场检查笔录、
    先行登记保存通知书) get a new number each time, unless `reissue_of` names the document to
    replace. Officer-entered values left out of a reissue are taken from the version replaced.

    A document is made at the steps the flow declares for its kind (cases.procedure); after them
    only as a 补正 with `correction_reason`, which the document, its ledger entry and the dossier
    contents carry; after 结案 only by the agency head.
    """
    # Lock the case: two issues of the same document in parallel become versions 1 and 2,
    # never two versions 1 (the counter row lock orders the numbers themselves).
    case = Case.objects.select_for_update(of=("self",)).select_related("agency", "item", "flow").get(pk=case.pk)
    _check_scope(actor, case)
    spec = KINDS.get(kind)
    if spec is None:
        raise ValidationFailed(f"未知的文书种类“{kind}”", field="kind", code="kind_unknown")
    _check_role(actor, spec)
    permit = document_allowed(case, spec.code, actor, correction_reason)
    previous = _previous_version(case, spec, reissue_of)
    now = timezone.now()
    raw = {**(previous.extra if previous else {}), **{k: v for k, v in (extra or {}).items() if v not in (None, "")}}
    values = _clean_extra(spec, raw, now)
    problem = spec.requires(case, values) if spec.requires else None
    if problem:
        raise TransitionNotAllowed(problem, code="document_not_available")
    if previous is None and spec.subject and not reissue_of:
        previous = _current(case, spec, spec.subject(case, values))
    if previous is not None:
        number, version, subject_key = previous.number, previous.version + 1, previous.subject_key
    else:
        number = _number_for(case, spec, timezone.localdate(now).year)
        version = 1
        subject_key = spec.subject(case, values) if spec.subject else ("" if spec.single else f"no:{number}")
    content = _content(case, spec, values, number, version, actor, timezone.localdate(now))
    if permit.correction:
        content["correction"] = {"reason": permit.reason[:500], "approved_by": permit.approved_by}
    content_sha256 = sha256_hex(canonical_bytes(content))
    docx_bytes = render.render_docx(content, content_sha256)
    pdf_bytes = render.render_pdf(content, content_sha256)
    docx_file, docx_new = _store(docx_bytes, "document.docx")
    pdf_file, pdf_new = _store(pdf_bytes, "document.pdf")
    document = Document.objects.create(
        case=case, kind=spec.code, title=spec.name, subject_key=subject_key, number=number, version=version,
        supersedes=previous, issued_by=actor, issued_at=now, docx=docx_file, pdf=pdf_file, extra=values,
        content=content, content_sha256=content_sha256,
    )
    stored = [f for f, new in ((docx_file, docx_new), (pdf_file, pdf_new)) if new]
    entry = ledger_append(
        kind="document.issue", actor=actor, agency=case.agency, subjects=[document, *stored],
        files=[docx_file.sha256, pdf_file.sha256], content={"document": content_sha256},
        data={"case": case.number, "kind": spec.code, "number": number, "version": version,
              **({"correction": content["correction"]} if permit.correction else {})},
        supersedes=previous.ledger_index if previous else None,
        summary=f"{'补正' if permit.correction else '制作'}{spec.name} {number}（第{version}版）{case.number}",
    )
    # ledger_index is a back-reference outside the logged state (Recorded.ledger_state skips it).
    Document.objects.filter(pk=document.pk).update(ledger_index=entry.index)
    document.ledger_index = entry.index
    StoredFile.objects.filter(pk__in=[f.pk for f in stored]).update(ledger_index=entry.index)
    return document


def _store(data: bytes, name: str):
    """Content-addressed storage of a rendered file: (StoredFile, whether it is new).

    The bytes go to storage inside the transaction (a document is some tens of kilobytes); if the
    transaction rolls back they stay unreferenced and are reused by the next identical file.
    """
    sha256 = sha256_hex(data)
    blob_put(ContentFile(data, name=name), sha256)
    return file_store(sha256=sha256, size=len(data), sm3=guomi.sm3_hex(data))


def _current(case, spec: DocumentKind, subject_key: str) -> Document | None:
    return (Document.objects.select_for_update().filter(case=case, kind=spec.code, subject_key=subject_key)
            .order_by("-version").first())


def _previous_version(case, spec: DocumentKind, reissue_of: Document | None) -> Document | None:
    if reissue_of is not None:
        if reissue_of.case_id != case.pk or reissue_of.kind != spec.code:
            raise ValidationFailed("要重新制作的文书不属于本案或种类不符", field="reissue_of", code="reissue_mismatch")
        latest = _current(case, spec, reissue_of.subject_key)
        if latest.pk != reissue_of.pk:
            raise DomainError(f"{reissue_of} 已被第{latest.version}版替代，请在最新版本基础上重新制作",
                              code="reissue_not_latest")
        return latest
    if spec.single and not spec.subject:
        return _current(case, spec, "")
    return None


def _content(case, spec: DocumentKind, values: dict, number: str, version: int, actor, issued_on) -> dict:
    blocks = spec.build(BuildContext(case=case, kind=spec, extra=values, number=number, version=version,
                                     issued_on=issued_on, actor=actor))
    return {
        "kind": spec.code, "title": spec.name, "agency": case.agency.name, "number": number, "version": version,
        "case_number": case.number, "layout": spec.layout, "page_sign": spec.page_sign,
        "issued_on": issued_on.isoformat(), "blocks": blocks,
    }
