"""Publications (公示): the only thing the public portal reads. Already redacted."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from sanxiang.accounts.scoping import AgencyScopedQuerySet
from sanxiang.common.models import Recorded


class PublicationStatus(models.TextChoices):
    PENDING = "pending", "待审核公示"
    PUBLISHED = "published", "已公示"
    CORRECTED = "corrected", "已更正（被新版本替代）"
    WITHDRAWN = "withdrawn", "已撤回"
    EXPIRED = "expired", "公示期满已撤下"
    REPAIRED = "repaired", "信用修复提前撤下"


class PublicationQuerySet(AgencyScopedQuerySet):
    """Staff see the publications of their agency scope (`visible_to`); the public portal reads
    `released()` only: published rows, already redacted."""

    def released(self):
        return self.filter(status=PublicationStatus.PUBLISHED)


class Publication(Recorded):
    """A decision as published: redacted structured fields and text, with its due date.

    Created pending when the decision is made; on release, `text` and `pdf` are made from the
    issued 行政处罚决定书 (`document`, the one source of the decision's text): its redacted
    text and a PDF rendered from the redacted content by the documents' own renderer. The case
    link is kept for the staff side (to find what to publish); the portal renders only this
    row's own fields.
    """

    agency = models.ForeignKey("registry.Agency", verbose_name="公示机关", on_delete=models.PROTECT,
                               related_name="publications")
    case = models.ForeignKey("cases.Case", verbose_name="案件", on_delete=models.PROTECT,
                             related_name="publications")
    kind = models.CharField("类别", max_length=20)
    title = models.CharField("标题", max_length=200)
    decision_number = models.CharField("决定书文号", max_length=60)
    party_name = models.CharField("当事人（已脱敏）", max_length=100)
    party_kind = models.CharField("当事人类型", max_length=20)
    content = models.JSONField("公示内容（已脱敏）")
    text = models.TextField("决定书全文（已脱敏）", blank=True)
    document = models.ForeignKey("documents.Document", verbose_name="公示所依据的决定书", null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="publications")
    source_sha256 = models.CharField("决定书内容哈希", max_length=64, blank=True,
                                     help_text="所依据的决定书版本的内容 SHA-256（未脱敏原件）")
    pdf = models.ForeignKey("records.StoredFile", verbose_name="决定书公开版 PDF（已脱敏）", null=True, blank=True,
                            on_delete=models.PROTECT, related_name="+")
    decided_on = models.DateField("决定日期")
    due_on = models.DateField("公示期限", null=True, blank=True)
    due_note = models.CharField("期限说明", max_length=300, blank=True)
    status = models.CharField("状态", max_length=20, choices=PublicationStatus.choices,
                              default=PublicationStatus.PENDING, db_index=True)
    published_at = models.DateTimeField("公示时间", null=True, blank=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    content_sha256 = models.CharField("内容哈希", max_length=64)
    ledger_index = models.BigIntegerField("日志序号", null=True, blank=True)
    withdrawn_reason = models.CharField("撤回理由", max_length=200, blank=True)
    # Versions: a correction is a new row pointing at the one it replaces (never an edit of it).
    version = models.PositiveSmallIntegerField("公示版本", default=1)
    supersedes = models.ForeignKey("self", verbose_name="所更正的公示", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="successors")
    correction_reason = models.CharField("更正理由", max_length=500, blank=True)
    extra_redactions = models.JSONField("补充脱敏内容", default=list, blank=True,
                                        help_text="更正时补充遮盖的原文片段（仅内部留存，不公开）")
    # Display period (公示期), set on release from DisplayPeriod rows; the longest penalty governs.
    min_until = models.DateField("最短公示期届满日", null=True, blank=True)
    display_until = models.DateField("公示截止日", null=True, blank=True)
    period_basis = models.CharField("公示期依据", max_length=300, blank=True)
    ended_at = models.DateTimeField("停止公示时间", null=True, blank=True)

    objects = PublicationQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "公示信息"
        ordering = ["-decided_on", "-pk"]
        # The portal's lists read released rows newest first (selectors.published): these serve
        # the whole list and the per-agency list from the index, LIMIT rows in (README 门户性能).
        indexes = [
            models.Index(fields=["status", "decided_on", "id"], name="pub_status_decided"),
            models.Index(fields=["agency", "status", "decided_on", "id"], name="pub_agency_status_decided"),
            models.Index(fields=["decision_number"], name="pub_decision_number"),
        ]

    def __str__(self) -> str:
        return self.title

    def public_document(self) -> dict:
        """Exactly what the portal shows and the ledger commits to (hash = content_sha256)."""
        document = {
            "agency": self.agency.name,
            "kind": self.kind,
            "title": self.title,
            "decision_number": self.decision_number,
            "party_name": self.party_name,
            "party_kind": self.party_kind,
            "content": self.content,
            "text": self.text,
            "decided_on": self.decided_on,
        }
        if self.pdf_id:
            # Only publications released with their redacted PDF carry its hash: the documents of
            # earlier ones keep the shape their logged hash was computed from.
            document["pdf_sha256"] = self.pdf.sha256
        return document


class EventKind(models.TextChoices):
    CORRECTED = "corrected", "更正"
    WITHDRAWN = "withdrawn", "撤回"
    EXPIRED = "expired", "公示期满撤下"
    REPAIRED = "repaired", "信用修复提前撤下"


class WithdrawGround(models.TextChoices):
    """行政处罚法第四十八条第二款: the grounds on which a published decision is withdrawn."""

    CHANGED = "changed", "决定被依法变更"
    REVOKED = "revoked", "决定被依法撤销"
    UNLAWFUL = "unlawful", "决定被确认违法"
    INVALID = "invalid", "决定被确认无效"
    REMADE = "remade", "决定被撤销后重新作出"


class PublicationEvent(Recorded):
    """What happened to a publication after release: a new row each time, shown on the portal
    (the reason of a correction or withdrawal) and logged as a public ledger entry."""

    publication = models.ForeignKey(Publication, verbose_name="公示信息", on_delete=models.PROTECT,
                                    related_name="events")
    kind = models.CharField("事项", max_length=20, choices=EventKind.choices)
    reason = models.CharField("理由", max_length=500)
    ground = models.CharField("撤回情形", max_length=20, choices=WithdrawGround.choices, blank=True)
    occurred_on = models.DateField("变更、撤销等发生日期", null=True, blank=True)
    due_on = models.DateField("应撤回期限", null=True, blank=True)
    late = models.BooleanField("逾期撤回", default=False)
    replacement = models.ForeignKey(Publication, verbose_name="更正后的公示", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")
    at = models.DateTimeField("时间")
    ledger_index = models.BigIntegerField("日志序号", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "公示变更记录"
        ordering = ["at", "pk"]

    def notice(self) -> dict:
        """The public notice of this event, exactly as logged (and checked by the portal's verifier)."""
        p = self.publication
        return {
            "event": self.kind, "decision_number": p.decision_number, "reason": self.reason,
            "ground": self.get_ground_display() if self.ground else "",
            "publication_sha256": p.content_sha256, "publication_index": p.ledger_index,
            "replacement_sha256": self.replacement.content_sha256 if self.replacement_id else None,
            "at": self.at,
        }


class DisplayPeriod(Recorded):
    """公示期 as data: for a penalty kind and/or a sector, the minimum (before which no 信用修复
    take-down) and the maximum (when the job takes it down), in months. The most specific row
    matching each penalty kind of a decision applies; the longest of those governs."""

    penalty_kind = models.CharField("处罚种类", max_length=30, blank=True, help_text="留空为任何种类")
    sector = models.CharField("领域", max_length=40, blank=True,
                              help_text="如：安全生产、消防、特种设备；按事项名称和所引法律名称匹配，留空为任何领域")
    min_months = models.PositiveSmallIntegerField("最短公示期（月）")
    max_months = models.PositiveSmallIntegerField("最长公示期（月）")
    basis = models.CharField("依据", max_length=200, blank=True)
    is_active = models.BooleanField("有效", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "公示期限规则"
        ordering = ["penalty_kind", "sector", "pk"]

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.min_months is not None and self.max_months is not None and self.min_months > self.max_months:
            raise ValidationError({"min_months": "最短公示期不得长于最长公示期"}, code="period_order")

    def __str__(self) -> str:
        what = "、".join(x for x in (self.penalty_kind, self.sector) if x) or "默认"
        return f"{what}：{self.min_months}–{self.max_months}个月"


class RepairStatus(models.TextChoices):
    PENDING = "pending", "待审查"
    GRANTED = "granted", "同意提前撤下"
    REFUSED = "refused", "不予同意"


class CreditRepair(Recorded):
    """信用修复: the party's application for early take-down, and the agency's reasoned decision."""

    publication = models.ForeignKey(Publication, verbose_name="公示信息", on_delete=models.PROTECT,
                                    related_name="repairs")
    agency = models.ForeignKey("registry.Agency", verbose_name="受理机关", on_delete=models.PROTECT,
                               related_name="+")
    number = models.CharField("受理编号", max_length=40, unique=True)
    code_hash = models.CharField("查询码哈希", max_length=64)
    applicant = models.CharField("申请人", max_length=100)
    contact = models.CharField("联系方式", max_length=100)
    statement = models.TextField("修复理由（履行义务、消除影响等情况）")
    status = models.CharField("状态", max_length=20, choices=RepairStatus.choices, default=RepairStatus.PENDING)
    decision_reason = models.TextField("决定理由", blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    decided_at = models.DateTimeField("决定时间", null=True, blank=True)
    created_at = models.DateTimeField("申请时间")
    ledger_index = models.BigIntegerField("日志序号", null=True, blank=True)

    objects = AgencyScopedQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "信用修复申请"
        ordering = ["-created_at", "-pk"]


class ReportStatus(models.TextChoices):
    PENDING = "pending", "待处理"
    CORRECTED = "corrected", "已更正"
    REPLIED = "replied", "已答复（不予更正）"


class ErrorReport(Recorded):
    """审核纠错: a member of the public reports an error in a publication; the agency answers
    within the set working days, by a correction through the lifecycle or a reasoned reply."""

    publication = models.ForeignKey(Publication, verbose_name="公示信息", on_delete=models.PROTECT,
                                    related_name="error_reports")
    agency = models.ForeignKey("registry.Agency", verbose_name="处理机关", on_delete=models.PROTECT,
                               related_name="+")
    number = models.CharField("受理编号", max_length=40, unique=True)
    code_hash = models.CharField("查询码哈希", max_length=64)
    description = models.TextField("错误说明")
    contact = models.CharField("联系方式（选填）", max_length=100, blank=True)
    status = models.CharField("状态", max_length=20, choices=ReportStatus.choices, default=ReportStatus.PENDING,
                              db_index=True)
    due_on = models.DateField("答复期限", null=True, blank=True)
    due_note = models.CharField("期限说明", max_length=300, blank=True)
    reply = models.TextField("答复", blank=True)
    correction = models.ForeignKey(Publication, verbose_name="更正后的公示", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    answered_at = models.DateTimeField("答复时间", null=True, blank=True)
    created_at = models.DateTimeField("提交时间")
    ledger_index = models.BigIntegerField("日志序号", null=True, blank=True)

    objects = AgencyScopedQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "公示纠错报告"
        ordering = ["-created_at", "-pk"]
