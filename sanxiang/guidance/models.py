"""Law database (法律法规库): laws imported from texts, article by article."""

from __future__ import annotations

from django.db import models

from sanxiang.common.models import Recorded
from sanxiang.guidance.choices import Tier


class Law(Recorded):
    """A law, regulation or rule in one version (法律法规库), imported from its text."""

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


class Benchmark(Recorded):
    """裁量基准: one version of an agency's discretion benchmark for one enforcement item.

    Versions are never edited: a change is a new version with a later effective date
    (services.benchmark_publish), so a decision can always name the rule it applied. The portal
    publishes the same rows the engine suggests from (行政处罚法第三十四条: 裁量基准应当向社会公布).
    """

    agency = models.ForeignKey("registry.Agency", verbose_name="制定机关", on_delete=models.PROTECT,
                               related_name="benchmarks")
    item = models.ForeignKey("registry.EnforcementItem", verbose_name="执法事项", on_delete=models.PROTECT,
                             related_name="benchmarks")
    version = models.PositiveIntegerField("版本号")
    effective_from = models.DateField("施行日期")
    title = models.CharField("基准名称", max_length=200)
    document_no = models.CharField("文号", max_length=100, blank=True)
    note = models.TextField("说明", blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "行政处罚裁量基准"
        ordering = ["item__agency__code", "item__code", "-version"]
        constraints = [models.UniqueConstraint(fields=["item", "version"], name="benchmark_version_unique",
                                               violation_error_message="同一事项的裁量基准版本号不得重复")]

    def __str__(self) -> str:
        return f"{self.title}（第{self.version}版，{self.effective_from}施行）"

    @property
    def label(self) -> str:
        """How a decision cites it: title, document number, version, effective date."""
        no = f"（{self.document_no}）" if self.document_no else ""
        return f"{self.title}{no}第{self.version}版（{self.effective_from:%Y年%m月%d日}施行）"


class BenchmarkTier(Recorded):
    """One tier (阶次) of a benchmark version: the fine range and penalty kinds it calls for.

    Amounts are per party type (公民 / 法人或者其他组织); for provisions that fine a multiple of
    illegal gains (违法所得倍数), the multiples. An empty range means the tier imposes no fine.
    """

    benchmark = models.ForeignKey(Benchmark, on_delete=models.PROTECT, related_name="tiers")
    tier = models.CharField("裁量阶次", max_length=20, choices=Tier.choices)
    description = models.CharField("适用情形", max_length=300)
    penalty_kinds = models.JSONField("处罚种类", default=list, blank=True)
    citizen_min = models.DecimalField("公民罚款下限（元）", max_digits=14, decimal_places=2, null=True, blank=True)
    citizen_max = models.DecimalField("公民罚款上限（元）", max_digits=14, decimal_places=2, null=True, blank=True)
    org_min = models.DecimalField("单位罚款下限（元）", max_digits=14, decimal_places=2, null=True, blank=True)
    org_max = models.DecimalField("单位罚款上限（元）", max_digits=14, decimal_places=2, null=True, blank=True)
    multiple_min = models.DecimalField("倍数下限", max_digits=8, decimal_places=2, null=True, blank=True)
    multiple_max = models.DecimalField("倍数上限", max_digits=8, decimal_places=2, null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "裁量阶次"
        ordering = ["benchmark", "pk"]
        constraints = [models.UniqueConstraint(fields=["benchmark", "tier"], name="benchmark_tier_once",
                                               violation_error_message="同一版本的裁量阶次不得重复")]

    def __str__(self) -> str:
        return self.get_tier_display()

    @staticmethod
    def _span(low, high, unit: str = "") -> str:
        from sanxiang.registry.models import yuan

        def show(v):
            return f"{v.normalize():f}{unit}" if unit else yuan(v)

        if low is None and high is None:
            return "—"
        if low and high is not None:
            return f"{show(low)}至{show(high)}"
        return f"{show(high)}以下" if high is not None else f"{show(low)}以上"

    @property
    def citizen_text(self) -> str:
        return self._span(self.citizen_min, self.citizen_max)

    @property
    def org_text(self) -> str:
        return self._span(self.org_min, self.org_max)

    @property
    def multiple_text(self) -> str:
        return self._span(self.multiple_min, self.multiple_max, "倍")

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        for low, high in (("citizen_min", "citizen_max"), ("org_min", "org_max"), ("multiple_min", "multiple_max")):
            a, b = getattr(self, low), getattr(self, high)
            if a is not None and b is not None and a > b:
                raise ValidationError({low: "下限不得高于上限"})


class BenchmarkCircumstance(Recorded):
    """A circumstance (情节) of a benchmark version and the tier it selects, with its basis."""

    benchmark = models.ForeignKey(Benchmark, on_delete=models.PROTECT, related_name="circumstances")
    code = models.SlugField("情节代码", max_length=40)
    label = models.CharField("情节", max_length=200)
    tier = models.CharField("适用阶次", max_length=20, choices=Tier.choices)
    rule = models.CharField("依据", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "裁量情节"
        ordering = ["benchmark", "pk"]
        constraints = [models.UniqueConstraint(fields=["benchmark", "code"], name="benchmark_circumstance_once",
                                               violation_error_message="同一版本的情节代码不得重复")]

    def __str__(self) -> str:
        return self.label
