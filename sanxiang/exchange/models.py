"""数据交换与年度报告: push endpoints and their delivery log; annual enforcement reports.

Nothing here is edited in place except a report's review/publication state (each change logged in
the ledger); a push endpoint's progress is not a column but the last successful delivery, so the
delivery log alone says where each endpoint stands.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from sanxiang.accounts.scoping import AgencyScopedQuerySet, agency_scope
from sanxiang.common.models import Recorded


class Endpoint(Recorded):
    """A higher-level platform (上级平台) the feed is pushed to: data entered by an administrator."""

    name = models.CharField("接收平台名称", max_length=100)
    url = models.URLField("接收地址", max_length=300, help_text="以 POST 推送 JSON（application/json）")
    agency = models.ForeignKey("registry.Agency", verbose_name="只推送该机关及下级（空为全部）", null=True,
                               blank=True, on_delete=models.PROTECT, related_name="+")
    auth_header = models.CharField("认证头", max_length=300, blank=True,
                                   help_text="随每次推送发送的 Authorization 头，如 Bearer xxx（由接收方提供）")
    batch_size = models.PositiveSmallIntegerField("每批条数", default=100)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "数据推送接收方"
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name

    def ledger_state(self) -> dict:
        # The secret itself stays out of the ledger: only whether one is set.
        state = super().ledger_state()
        state["auth_header"] = bool(self.auth_header)
        return state


class DeliveryStatus(models.TextChoices):
    OK = "ok", "推送成功"
    FAILED = "failed", "推送失败"


class Delivery(Recorded):
    """One push attempt to an endpoint: what was sent (cursor range), the answer, and when to retry."""

    endpoint = models.ForeignKey(Endpoint, verbose_name="接收方", on_delete=models.PROTECT, related_name="deliveries")
    attempt = models.PositiveIntegerField("连续第几次尝试", help_text="成功后重新计数")
    cursor_from = models.BigIntegerField("起始游标（不含）")
    cursor_to = models.BigIntegerField("截止游标（含）")
    items = models.PositiveIntegerField("条数")
    status = models.CharField("结果", max_length=10, choices=DeliveryStatus.choices)
    http_status = models.PositiveSmallIntegerField("HTTP 状态码", null=True, blank=True)
    error = models.CharField("错误", max_length=500, blank=True)
    started_at = models.DateTimeField("开始时间")
    duration_ms = models.PositiveIntegerField("耗时（毫秒）", default=0)
    next_attempt_at = models.DateTimeField("下次重试时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "数据推送记录"
        ordering = ["-started_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.endpoint} #{self.attempt} {self.get_status_display()}"


class ReportStatus(models.TextChoices):
    DRAFT = "draft", "待审核"
    REVIEWED = "reviewed", "已审核"
    PUBLISHED = "published", "已公布"


class AnnualReportQuerySet(AgencyScopedQuerySet):
    """Agency reports are seen within the agency scope; the deployment report (agency empty) by
    supervisors only, who see everything."""

    def scope_q(self, user) -> Q | None:
        scope = agency_scope(user)
        if scope is None:
            return Q()
        return Q(agency_id__in=scope) if scope else None

    def released(self):
        return self.filter(status=ReportStatus.PUBLISHED)


class AnnualReport(Recorded):
    """年度行政执法数据: the figures of one agency (or the whole deployment) for one year.

    Generated from the data (`figures`, with their SHA-256), reviewed by the agency head (the
    supervisor for the deployment), then published with a PDF; publishing logs the figures in a
    public ledger entry, so the published report is provable. A regeneration is a new version.
    """

    agency = models.ForeignKey("registry.Agency", verbose_name="机关（空为全部机关）", null=True, blank=True,
                               on_delete=models.PROTECT, related_name="annual_reports")
    year = models.PositiveSmallIntegerField("年度")
    version = models.PositiveSmallIntegerField("版本", default=1)
    figures = models.JSONField("数据")
    figures_sha256 = models.CharField("数据哈希", max_length=64)
    status = models.CharField("状态", max_length=20, choices=ReportStatus.choices, default=ReportStatus.DRAFT)
    generated_at = models.DateTimeField("生成时间")
    generated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                     null=True, blank=True)
    reviewed_at = models.DateTimeField("审核时间", null=True, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    null=True, blank=True)
    review_note = models.CharField("审核意见", max_length=300, blank=True)
    published_at = models.DateTimeField("公布时间", null=True, blank=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                     null=True, blank=True)
    pdf = models.ForeignKey("records.StoredFile", verbose_name="PDF", null=True, blank=True,
                            on_delete=models.PROTECT, related_name="+")
    ledger_index = models.BigIntegerField("日志序号", null=True, blank=True)

    objects = AnnualReportQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "年度行政执法数据报告"
        ordering = ["-year", "agency_id", "-version"]
        constraints = [models.UniqueConstraint(fields=["agency", "year", "version"], name="annual_report_version")]

    def __str__(self) -> str:
        return f"{self.scope_name}{self.year}年度行政执法数据（第{self.version}版）"

    @property
    def scope_name(self) -> str:
        return self.agency.name if self.agency_id else "全部执法机关"
