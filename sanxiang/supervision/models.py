"""调阅监督: every look at a record by staff is itself a record, logged in the ledger."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from sanxiang.accounts.scoping import AgencyScopedQuerySet
from sanxiang.common.models import Recorded


class AccessAction(models.TextChoices):
    VIEW = "view", "查看"
    DOWNLOAD = "download", "下载"
    EXPORT = "export", "导出"


class AccessLogQuerySet(AgencyScopedQuerySet):
    """Looks at the records of the agencies in the user's scope. A look at restricted evidence the
    user may not open is left out: its label names the file."""

    def scope_q(self, user):
        from django.db.models import CharField, Value
        from django.db.models.functions import Cast, Concat

        from sanxiang.records.models import Evidence

        scope = super().scope_q(user)
        if scope is None:
            return None
        withheld = Evidence.objects.withheld_from(user).annotate(
            ref=Concat(Value("records.evidence:"), Cast("pk", CharField()), output_field=CharField())).values("ref")
        return scope & ~models.Q(target__in=withheld)


class AccessLog(Recorded):
    """Who looked at what, when and why. Written only by supervision.services.access_record."""

    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="调阅人", on_delete=models.PROTECT,
                              related_name="+")
    actor_role = models.CharField("角色", max_length=20)
    agency = models.ForeignKey("registry.Agency", verbose_name="案件所属机关", on_delete=models.PROTECT,
                               related_name="+")
    case = models.ForeignKey("cases.Case", verbose_name="案件", on_delete=models.PROTECT, related_name="access_log")
    target = models.CharField("调阅对象", max_length=80, help_text="如 records.evidence:12")
    target_label = models.CharField("对象说明", max_length=200)
    action = models.CharField("方式", max_length=20, choices=AccessAction.choices)
    reason = models.CharField("调阅事由", max_length=200, blank=True)
    flagged = models.BooleanField("涉密/商业秘密/个人隐私材料", default=False)
    at = models.DateTimeField("时间")
    ledger_index = models.BigIntegerField("日志序号", null=True, blank=True)

    objects = AccessLogQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "调阅记录"
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.actor} {self.get_action_display()} {self.target_label}"


from sanxiang.supervision.matters import (  # noqa: E402,F401  (models of this app live in two modules)
    Complaint,
    ComplaintStep,
    Matter,
    MatterDocument,
    MatterStep,
)
