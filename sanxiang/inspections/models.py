"""行政检查与双随机、一公开: the 随机抽查事项清单, the pools, plans, tasks and published results.

The draw itself is a `draws.Draw` (generic, verifiable); a plan names its draws by subject
"inspections.plan:<pk>". Every row here is written by `inspections.services` with a ledger entry;
a plan's draw is never edited (a redraw is a new Draw with its reason).
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from sanxiang.accounts.scoping import AgencyScopedQuerySet, CaseScopedQuerySet
from sanxiang.common.idnumbers import IdNumberError, validate_uscc
from sanxiang.common.models import Recorded


class RiskGrade(models.TextChoices):
    """信用风险分类 (A 低风险 … D 高风险): the strata of a draw."""

    A = "A", "A类（低风险）"
    B = "B", "B类（一般风险）"
    C = "C", "C类（较高风险）"
    D = "D", "D类（高风险）"


class CheckMethod(models.TextChoices):
    ONSITE = "onsite", "现场检查"
    DOCUMENTS = "documents", "书面检查"
    ONLINE = "online", "网络监测"


class CheckItem(Recorded):
    """随机抽查事项清单 entry (published): what is checked, on what basis, how often and how much."""

    agency = models.ForeignKey("registry.Agency", verbose_name="抽查主体", on_delete=models.PROTECT,
                               related_name="check_items")
    item = models.ForeignKey("registry.EnforcementItem", verbose_name="行政检查事项", on_delete=models.PROTECT,
                             related_name="check_items")
    name = models.CharField("抽查事项", max_length=200)
    basis = models.TextField("抽查依据")
    targets = models.CharField("抽查对象", max_length=200)
    content = models.TextField("检查内容")
    ratio = models.CharField("抽查比例", max_length=100, help_text="如：A类3%、B类5%、C类10%、D类20%")
    method = models.CharField("抽查方式", max_length=20, choices=CheckMethod.choices, default=CheckMethod.ONSITE)
    frequency = models.CharField("抽查频次", max_length=100, help_text="如：每年不少于1次")
    is_active = models.BooleanField("有效", default=True)

    objects = AgencyScopedQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "随机抽查事项清单"
        ordering = ["agency__code", "pk"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.item_id and self.item.kind != "inspection":
            raise ValidationError({"item": "随机抽查事项须对应执法类别为“行政检查”的执法事项"})
        if self.item_id and self.agency_id and self.item.agency_id != self.agency_id:
            raise ValidationError({"item": "执法事项须属于抽查主体本机关"})


def _uscc(value: str) -> None:
    try:
        validate_uscc(value)
    except IdNumberError as exc:
        raise ValidationError(str(exc), code=exc.code) from exc


class MarketEntity(Recorded):
    """检查对象名录库: a market entity an agency may draw for inspection (imported from Excel)."""

    agency = models.ForeignKey("registry.Agency", verbose_name="监管机关", on_delete=models.PROTECT,
                               related_name="market_entities")
    name = models.CharField("名称", max_length=200)
    uscc = models.CharField("统一社会信用代码", max_length=18, validators=[_uscc])
    address = models.CharField("住所（经营场所）", max_length=200)
    category = models.CharField("类别", max_length=100)
    risk_grade = models.CharField("风险等级", max_length=1, choices=RiskGrade.choices)
    legal_representative = models.CharField("法定代表人（负责人）", max_length=40, blank=True)
    is_active = models.BooleanField("在库", default=True)

    objects = AgencyScopedQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "检查对象名录库"
        ordering = ["agency__code", "uscc"]
        constraints = [models.UniqueConstraint(fields=["agency", "uscc"], name="entity_once_per_agency",
                                               violation_error_message="同一机关的名录库中统一社会信用代码不得重复")]

    def __str__(self) -> str:
        return f"{self.name}（{self.uscc}）"

    def party_data(self) -> dict:
        return {"kind": "legal_person", "name": self.name, "uscc": self.uscc, "address": self.address,
                "legal_representative": self.legal_representative}


class _EntityAgencyScoped(AgencyScopedQuerySet):
    agency_path = "entity__agency_id"


class Avoidance(Recorded):
    """回避申报: an officer declared related to a market entity; never drawn onto it."""

    officer = models.ForeignKey("registry.Officer", verbose_name="执法人员", on_delete=models.PROTECT,
                                related_name="avoidances")
    entity = models.ForeignKey(MarketEntity, verbose_name="检查对象", on_delete=models.PROTECT,
                               related_name="avoidances")
    reason = models.CharField("回避事由", max_length=200)
    declared_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人", on_delete=models.PROTECT,
                                    related_name="+")
    declared_at = models.DateTimeField("登记时间", auto_now_add=True)
    # Withdrawn, not deleted: the declaration stays in the record (and the ledger) with why it ended.
    withdrawn_at = models.DateTimeField("撤回时间", null=True, blank=True)
    withdrawn_reason = models.CharField("撤回理由", max_length=200, blank=True)

    objects = _EntityAgencyScoped.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "回避申报"
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.officer.name} 回避 {self.entity.name}"


class Plan(Recorded):
    """抽查计划: a check item, a period and the ratio drawn per risk grade."""

    agency = models.ForeignKey("registry.Agency", verbose_name="组织机关", on_delete=models.PROTECT,
                               related_name="inspection_plans")
    check_item = models.ForeignKey(CheckItem, verbose_name="抽查事项", on_delete=models.PROTECT, related_name="plans")
    title = models.CharField("计划名称", max_length=200)
    period_start = models.DateField("实施期间起")
    period_end = models.DateField("实施期间止")
    ratios = models.JSONField("各风险等级抽查比例", help_text="如 {\"A\": \"0.03\", \"D\": \"0.2\"}")
    team_size = models.PositiveSmallIntegerField("每组检查人员人数", null=True, blank=True,
                                                 help_text="空：按机关参数“执法人员最少人数”")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="制定人", on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField("制定时间", auto_now_add=True)

    objects = AgencyScopedQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "双随机抽查计划"
        ordering = ["-period_start", "-pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def draw_subject(self) -> str:
        return f"inspections.plan:{self.pk}"


class Task(Recorded):
    """检查任务: one inspection case, from a plan's draw or opened ad hoc."""

    case = models.OneToOneField("cases.Case", verbose_name="检查案件", on_delete=models.PROTECT,
                                related_name="inspection_task")
    entity = models.ForeignKey(MarketEntity, verbose_name="检查对象", on_delete=models.PROTECT, related_name="tasks")
    plan = models.ForeignKey(Plan, verbose_name="抽查计划", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="tasks")
    draw = models.ForeignKey("draws.Draw", verbose_name="抽取", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+")

    objects = CaseScopedQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "检查任务"
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["draw", "entity"], name="one_task_per_drawn_target",
                                               condition=models.Q(draw__isnull=False),
                                               violation_error_message="该抽取对象已生成检查任务")]

    def __str__(self) -> str:
        return f"{self.case.number} {self.entity.name}"


class _InspectionCaseScoped(AgencyScopedQuerySet):
    agency_path = "inspection_case__agency_id"


class Referral(Recorded):
    """发现违法 → 立案查处: the penalty case opened from an inspection case, evidence carried over."""

    inspection_case = models.OneToOneField("cases.Case", verbose_name="检查案件", on_delete=models.PROTECT,
                                           related_name="referral")
    penalty_case = models.OneToOneField("cases.Case", verbose_name="处罚案件", on_delete=models.PROTECT,
                                        related_name="referred_from")
    evidence_count = models.PositiveIntegerField("移转证据数")

    objects = _InspectionCaseScoped.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "检查移送立案"

    def __str__(self) -> str:
        return f"{self.inspection_case.number} → {self.penalty_case.number}"


class ResultNotice(Recorded):
    """抽查结果公示: a plan's results for one month, published on the portal by the job runner."""

    plan = models.ForeignKey(Plan, verbose_name="抽查计划", on_delete=models.PROTECT, related_name="notices")
    month = models.CharField("公示月份", max_length=7, help_text="YYYY-MM")
    content = models.JSONField("公示内容")
    content_sha256 = models.CharField("内容 SHA-256", max_length=64)
    published_at = models.DateTimeField("公示时间")
    ledger_index = models.BigIntegerField("日志序号", null=True, blank=True, editable=False)

    class Meta:
        verbose_name = verbose_name_plural = "抽查结果公示"
        ordering = ["-month", "plan"]
        constraints = [models.UniqueConstraint(fields=["plan", "month"], name="one_notice_per_plan_month")]

    def __str__(self) -> str:
        return f"{self.plan} {self.month}"
