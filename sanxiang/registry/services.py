"""Registry services: defaults, and the writes behind the admin, the API and the importers."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

from django.db import transaction

from sanxiang.common.services import record_save
from sanxiang.registry.models import Flow, Parameter
from sanxiang.registry.params import DEFAULTS

FLOW_DIR = Path(__file__).resolve().parent.parent / "cases" / "flows"


@transaction.atomic
def defaults_install(*, actor="system") -> list[str]:
    """Install the shipped flows and default statutory figures that are not there yet."""
    from sanxiang.cases.engine import FlowDefinitionError, validate_definition

    done = []
    for path in sorted(FLOW_DIR.glob("*.json")):
        definition = json.loads(path.read_text(encoding="utf-8"))
        existing = Flow.objects.filter(code=definition["code"]).first()
        if existing is None:
            record_save(Flow(code=definition["code"], name=definition["name"], kind=definition["kind"],
                             definition=definition), actor=actor)
            done.append(f"流程 {definition['name']}")
            continue
        # A flow stored by an earlier release that names rules this engine no longer has cannot
        # run at all: it is replaced by the shipped definition (logged). A flow that still parses
        # is the administrator's and is kept as it is.
        try:
            validate_definition(existing.definition)
        except FlowDefinitionError as exc:
            existing.definition = definition
            record_save(existing, actor=actor, summary=f"更新流程定义 {definition['name']}（原定义无法执行：{exc}）")
            done.append(f"流程 {definition['name']}（已更新）")
    for key, (value, unit, label, source) in DEFAULTS.items():
        if not Parameter.objects.filter(agency__isnull=True, key=key).exists():
            record_save(Parameter(key=key, value=Decimal(value), unit=unit, label=label, source=source), actor=actor)
            done.append(f"参数 {label}")
    from sanxiang.disclosure.periods import display_periods_install

    return done + display_periods_install(actor=actor)


# The standard 音像记录事项清单 (指导意见: 查封扣押、强制拆除等直接涉及人身自由、生命健康、重大财产权益的
# 现场执法活动和执法办案场所，要推行全程音像记录；现场检查、抽样取证、听证、留置送达和公告送达等
# 容易引发争议的环节，应当根据实际情况进行音像记录). Step codes refer to the shipped flows.
AV_DEFAULTS = [
    {"name": "现场检查、抽样取证、证据先行登记保存", "flow_code": "penalty_general", "step_code": "investigation",
     "description": "调查取证环节须上传执法记录仪音像记录"},
    {"name": "听证", "flow_code": "penalty_general", "step_code": "hearing", "description": "听证过程全程录音录像"},
    {"name": "留置送达、公告送达", "flow_code": "penalty_general", "step_code": "service",
     "when_field": "service_method", "when_values": ["lien", "public_notice"],
     "description": "留置送达、公告送达过程须音像记录"},
    {"name": "当场处罚（现场执法）", "flow_code": "penalty_simple", "step_code": "on_spot",
     "description": "当场作出处罚决定的现场执法活动须音像记录"},
    {"name": "现场检查（行政检查）", "flow_code": "inspection_general", "step_code": "onsite",
     "description": "现场检查一律全程录像"},
]


@transaction.atomic
def av_list_install(*, agency, actor="system") -> list:
    """Give an agency the standard audio-video recording list (entries it already has are kept)."""
    from sanxiang.registry.models import AvRequirement

    created = []
    for spec in AV_DEFAULTS:
        if AvRequirement.objects.filter(agency=agency, flow_code=spec["flow_code"], step_code=spec["step_code"],
                                        name=spec["name"]).exists():
            continue
        created.append(record_save(AvRequirement(agency=agency, **spec), actor=actor, agency=agency))
    return created


# --- structured legal basis -------------------------------------------------------------------------

CITATION_FIELDS = ("role", "law", "article", "suffix", "paragraph", "item_no", "penalty_kinds", "fine_basis",
                   "citizen_min", "citizen_max", "org_min", "org_max", "multiple_min", "multiple_max", "base_label",
                   "base_floor")


def citation_build(*, item, role: str, law, article: int, suffix: int = 0, paragraph: int | None = None,
                   item_no: int | None = None, position: int = 0, prefix: str = "", **range_fields):
    """An unsaved, validated citation row: the law must be in the law database and the cited
    条/款/项 must exist in it; a refusal names the field (with `prefix`, e.g. "citations.2.")."""
    from django.core.exceptions import ValidationError

    from sanxiang.common.exceptions import ValidationFailed
    from sanxiang.common.services import validation_failed_from
    from sanxiang.guidance.models import Law
    from sanxiang.guidance.services import law_find
    from sanxiang.registry.models import LegalBasis

    law_row = law if isinstance(law, Law) else law_find(str(law or ""))
    if law_row is None:
        raise ValidationFailed(f"法律法规库中没有《{str(law or '').strip('《》')}》，请核对名称或先导入该法律文本",
                               field=f"{prefix}law", code="law_unknown")
    unknown = set(range_fields) - set(CITATION_FIELDS)
    if unknown:
        raise ValidationFailed(f"未知的字段：{'、'.join(sorted(unknown))}", field=prefix.rstrip(".") or None,
                               code="field_unknown")
    row = LegalBasis(item=item, role=role, law=law_row, article=article, suffix=suffix or 0, paragraph=paragraph or None,
                     item_no=item_no or None, position=position, **range_fields)
    try:
        row.full_clean(exclude=["item"] if item is None or item.pk is None else None)
    except ValidationError as exc:
        failed = validation_failed_from(exc)
        raise ValidationFailed(failed.message, field=f"{prefix}{failed.field}" if failed.field else None,
                               code=failed.code) from exc
    return row


@transaction.atomic
def item_citations_set(*, item, citations: list[dict], actor) -> list:
    """Replace an item's citations with checked rows (the previous rows stay in the ledger)."""
    from sanxiang.ledger.services import ledger_append

    rows = [citation_build(item=item, position=i, prefix=f"citations.{i}.", **c) for i, c in enumerate(citations)]
    message = check_citation_roles(item.kind, [r.role for r in rows])
    if message:
        from sanxiang.common.exceptions import ValidationFailed

        raise ValidationFailed(message, field="citations", code="citations_incomplete")
    retired = citations_retire(item)
    for row in rows:
        row.item = item
        row.save()
    ledger_append(kind="registry.item_citations", actor=actor, agency=item.agency, subjects=[item, *retired, *rows],
                  summary=f"登记法律依据：{item}（{len(rows)}项）")
    return rows


def check_citation_roles(kind: str, roles: list[str]) -> str:
    """Why a set of citations is incomplete for an item of `kind` ("" when it is complete)."""
    from sanxiang.registry.choices import ActionKind, CitationRole

    if CitationRole.VIOLATION not in roles:
        return "执法事项须至少登记一项设定依据（违法依据），且须为法律法规库中已有的条文"
    if kind == ActionKind.PENALTY and CitationRole.PENALTY not in roles:
        return "行政处罚事项须至少登记一项处罚依据（行政处罚法第四条：处罚依据须为法律、法规、规章的规定）"
    return ""


def citations_retire(item, rows=None) -> list:
    """Mark an item's citations (or `rows`) as no longer in force; the caller logs them."""
    from sanxiang.registry.models import LegalBasis

    ids = [r.pk for r in rows] if rows is not None else list(
        LegalBasis.current.filter(item=item).values_list("pk", flat=True))
    LegalBasis.objects.filter(pk__in=ids).update(is_current=False)
    return list(LegalBasis.objects.filter(pk__in=ids))


def citations_from_text(text: str, role: str) -> list[dict]:
    """《法名》第X条第Y款第（Z）项… → citation dicts for item_citations_set (not yet checked)."""
    from sanxiang.guidance.lawtext import parse_citation

    return [{"role": role, "law": c.law_title, "article": c.article, "suffix": c.suffix, "paragraph": c.paragraph,
             "item_no": c.item} for c in parse_citation(text or "")]
