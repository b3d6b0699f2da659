"""案卷评查 (dossier evaluation): scoring templates as data, rounds drawn at random, scores item by
item, rectification the agency must answer, and published summaries.

A template's items are the rules an evaluator scores against; the one shipped
(evaluation.standard) follows the shape of the provincial 行政处罚案卷评查标准 (100 points in seven
parts, with 否决项 that make a dossier 不合格 whatever its points). An administrator may change it
in the admin; a template already used by a round is frozen (its scores must keep meaning what
they meant), so a change is a new template.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models

from sanxiang.accounts.scoping import AgencyScopedQuerySet
from sanxiang.common.models import Recorded


class ScoringTemplate(Recorded):
    code = models.SlugField("代码", max_length=40, unique=True)
    name = models.CharField("名称", max_length=100)
    kind = models.CharField("适用执法类别", max_length=20, default="penalty")
    basis = models.CharField("参照标准", max_length=200, blank=True)
    excellent = models.DecimalField("优秀分数线", max_digits=5, decimal_places=1, default=Decimal(90))
    good = models.DecimalField("良好分数线", max_digits=5, decimal_places=1, default=Decimal(80))
    passing = models.DecimalField("合格分数线", max_digits=5, decimal_places=1, default=Decimal(60))
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "评查标准"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    @property
    def total(self) -> Decimal:
        return sum((i.points for i in self.items.filter(is_veto=False)), Decimal(0))

    def grade(self, score: Decimal, vetoed: bool) -> str:
        if vetoed or score < self.passing:
            return Grade.FAIL
        if score >= self.excellent:
            return Grade.EXCELLENT
        if score >= self.good:
            return Grade.GOOD
        return Grade.PASS


class TemplateItem(Recorded):
    template = models.ForeignKey(ScoringTemplate, verbose_name="评查标准", on_delete=models.PROTECT,
                                 related_name="items")
    order = models.PositiveIntegerField("序号")
    part = models.CharField("评查项目", max_length=40, help_text="如 执法主体、事实证据、法律适用、执法程序…")
    text = models.TextField("评查内容")
    points = models.DecimalField("分值", max_digits=5, decimal_places=1, default=Decimal(0))
    is_veto = models.BooleanField("否决项", default=False,
                                  help_text="存在该情形的案卷直接评为不合格（分值不计）")

    class Meta:
        verbose_name = verbose_name_plural = "评查标准条目"
        ordering = ["template_id", "order"]
        constraints = [models.UniqueConstraint(fields=["template", "order"], name="template_item_order_once")]

    def __str__(self) -> str:
        return f"{self.order}. {self.text[:30]}"


class Grade(models.TextChoices):
    EXCELLENT = "excellent", "优秀"
    GOOD = "good", "良好"
    PASS = "pass", "合格"
    FAIL = "fail", "不合格"


class RoundState(models.TextChoices):
    SCORING = "scoring", "评查中"
    CONCLUDED = "concluded", "评查结束"
    PUBLISHED = "published", "已公布"


class EvaluationRound(Recorded):
    """一次评查活动: the agencies, the ratio, the template, and the verifiable draw of its sample."""

    title = models.CharField("名称", max_length=200)
    year = models.PositiveIntegerField("评查年度")
    template = models.ForeignKey(ScoringTemplate, verbose_name="评查标准", on_delete=models.PROTECT,
                                 related_name="rounds")
    ratio = models.DecimalField("抽取比例", max_digits=4, decimal_places=3)
    minimum = models.PositiveIntegerField("每机关至少抽取", default=1)
    period_start = models.DateField("归档日期起")
    period_end = models.DateField("归档日期止")
    draw = models.OneToOneField("draws.Draw", verbose_name="随机抽取", null=True, blank=True,
                                on_delete=models.PROTECT, related_name="evaluation_round")
    state = models.CharField("状态", max_length=20, choices=RoundState.choices, default=RoundState.SCORING)
    summary = models.TextField("评查通报", blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="组织人", on_delete=models.PROTECT,
                                   related_name="+")
    published_at = models.DateTimeField("公布时间", null=True, blank=True)
    ledger_index = models.BigIntegerField("日志序号", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "评查活动"
        ordering = ["-year", "-pk"]

    def __str__(self) -> str:
        return self.title


class FileQuerySet(AgencyScopedQuerySet):
    agency_path = "case__agency_id"


class EvaluatedFile(Recorded):
    """One sampled dossier, its evaluator, and the score once submitted (never edited after)."""

    round = models.ForeignKey(EvaluationRound, verbose_name="评查活动", on_delete=models.PROTECT,
                              related_name="files")
    case = models.ForeignKey("cases.Case", verbose_name="案卷", on_delete=models.PROTECT, related_name="evaluations")
    evaluator = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="评查人", on_delete=models.PROTECT,
                                  related_name="+")
    score = models.DecimalField("得分", max_digits=5, decimal_places=1, null=True, blank=True)
    vetoed = models.BooleanField("触及否决项", default=False)
    grade = models.CharField("等次", max_length=20, choices=Grade.choices, blank=True)
    comment = models.TextField("评查意见", blank=True)
    scored_at = models.DateTimeField("评查时间", null=True, blank=True)
    ledger_index = models.BigIntegerField("日志序号", null=True, blank=True)

    objects = FileQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "评查案卷"
        ordering = ["round_id", "case__agency__code", "case__number"]
        constraints = [models.UniqueConstraint(fields=["round", "case"], name="evaluated_file_once_per_round")]

    def __str__(self) -> str:
        return f"{self.round} · {self.case.number}"


class ItemScore(Recorded):
    file = models.ForeignKey(EvaluatedFile, verbose_name="评查案卷", on_delete=models.PROTECT, related_name="scores")
    item = models.ForeignKey(TemplateItem, verbose_name="评查条目", on_delete=models.PROTECT, related_name="+")
    points = models.DecimalField("得分", max_digits=5, decimal_places=1, default=Decimal(0))
    triggered = models.BooleanField("存在否决情形", default=False)
    note = models.CharField("扣分理由", max_length=500, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "评查条目得分"
        ordering = ["file_id", "item__order"]


class RectificationState(models.TextChoices):
    REQUESTED = "requested", "待整改"
    ANSWERED = "answered", "已反馈"
    ACCEPTED = "accepted", "整改完成"
    RETURNED = "returned", "退回重新整改"


class RectificationQuerySet(AgencyScopedQuerySet):
    agency_path = "file__case__agency_id"


class Rectification(Recorded):
    """整改通知: what the evaluation found wrong, the deadline, and the agency's answer."""

    file = models.ForeignKey(EvaluatedFile, verbose_name="评查案卷", on_delete=models.PROTECT,
                             related_name="rectifications")
    request = models.TextField("整改要求")
    due_on = models.DateField("整改期限")
    state = models.CharField("状态", max_length=20, choices=RectificationState.choices,
                             default=RectificationState.REQUESTED)
    answer = models.TextField("整改情况", blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="反馈人", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    answered_at = models.DateTimeField("反馈时间", null=True, blank=True)
    review_note = models.TextField("审核意见", blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="通知人", on_delete=models.PROTECT,
                                     related_name="+")

    objects = RectificationQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "评查整改"
        ordering = ["due_on", "pk"]
