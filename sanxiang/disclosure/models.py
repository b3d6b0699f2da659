"""Publications (公示): the only thing the public portal reads. Already redacted."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from sanxiang.accounts.scoping import AgencyScopedQuerySet
from sanxiang.common.models import Recorded


class PublicationStatus(models.TextChoices):
    PENDING = "pending", "待审核公示"
    PUBLISHED = "published", "已公示"
    WITHDRAWN = "withdrawn", "已撤回"


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
