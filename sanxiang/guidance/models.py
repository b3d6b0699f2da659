"""Law database (法律法规库): laws imported from texts, article by article."""

from __future__ import annotations

from django.db import models

from sanxiang.common.models import Recorded


class Law(Recorded):
    title = models.CharField("名称", max_length=200)
    short_title = models.CharField("简称", max_length=200, db_index=True)
    version_date = models.DateField("版本日期")
    history = models.JSONField("制定修改沿革", default=list)
    source_sha256 = models.CharField("原文哈希", max_length=64)

    class Meta:
        verbose_name = verbose_name_plural = "法律法规"
        ordering = ["short_title"]
        constraints = [models.UniqueConstraint(fields=["title", "version_date"], name="law_version_unique")]

    def __str__(self) -> str:
        return f"{self.title}（{self.version_date}）"


class Article(Recorded):
    """One article (条) with its paragraphs (款)."""

    law = models.ForeignKey(Law, on_delete=models.PROTECT, related_name="articles")
    number = models.PositiveIntegerField("条")
    suffix = models.PositiveSmallIntegerField("之X", default=0)
    label = models.CharField("条号", max_length=30)
    chapter = models.CharField("章", max_length=100, blank=True)
    text = models.TextField("条文")

    class Meta:
        verbose_name = verbose_name_plural = "条文"
        ordering = ["law", "number", "suffix"]
        constraints = [models.UniqueConstraint(fields=["law", "number", "suffix"], name="article_unique")]

    def __str__(self) -> str:
        return f"{self.law.short_title}{self.label}"
