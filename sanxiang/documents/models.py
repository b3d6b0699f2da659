"""Enforcement documents (执法文书): generated from the standard formats, frozen once issued.

A document is never edited or deleted. Reissuing makes a new version with the same number that
points at the version it replaces; both versions and their files stay, each in the ledger.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from sanxiang.accounts.scoping import CaseScopedQuerySet
from sanxiang.common.models import Recorded


class Document(Recorded):
    """One issued version of a document: its structured content, the Word and PDF files made
    from it, and the hash of the content (logged with the files' hashes in one ledger entry)."""

    case = models.ForeignKey("cases.Case", verbose_name="案件", on_delete=models.PROTECT, related_name="documents")
    kind = models.CharField("文书种类", max_length=40)
    title = models.CharField("文书名称", max_length=60)
    # Which document of its kind within the case this is: versions of one document share it.
    # Empty for kinds a case has once (告知书, 决定书…); e.g. "serves:decision" for a 送达回证.
    subject_key = models.CharField("文书对象", max_length=80, blank=True)
    number = models.CharField("文号", max_length=80)
    version = models.PositiveIntegerField("版本", default=1)
    supersedes = models.OneToOneField("self", verbose_name="替代的版本", null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="superseded_by")
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="制作人", on_delete=models.PROTECT,
                                  related_name="+")
    issued_at = models.DateTimeField("制作时间")
    docx = models.ForeignKey("records.StoredFile", verbose_name="Word 文件", on_delete=models.PROTECT,
                             related_name="+")
    pdf = models.ForeignKey("records.StoredFile", verbose_name="PDF 文件", on_delete=models.PROTECT, related_name="+")
    extra = models.JSONField("录入内容", default=dict, blank=True)
    content = models.JSONField("文书内容")
    content_sha256 = models.CharField("内容 SHA-256", max_length=64)
    ledger_index = models.BigIntegerField("日志序号", null=True, blank=True)

    objects = CaseScopedQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "执法文书"
        ordering = ["case", "issued_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["number", "version"], name="document_number_version_once",
                                    violation_error_message="同一文号的同一版本只能有一份"),
            models.UniqueConstraint(fields=["case", "kind", "subject_key", "version"],
                                    name="document_version_once_per_subject",
                                    violation_error_message="同一文书的同一版本只能有一份"),
        ]

    def __str__(self) -> str:
        return f"{self.title} {self.number}（第{self.version}版）"

    @property
    def is_current(self) -> bool:
        """False once a later version replaced this one."""
        return not hasattr(self, "superseded_by")
