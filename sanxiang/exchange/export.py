"""双公示 export (信用中国 field lists) of released publications, as Excel, CSV and JSON.

One selector, `exportable(kind, ...)`, picks the publications of a kind (penalty, licensing…)
through the registered `ExportSource`; the source turns each into rows of its field list. The
licensing app plugs in by registering its own source for "licensing" (`@export_source`), which
replaces the generic one here.

Only released publications are read, and only their redacted public data: the party's name,
category and codes as the publication holds them (a natural person's name masked, codes empty),
the facts passed through the publication redaction (disclosure.redaction) with the same terms as
the published text. A natural person's ID number is never exported: 证件类型 says 身份证 and
证件号码 stays empty, as the 信用中国 rules for 自然人 require (个人信息不予公示).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet

from sanxiang.common.exceptions import ValidationFailed
from sanxiang.disclosure.models import Publication


@dataclass(frozen=True)
class Field:
    key: str
    label: str


def _fields(*pairs: tuple[str, str]) -> tuple[Field, ...]:
    return tuple(Field(k, v) for k, v in pairs)


PARTY_FIELDS = (
    ("party_name", "行政相对人名称"), ("party_category", "行政相对人类别"),
    ("uscc", "行政相对人代码_1（统一社会信用代码）"), ("business_reg_no", "行政相对人代码_2（工商注册号）"),
    ("org_code", "行政相对人代码_3（组织机构代码）"), ("tax_reg_no", "行政相对人代码_4（税务登记号）"),
    ("institution_cert_no", "行政相对人代码_5（事业单位证书号）"),
    ("social_org_reg_no", "行政相对人代码_6（社会组织登记证号）"),
    ("legal_representative", "法定代表人"), ("id_type", "证件类型"), ("id_number", "证件号码"),
)
SOURCE_FIELDS = (
    ("data_source", "数据来源单位"), ("data_source_uscc", "数据来源单位统一社会信用代码"), ("remarks", "备注"),
)

PENALTY_FIELDS = _fields(
    *PARTY_FIELDS,
    ("decision_number", "行政处罚决定书文号"), ("violation_type", "违法行为类型"), ("facts", "违法事实"),
    ("basis", "处罚依据"), ("penalty_category", "处罚类别"), ("penalty_content", "处罚内容"),
    ("fine_10k", "罚款金额（万元）"), ("confiscation_10k", "没收违法所得、没收非法财物的金额（万元）"),
    ("licence_affected", "暂扣或吊销证照名称及编号"), ("decided_on", "处罚决定日期"),
    ("valid_until", "处罚有效期"), ("display_until", "公示截止期"),
    ("authority", "处罚机关"), ("authority_uscc", "处罚机关统一社会信用代码"),
    *SOURCE_FIELDS,
)

LICENSING_FIELDS = _fields(
    *PARTY_FIELDS,
    ("document_name", "行政许可决定文书名称"), ("decision_number", "行政许可决定文书号"),
    ("licence_category", "许可类别"), ("certificate_name", "许可证书名称"), ("licence_number", "许可编号"),
    ("licence_content", "许可内容"), ("decided_on", "许可决定日期"), ("valid_from", "有效期自"),
    ("valid_until", "有效期至"), ("authority", "许可机关"), ("authority_uscc", "许可机关统一社会信用代码"),
    ("current_status", "当前状态"),
    *SOURCE_FIELDS,
)

# 信用中国: 处罚有效期 2099-12-31 means 长期 (no end date recorded for the penalty).
LONG_TERM = dt.date(2099, 12, 31)
CITIZEN_LABEL, ORGANISATION_LABEL = "自然人", "法人及非法人组织"
ID_WITHHELD = "自然人证件号码依规不予公示"


@dataclass(frozen=True)
class ExportSource:
    kind: str
    label: str
    fields: tuple[Field, ...]
    select: Callable[[QuerySet], QuerySet]
    rows: Callable[[Publication], list[dict]]


EXPORT_SOURCES: dict[str, ExportSource] = {}


def export_source(kind: str, *, label: str, fields: tuple[Field, ...], select: Callable[[QuerySet], QuerySet]):
    """Register `rows(publication) -> [row dict]` as the export of `kind` (a later one replaces)."""

    def register(fn):
        EXPORT_SOURCES[kind] = ExportSource(kind=kind, label=label, fields=fields, select=select, rows=fn)
        return fn

    return register


def source_for(kind: str) -> ExportSource:
    source = EXPORT_SOURCES.get(kind)
    if source is None:
        choices = "、".join(f"{s.kind}（{s.label}）" for s in EXPORT_SOURCES.values())
        raise ValidationFailed(f"不支持的导出类别“{kind}”，可选：{choices}", field="kind", code="export_kind_unknown")
    return source


def exportable(kind: str, *, user=None, agency_code: str = "", since: dt.date | None = None,
               until: dt.date | None = None) -> QuerySet[Publication]:
    """The one selector of the export: released publications of `kind`, within `user`'s scope
    (None: every agency, for the command line and the jobs), decided in [since, until]."""
    qs = Publication.objects.released()
    if user is not None:
        qs = qs.visible_to(user)
    qs = source_for(kind).select(qs)
    if agency_code:
        qs = qs.filter(agency__code=agency_code)
    if since:
        qs = qs.filter(decided_on__gte=since)
    if until:
        qs = qs.filter(decided_on__lte=until)
    return qs.select_related("agency", "case__item", "case__decision").order_by("decided_on", "pk")


def export_rows(kind: str, publications: Iterable[Publication]) -> list[dict]:
    source = source_for(kind)
    return [row for publication in publications for row in source.rows(publication)]


# --- the shared pieces --------------------------------------------------------------------------


def _ten_thousand(amount) -> str:
    """元 → 万元 with up to six decimals, trailing zeros dropped (800 → 0.08)."""
    if amount in (None, ""):
        return ""
    value = (Decimal(str(amount)) / Decimal(10000)).quantize(Decimal("0.000001"))
    text = format(value.normalize(), "f")
    return text


def _party_identity(party: dict | None, publication: Publication) -> dict:
    """The party columns from the publication's redacted party entry."""
    party = party or {"name": publication.party_name, "kind": publication.party_kind}
    citizen = party.get("kind") == CITIZEN_LABEL
    row = dict.fromkeys(key for key, _ in PARTY_FIELDS)
    row.update({
        "party_name": party.get("name") or "",
        "party_category": CITIZEN_LABEL if citizen else ORGANISATION_LABEL,
        "uscc": "" if citizen else (party.get("uscc") or ""),
        "legal_representative": "" if citizen else (party.get("legal_representative") or ""),
        "id_type": "身份证" if citizen else "",
        "id_number": "",  # withheld for natural persons; organisations are identified by their codes
    })
    for key in ("business_reg_no", "org_code", "tax_reg_no", "institution_cert_no", "social_org_reg_no"):
        row[key] = "" if citizen else (party.get(key) or "")
    return {k: ("" if v is None else v) for k, v in row.items()}


def _source_columns(publication: Publication, remarks: list[str]) -> dict:
    agency = publication.agency
    return {"authority": agency.name, "authority_uscc": agency.uscc, "data_source": agency.name,
            "data_source_uscc": agency.uscc, "remarks": "；".join(remarks)}


def display_until(publication: Publication) -> dt.date:
    """公示截止期: the publication's own display period when the lifecycle set one, else the
    default (3 months for 警告/通报批评 only, otherwise 3 years from the decision)."""
    own = getattr(publication, "display_until", None)
    if own:
        return own
    decision = getattr(publication.case, "decision", None)
    kinds = set(getattr(decision, "penalty_kinds", []) or [])
    decided = publication.decided_on
    if kinds and kinds <= {"warning", "criticism"}:
        month = decided.month + 3
        year, month = decided.year + (month - 1) // 12, (month - 1) % 12 + 1
        day = min(decided.day, 28)
        return dt.date(year, month, day)
    try:
        return decided.replace(year=decided.year + 3)
    except ValueError:  # 29 February
        return decided.replace(year=decided.year + 3, day=28)


def _facts(publication: Publication) -> str:
    """The case's facts, redacted with the very terms the published text was redacted with."""
    from sanxiang.disclosure.redaction import redact_text
    from sanxiang.disclosure.services import redaction_terms

    decision = getattr(publication.case, "decision", None)
    if decision is None or not publication.case.facts:
        return ""
    return redact_text(publication.case.facts, **redaction_terms(decision)).text


def _penalty_basis(publication: Publication) -> str:
    from sanxiang.registry.choices import CitationRole

    citations = [c.citation_text for c in publication.case.item.citations.all() if c.role == CitationRole.PENALTY]
    return "；".join(dict.fromkeys(citations))


def _kind_labels(kinds) -> str:
    from sanxiang.cases.choices import PenaltyKind

    return "、".join(PenaltyKind(k).label for k in kinds or [] if k in PenaltyKind.values)


# --- penalty ------------------------------------------------------------------------------------


def _select_penalty(qs: QuerySet) -> QuerySet:
    return qs.filter(case__item__kind="penalty")


@export_source("penalty", label="行政处罚", fields=PENALTY_FIELDS, select=_select_penalty)
def penalty_rows(publication: Publication) -> list[dict]:
    """One row per party of the decision (共同违法: each party's own penalty)."""
    decision = publication.case.decision
    content = publication.content or {}
    parties = content.get("parties") or [None]
    own_rows = decision.party_penalties()
    facts, basis = _facts(publication), _penalty_basis(publication)
    gains = publication.case.data.get("illegal_gains") if isinstance(publication.case.data, dict) else None
    rows = []
    for position, party in enumerate(parties):
        own = own_rows[position] if position < len(own_rows) else None
        kinds = own.penalty_kinds if own is not None else decision.penalty_kinds
        fine = own.fine_amount if own is not None else decision.fine_amount
        identity = _party_identity(party, publication)
        remarks = [ID_WITHHELD] if identity["party_category"] == CITIZEN_LABEL else []
        confiscates = bool({"confiscate_gains", "confiscate_property"} & set(kinds))
        if confiscates and not gains:
            remarks.append("没收金额未在案件中登记")
        affected = bool({"suspend_licence", "revoke_licence"} & set(kinds))
        if affected:
            remarks.append("证照名称及编号见决定书全文")
        rows.append({
            **identity,
            "decision_number": publication.decision_number,
            "violation_type": content.get("item") or publication.case.item.name,
            "facts": facts,
            "basis": basis,
            "penalty_category": _kind_labels(kinds),
            "penalty_content": (party or {}).get("penalty") or content.get("penalty") or _kind_labels(kinds),
            "fine_10k": _ten_thousand(fine),
            "confiscation_10k": _ten_thousand(gains) if confiscates and gains else "",
            "licence_affected": "",
            "decided_on": publication.decided_on.isoformat(),
            "valid_until": LONG_TERM.isoformat(),
            "display_until": display_until(publication).isoformat(),
            **_source_columns(publication, remarks),
        })
    return rows


# --- licensing (generic; the licensing app registers its own source for "licensing") -------------


def _select_licensing(qs: QuerySet) -> QuerySet:
    return qs.filter(case__item__kind="licensing")


@export_source("licensing", label="行政许可", fields=LICENSING_FIELDS, select=_select_licensing)
def licensing_rows(publication: Publication) -> list[dict]:
    """Generic licensing rows from the publication's own fields; `content` keys named like the
    fields (certificate_name, licence_number, valid_from, valid_until…) fill the rest."""
    content = publication.content or {}
    parties = content.get("parties") or [None]
    rows = []
    for party in parties:
        identity = _party_identity(party, publication)
        remarks = [ID_WITHHELD] if identity["party_category"] == CITIZEN_LABEL else []
        rows.append({
            **identity,
            "document_name": content.get("document_name") or "行政许可决定书",
            "decision_number": publication.decision_number,
            "licence_category": content.get("licence_category") or "普通",
            "certificate_name": content.get("certificate_name") or "",
            "licence_number": content.get("licence_number") or "",
            "licence_content": content.get("licence_content") or content.get("item") or publication.title,
            "decided_on": publication.decided_on.isoformat(),
            "valid_from": content.get("valid_from") or publication.decided_on.isoformat(),
            "valid_until": content.get("valid_until") or LONG_TERM.isoformat(),
            "current_status": "有效",
            **_source_columns(publication, remarks),
        })
    return rows


# --- formats ------------------------------------------------------------------------------------

FORMATS = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
           "csv": "text/csv; charset=utf-8", "json": "application/json"}


def render(kind: str, rows: list[dict], fmt: str) -> bytes:
    """The rows as `fmt`: xlsx (one sheet, Chinese headers), csv (UTF-8 with BOM, so Excel reads
    it), json ({"kind", "fields": [{key, label}], "records": [...]})."""
    fields = source_for(kind).fields
    if fmt == "json":
        body = {"kind": kind, "label": source_for(kind).label,
                "fields": [{"key": f.key, "label": f.label} for f in fields], "records": rows}
        return json.dumps(body, ensure_ascii=False, indent=1).encode()
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow([f.label for f in fields])
        writer.writerows([[row.get(f.key, "") for f in fields] for row in rows])
        return ("\ufeff" + out.getvalue()).encode()
    if fmt == "xlsx":
        from openpyxl import Workbook

        book = Workbook()
        sheet = book.active
        sheet.title = source_for(kind).label
        sheet.append([f.label for f in fields])
        for row in rows:
            sheet.append([row.get(f.key, "") for f in fields])
        out = io.BytesIO()
        book.save(out)
        return out.getvalue()
    raise ValidationFailed(f"不支持的导出格式“{fmt}”，可选：xlsx、csv、json", field="format", code="export_format_unknown")


def filename(kind: str, fmt: str, on: dt.date) -> str:
    return f"双公示-{source_for(kind).label}-{on.isoformat()}.{fmt}"
