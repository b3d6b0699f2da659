"""Cases (案件): parties, the case itself, its officers, its step history and its decision."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from sanxiang.accounts.scoping import AgencyScopedQuerySet, CaseScopedQuerySet
from sanxiang.cases.choices import PartyKind, ServiceMethod
from sanxiang.common.models import Recorded


class Party(Recorded):
    """当事人. A citizen is identified by an 18-digit ID number, an organisation by its USCC.

    Address, phone, ID number and bank account of a natural person are private: they never
    reach a publication (see disclosure.redaction).
    """

    agency = models.ForeignKey("registry.Agency", verbose_name="登记机关", on_delete=models.PROTECT,
                               related_name="parties")
    kind = models.CharField("当事人类型", max_length=20, choices=PartyKind.choices)
    name = models.CharField("名称/姓名", max_length=100)
    id_number = models.CharField("身份证号码", max_length=18, blank=True)
    uscc = models.CharField("统一社会信用代码", max_length=18, blank=True)
    legal_representative = models.CharField("法定代表人/负责人", max_length=40, blank=True)
    address = models.CharField("住址/住所", max_length=200, blank=True)
    phone = models.CharField("联系电话", max_length=30, blank=True)
    bank_account = models.CharField("银行账号", max_length=40, blank=True)

    objects = AgencyScopedQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "当事人"

    def __str__(self) -> str:
        return self.name

    @property
    def is_citizen(self) -> bool:
        return self.kind == PartyKind.CITIZEN


class Case(Recorded):
    """A case run by the flow engine. `state` is the code of the current step of `flow`."""

    agency = models.ForeignKey("registry.Agency", verbose_name="办案机关", on_delete=models.PROTECT,
                               related_name="cases")
    item = models.ForeignKey("registry.EnforcementItem", verbose_name="执法事项", on_delete=models.PROTECT,
                             related_name="cases")
    flow = models.ForeignKey("registry.Flow", verbose_name="适用程序", on_delete=models.PROTECT,
                             related_name="cases")
    number = models.CharField("案件编号", max_length=60, unique=True)
    party = models.ForeignKey(Party, verbose_name="当事人", on_delete=models.PROTECT, related_name="cases")
    officers = models.ManyToManyField("registry.Officer", through="CaseOfficer", related_name="cases",
                                      verbose_name="承办人员")
    state = models.CharField("当前环节", max_length=40, db_index=True)
    title = models.CharField("案由", max_length=200)
    source = models.CharField("案件来源", max_length=100, blank=True)
    opened_on = models.DateField("立案日期")
    decision_due = models.DateField("决定期限", null=True, blank=True)
    deadline_note = models.CharField("期限说明", max_length=200, blank=True)
    step_entered_at = models.DateTimeField("进入本环节时间")
    step_due = models.DateField("本环节期限", null=True, blank=True)
    step_due_note = models.CharField("本环节期限说明", max_length=300, blank=True)
    facts = models.TextField("违法事实", blank=True)
    proposed_penalty_kinds = models.JSONField("拟处罚种类", default=list, blank=True)
    proposed_fine = models.DecimalField("拟罚款金额（元）", max_digits=14, decimal_places=2, null=True, blank=True)
    penalty_kinds = models.JSONField("处罚种类", default=list, blank=True)
    fine_amount = models.DecimalField("罚款金额（元）", max_digits=14, decimal_places=2, null=True, blank=True)
    flagged_complex = models.BooleanField("案情复杂或涉及多个法律关系", default=False)
    flagged_major_public_interest = models.BooleanField("涉及重大公共利益", default=False)
    notice_served_on = models.DateField("事先告知送达日期", null=True, blank=True)
    hearing_requested = models.BooleanField("当事人申请听证", default=False)
    hearing_held_on = models.DateField("听证日期", null=True, blank=True)
    decided_on = models.DateField("决定日期", null=True, blank=True)
    served_on = models.DateField("决定送达日期", null=True, blank=True)
    service_method = models.CharField("送达方式", max_length=20, choices=ServiceMethod.choices, blank=True)
    closed_on = models.DateField("结案日期", null=True, blank=True)
    # The discretion benchmark version the proposal and the decision were measured against
    # (guidance.guards.record_benchmark); the 决定书 prints it.
    benchmark = models.ForeignKey("guidance.Benchmark", verbose_name="适用的裁量基准", null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    benchmark_tier = models.CharField("裁量基准建议阶次", max_length=20, blank=True)
    outside_benchmark = models.BooleanField("超出裁量基准建议阶次", default=False)
    data = models.JSONField("环节记录", default=dict, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="立案人", on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    objects = AgencyScopedQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "案件"
        ordering = ["-opened_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


class CaseOfficer(Recorded):
    """An officer assigned to a case (承办人)."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="assignments")
    officer = models.ForeignKey("registry.Officer", on_delete=models.PROTECT, related_name="assignments")
    is_lead = models.BooleanField("主办", default=False)

    objects = CaseScopedQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "承办人员"
        constraints = [models.UniqueConstraint(fields=["case", "officer"], name="case_officer_once")]


class CaseEvent(Recorded):
    """One performed action: the step history of a case, each with its ledger entry."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="events")
    action = models.CharField("操作", max_length=40)
    action_name = models.CharField("操作名称", max_length=60)
    from_state = models.CharField("原环节", max_length=40, blank=True)
    to_state = models.CharField("新环节", max_length=40)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    actor_role = models.CharField("角色", max_length=20)
    at = models.DateTimeField("时间")
    data = models.JSONField("填写内容", default=dict, blank=True)
    ledger_index = models.BigIntegerField("日志序号", null=True, blank=True)

    objects = CaseScopedQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "办案记录"
        ordering = ["at", "pk"]


class Decision(Recorded):
    """行政处罚决定: numbered per agency and year with no gap."""

    case = models.OneToOneField(Case, on_delete=models.PROTECT, related_name="decision")
    number = models.CharField("决定书文号", max_length=60, unique=True)
    decided_on = models.DateField("决定日期")
    penalty_kinds = models.JSONField("处罚种类", default=list)
    fine_amount = models.DecimalField("罚款金额（元）", max_digits=14, decimal_places=2, null=True, blank=True)
    reasons = models.TextField("理由及依据")
    text = models.TextField("决定书正文")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = CaseScopedQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "处罚决定"
        ordering = ["-decided_on", "-pk"]

    def __str__(self) -> str:
        return self.number
