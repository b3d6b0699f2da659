"""Records (全过程记录): evidence files stored by content hash, attached at a case step."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from sanxiang.common.models import Recorded


class EvidenceKind(models.TextChoices):
    PHOTO = "photo", "照片"
    VIDEO = "video", "视频"
    AUDIO = "audio", "录音"
    DOCUMENT = "document", "书证/扫描件"
    ELECTRONIC = "electronic", "电子数据"
    OTHER = "other", "其他"


class StoredFile(Recorded):
    """Content-addressed blob: stored once under its SHA-256, never overwritten or deleted."""

    sha256 = models.CharField("SHA-256", max_length=64, unique=True)
    size = models.BigIntegerField("字节数")
    storage_name = models.CharField("存储路径", max_length=200)
    created_at = models.DateTimeField("首次存储时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "存储文件"


class Evidence(Recorded):
    """A piece of evidence attached to a case at a step."""

    case = models.ForeignKey("cases.Case", verbose_name="案件", on_delete=models.PROTECT, related_name="evidence")
    step = models.CharField("环节", max_length=40)
    kind = models.CharField("类型", max_length=20, choices=EvidenceKind.choices)
    file = models.ForeignKey(StoredFile, verbose_name="文件", on_delete=models.PROTECT, related_name="uses")
    original_name = models.CharField("原文件名", max_length=200)
    content_type = models.CharField("MIME类型", max_length=100, blank=True)
    description = models.CharField("说明", max_length=500, blank=True)
    captured_at = models.DateTimeField("采集时间", null=True, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)
    supersedes = models.ForeignKey("self", verbose_name="更正的证据", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="superseded_by")

    class Meta:
        verbose_name = verbose_name_plural = "证据"
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.original_name}"
