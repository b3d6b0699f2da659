"""监督平台: the dashboard's tallies (derived, rebuildable) and early warnings (recorded).

Tallies are caches of the cases, like common.Counter: plain rows, no ledger entries, kept current
by the save hooks in `tally.py` and rebuilt from the cases by `sanxiang monitoring_rebuild`.
Alert rules, alerts, their handling and the daily digests are records (Recorded, ledger).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models

from sanxiang.accounts.scoping import AgencyScopedQuerySet
from sanxiang.common.models import Recorded


class CaseTally(models.Model):
    """How many cases fall in one bucket (agency × kind × state × flags), with their fines.
    The dashboard sums these rows instead of counting a million cases."""

    agency_id = models.BigIntegerField(db_index=True)
    kind = models.CharField(max_length=20)
    state = models.CharField(max_length=40)
    final = models.BooleanField()
    decided = models.BooleanField()
    hearing_requested = models.BooleanField()
    hearing_held = models.BooleanField()
    n = models.BigIntegerField(default=0)
    fined = models.BigIntegerField(default=0)
    fine_sum = models.DecimalField(max_digits=20, decimal_places=2, default=0)

    class Meta:
        constraints = [models.UniqueConstraint(
            fields=["agency_id", "kind", "state", "final", "decided", "hearing_requested", "hearing_held"],
            name="case_tally_bucket")]

    def __str__(self) -> str:
        return f"{self.agency_id}/{self.kind}/{self.state}: {self.n}"


class MonthTally(models.Model):
    """Cases opened per agency and month (the month chart)."""

    agency_id = models.BigIntegerField(db_index=True)
    month = models.DateField()  # first day of the month the case was opened
    n = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["agency_id", "month"], name="month_tally_bucket")]

    def __str__(self) -> str:
        return f"{self.agency_id}/{self.month:%Y-%m}: {self.n}"


class PublicationTally(models.Model):
    """公示 by agency and status: published on time or late; pending by their due date (whether
    one is overdue depends on the day the dashboard is read)."""

    agency_id = models.BigIntegerField(db_index=True)
    status = models.CharField(max_length=20)
    late = models.BooleanField()
    due = models.DateField()  # pending ones: their due date; the others (and no due date): NO_DUE
    n = models.BigIntegerField(default=0)

    NO_DUE = dt.date(9999, 12, 31)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["agency_id", "status", "late", "due"],
                                               name="publication_tally_bucket")]

    def __str__(self) -> str:
        return f"{self.agency_id}/{self.status}/{self.late}/{self.due}: {self.n}"


class DueTally(models.Model):
    """Open cases by the earliest deadline they run against (本环节期限, or 决定期限 before the
    decision): overdue and due-soon are sums over a date range of these rows."""

    agency_id = models.BigIntegerField(db_index=True)
    kind = models.CharField(max_length=20)
    due = models.DateField(db_index=True)
    n = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["agency_id", "kind", "due"], name="due_tally_bucket")]

    def __str__(self) -> str:
        return f"{self.agency_id}/{self.kind}/{self.due}: {self.n}"


class ReviewTally(models.Model):
    """法制审核 opinions by agency, opinion and month (reviews are never edited, only added)."""

    agency_id = models.BigIntegerField(db_index=True)
    opinion = models.CharField(max_length=20)
    month = models.DateField()
    n = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["agency_id", "opinion", "month"], name="review_tally_bucket")]

    def __str__(self) -> str:
        return f"{self.agency_id}/{self.opinion}/{self.month:%Y-%m}: {self.n}"


class AlertStatus(models.TextChoices):
    OPEN = "open", "待处理"
    ACKNOWLEDGED = "acknowledged", "已确认"
    DISMISSED = "dismissed", "已排除"
    RESOLVED = "resolved", "已消除"


class AlertRule(Recorded):
    """One early-warning rule as data: the registered rule `code` (common.alerts.ALERT_RULES),
    its threshold and whether it runs. Set by administrators (services.alert_rule_set)."""

    code = models.CharField("规则代码", max_length=60, unique=True)
    name = models.CharField("规则名称", max_length=100)
    threshold = models.DecimalField("阈值", max_digits=14, decimal_places=2, null=True, blank=True)
    threshold_label = models.CharField("阈值含义", max_length=60, blank=True)
    basis = models.CharField("依据", max_length=200, blank=True)
    severity = models.CharField("级别", max_length=20, default="warning")
    enabled = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "预警规则"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"


class AlertQuerySet(AgencyScopedQuerySet):
    """Supervisors see every alert; agency staff the alerts of their agency tree; administrators
    none (alerts name cases). Deployment-wide alerts (no agency) are the supervisors'."""

    def scope_q(self, user):
        from django.db.models import Q

        from sanxiang.accounts.scoping import agency_q

        q = agency_q(user, "agency_id")
        if q is None:
            return None
        if q == Q():
            return q
        mine = AlertRecipient.objects.filter(user_id=user.pk).values("alert_id")
        return q | Q(pk__in=mine)


class Alert(Recorded):
    """One finding of one rule, stored once (rule, subject, key): a re-run finds it again and
    leaves it as it is."""

    rule = models.ForeignKey(AlertRule, verbose_name="预警规则", on_delete=models.PROTECT, related_name="alerts")
    subject = models.CharField("预警对象", max_length=80)  # ledger ref, e.g. cases.case:12
    key = models.CharField("区分", max_length=80, blank=True)
    agency = models.ForeignKey("registry.Agency", verbose_name="机关", null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey("cases.Case", verbose_name="案件", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+")
    text = models.CharField("预警内容", max_length=500)
    due = models.DateField("期限", null=True, blank=True)
    severity = models.CharField("级别", max_length=20, default="warning")
    found_on = models.DateField("发现日期")
    status = models.CharField("状态", max_length=20, choices=AlertStatus.choices, default=AlertStatus.OPEN,
                              db_index=True)
    handled_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="处理人", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    handled_at = models.DateTimeField("处理时间", null=True, blank=True)
    reason = models.CharField("处理理由", max_length=300, blank=True)

    objects = AlertQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "预警"
        ordering = ["-found_on", "-pk"]
        constraints = [models.UniqueConstraint(fields=["rule", "subject", "key"], name="alert_once_per_finding")]

    def __str__(self) -> str:
        return self.text


class AlertRecipient(Recorded):
    """Whose workbench shows the alert (the case's officers, the agency's heads, supervisors)."""

    alert = models.ForeignKey(Alert, on_delete=models.PROTECT, related_name="recipients")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["alert", "user"], name="alert_recipient_once")]

    def __str__(self) -> str:
        return f"{self.alert_id} → {self.user_id}"


class Digest(Recorded):
    """The daily digest of one user: the open alerts addressed to them that day."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="接收人", on_delete=models.PROTECT,
                             related_name="+")
    day = models.DateField("日期")
    alert_ids = models.JSONField("预警", default=list)
    text = models.TextField("摘要")
    emailed = models.BooleanField("已发送邮件", default=False)
    made_at = models.DateTimeField("生成时间")

    class Meta:
        verbose_name = verbose_name_plural = "预警日报"
        ordering = ["-day", "user_id"]
        constraints = [models.UniqueConstraint(fields=["user", "day"], name="digest_once_per_day")]

    def __str__(self) -> str:
        return f"{self.day} {self.user_id}"
