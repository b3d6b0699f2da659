"""监督文书: 行政执法监督通知书、意见书、建议书, made by the justice bureau within a supervision matter.

The kinds are registered with documents.kinds (register_kind) so that they are known by name and
code everywhere documents are; a case's document panel refuses them (`requires`): they are made
here, for the matter, numbered under the justice bureau's 文书字号 with their own gapless counter,
rendered by the documents renderer (Word and PDF), stored content-addressed and frozen: an issued
document is never edited, a new issue is a new row with its own number and ledger entry.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from sanxiang.accounts.models import Role
from sanxiang.common.canonical import canonical_bytes, sha256_hex
from sanxiang.common.exceptions import TransitionNotAllowed, ValidationFailed
from sanxiang.common.models import next_number
from sanxiang.documents import render
from sanxiang.documents.content import cn_date, line, paragraph, seal, signatures
from sanxiang.documents.kinds import DocumentKind, ExtraField, register_kind
from sanxiang.ledger.services import ledger_append
from sanxiang.supervision.matter_services import RULE, _require_supervisor
from sanxiang.supervision.matters import MatterDocument, MatterStatus, MatterStep

BASIS = "《行政执法监督条例》；行政执法监督工作制度"


@dataclass(frozen=True)
class MatterContext:
    matter: object
    extra: dict
    number: str
    issued_on: object
    issuer: str


def _refuse_in_case(case, extra) -> str:
    return "监督文书由司法行政部门在监督案件中制作（执法监督 › 监督案件）"


def _facts(ctx: MatterContext) -> list[dict]:
    m = ctx.matter
    about = f"你单位办理的{m.case.number}号案件（{m.case.title}）" if m.case_id else "你单位的行政执法工作"
    source = {"complaint": "根据群众投诉举报", "alert": "根据行政执法监督平台预警",
              "inspection": "在行政执法监督检查中"}[m.source]
    return [line(f"{m.agency.name}："),
            paragraph(f"{source}，本机关发现{about}存在以下问题：{m.description}")]


def build_notice(ctx: MatterContext) -> list[dict]:
    m = ctx.matter
    requirement = ctx.extra.get("requirements") or "请你单位认真核查，依法处理"
    due = cn_date(m.due_on) if m.due_on else "规定期限"
    return [*_facts(ctx),
            paragraph(f"根据{BASIS}的规定，现将该事项交由你单位办理（监督案件编号：{m.number}）。{requirement}，"
                      f"并于{due}前将核查处理情况书面反馈本机关。逾期未反馈的，本机关将予以督办。"),
            seal(ctx.issuer, cn_date(ctx.issued_on)),
            signatures(("承办机关签收", ""), ("签收日期", ""))]


def build_opinion(ctx: MatterContext) -> list[dict]:
    days = ctx.extra.get("days") or "十五"
    return [*_facts(ctx),
            paragraph(f"经审查，本机关提出以下监督意见：{ctx.extra['opinion']}"),
            paragraph(f"请你单位自收到本意见书之日起{days}日内依法纠正，并将纠正情况书面报告本机关。"
                      "对本意见书有异议的，可以自收到之日起五日内向本机关书面提出。"),
            seal(ctx.issuer, cn_date(ctx.issued_on)),
            signatures(("承办机关签收", ""), ("签收日期", ""))]


def build_suggestion(ctx: MatterContext) -> list[dict]:
    return [*_facts(ctx),
            paragraph(f"为进一步规范行政执法行为，本机关提出以下建议：{ctx.extra['suggestion']}"),
            paragraph("请你单位研究采纳，并将采纳情况书面告知本机关。"),
            seal(ctx.issuer, cn_date(ctx.issued_on)),
            signatures(("承办机关签收", ""), ("签收日期", ""))]


SUPERVISOR_ONLY = (Role.SUPERVISOR,)
MATTER_KINDS = (
    DocumentKind("supervision_notice", "行政执法监督通知书", numbering="counter", abbr="监通", single=False,
                 extra=(ExtraField("requirements", "监督要求", "text", help="不填时为“请你单位认真核查，依法处理”"),),
                 roles=SUPERVISOR_ONLY, requires=_refuse_in_case, build=build_notice, basis=BASIS),
    DocumentKind("supervision_opinion", "行政执法监督意见书", numbering="counter", abbr="监意", single=False,
                 extra=(ExtraField("opinion", "监督意见", "text", True, help="违法或不当之处及纠正要求"),
                        ExtraField("days", "纠正期限（日）", help="不填为十五日")),
                 roles=SUPERVISOR_ONLY, requires=_refuse_in_case, build=build_opinion, basis=BASIS),
    DocumentKind("supervision_suggestion", "行政执法监督建议书", numbering="counter", abbr="监建", single=False,
                 extra=(ExtraField("suggestion", "监督建议", "text", True, help="完善制度、改进执法的建议"),),
                 roles=SUPERVISOR_ONLY, requires=_refuse_in_case, build=build_suggestion, basis=BASIS),
)
KINDS_BY_CODE = {k.code: k for k in MATTER_KINDS}


def register() -> None:
    for kind in MATTER_KINDS:
        register_kind(kind)


def issuer() -> tuple[str, str]:
    """(name, 文书字号) of the justice bureau: its registry row (kind supervision), else a default."""
    from sanxiang.registry.models import Agency

    bureau = Agency.objects.filter(kind="supervision").order_by("pk").first()
    if bureau is None:
        return "司法行政部门（行政执法监督机构）", "司监"
    return bureau.name, bureau.doc_prefix or "司监"


@transaction.atomic
def matter_document_issue(*, matter, kind: str, actor, extra: dict | None = None) -> MatterDocument:
    from sanxiang.documents.services import _store
    from sanxiang.records.models import StoredFile

    _require_supervisor(actor, "监督文书")
    spec = KINDS_BY_CODE.get(kind)
    if spec is None:
        raise ValidationFailed(f"未知的监督文书种类“{kind}”", field="kind", code="kind_unknown")
    from sanxiang.supervision.matter_services import _locked

    matter = _locked(matter)
    if matter.status == MatterStatus.OPEN and kind != "supervision_notice":
        raise TransitionNotAllowed("监督案件交办后才能制作监督意见书、建议书", code="matter_not_assigned", rule=RULE)
    values = {f.name: str((extra or {}).get(f.name) or "").strip()[:3000] for f in spec.extra}
    for f in spec.extra:
        if f.required and not values[f.name]:
            raise ValidationFailed(f"《{spec.name}》须填写“{f.label}”", field=f.name, code="document_field_required")
    values = {k: v for k, v in values.items() if v}
    now = timezone.now()
    today = timezone.localdate(now)
    name, prefix = issuer()
    number = f"{prefix}{spec.abbr}〔{today.year}〕第{next_number(f'document:justice:{spec.code}:{today.year}')}号"
    blocks = spec.build(MatterContext(matter=matter, extra=values, number=number, issued_on=today, issuer=name))
    content = {"kind": spec.code, "title": spec.name, "agency": name, "number": number, "version": 1,
               "case_number": matter.number, "layout": spec.layout, "page_sign": "", "issued_on": today.isoformat(),
               "blocks": blocks}
    content_sha256 = sha256_hex(canonical_bytes(content))
    docx_file, docx_new = _store(render.render_docx(content, content_sha256), "document.docx")
    pdf_file, pdf_new = _store(render.render_pdf(content, content_sha256), "document.pdf")
    document = MatterDocument.objects.create(
        matter=matter, kind=spec.code, title=spec.name, number=number, issued_by=actor, issued_at=now,
        docx=docx_file, pdf=pdf_file, extra=values, content=content, content_sha256=content_sha256)
    stored = [f for f, new in ((docx_file, docx_new), (pdf_file, pdf_new)) if new]
    step = MatterStep.objects.create(matter=matter, action="document", action_name=f"制作{spec.name}", actor=actor,
                                     actor_role=actor.role, agency=matter.agency, at=now, text=number)
    entry = ledger_append(kind="matter.document", actor=actor, agency=matter.agency,
                          subjects=[document, step, *stored], files=[docx_file.sha256, pdf_file.sha256],
                          content={"document": content_sha256},
                          data={"matter": matter.number, "kind": spec.code, "number": number},
                          summary=f"制作{spec.name} {number}（{matter.number}）")
    MatterDocument.objects.filter(pk=document.pk).update(ledger_index=entry.index)
    MatterStep.objects.filter(pk=step.pk).update(ledger_index=entry.index)
    StoredFile.objects.filter(pk__in=[f.pk for f in stored]).update(ledger_index=entry.index)
    document.ledger_index = entry.index
    return document
