"""行政强制: the things seized (清单) and the link from an unpaid fine to its enforcement case.

The case itself, its steps and dates are the engine's (cases.Case, state and data); these rows
hold what the engine's Case has no place for. Rows are written once (a new seizure act writes new
rows) and logged with the transition that made them.
"""

from __future__ import annotations

from django.db import models

from sanxiang.accounts.scoping import CaseScopedQuerySet
from sanxiang.common.models import Recorded


class SeizedThing(Recorded):
    """One line of the 查封扣押清单 (《行政强制法》第二十四条): name, quantity, unit, condition."""

    case = models.ForeignKey("cases.Case", verbose_name="案件", on_delete=models.PROTECT, related_name="seized_things")
    order = models.PositiveSmallIntegerField("序号")
    name = models.CharField("名称", max_length=100)
    quantity = models.DecimalField("数量", max_digits=14, decimal_places=3)
    unit = models.CharField("单位", max_length=20)
    condition = models.CharField("状况", max_length=200)
    remark = models.CharField("备注", max_length=200, blank=True)
    event_action = models.CharField("登记操作", max_length=40)

    objects = CaseScopedQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "查封扣押物品"
        ordering = ["case", "order", "pk"]

    def __str__(self) -> str:
        return f"{self.name} {self.quantity.normalize():f}{self.unit}"


class EnforcementOrigin(Recorded):
    """An enforcement case opened from a penalty case whose fine was not paid in time
    (《行政强制法》第三十五条、第四十五条): the amount and the 加处罚款 carried over, capped at the fine."""

    case = models.OneToOneField("cases.Case", verbose_name="强制执行案件", on_delete=models.PROTECT,
                                related_name="enforcement_origin")
    penalty_case = models.OneToOneField("cases.Case", verbose_name="处罚案件", on_delete=models.PROTECT,
                                        related_name="enforcement_follow_up")
    fine_amount = models.DecimalField("罚款金额（元）", max_digits=14, decimal_places=2)
    surcharge = models.DecimalField("加处罚款（元）", max_digits=14, decimal_places=2)
    surcharge_days = models.PositiveIntegerField("逾期天数")
    computed_on = models.DateField("计算日期")
    payment_due = models.DateField("缴款期限")

    objects = CaseScopedQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "罚款强制执行来源"

    def __str__(self) -> str:
        return f"{self.penalty_case.number} → {self.case.number}"

    @property
    def total(self):
        return self.fine_amount + self.surcharge
