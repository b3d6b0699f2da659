"""Cases (案件): parties, the case itself, its officers, its step history and its decision."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from sanxiang.accounts.scoping import AgencyScopedQuerySet, CaseScopedQuerySet
from sanxiang.cases.choices import PartyKind, ServiceMethod
from sanxiang.common.models import Recorded


class Party(Recorded):
    """当事人: one record per person or organisation, across cases and agencies.

    A citizen is identified by an 18-digit ID number, an organisation by its USCC, and the
    number is the key (集中储存 keys on it): one row per number, system-wide. System-wide and
    not per agency because a deployment serves the agencies of one city or county and the
    records of one party are to be found together across all of them (全过程记录, 集中储存; a
    supervisor reads every agency), and because an ID number or a USCC names one person or one
    organisation nationwide: the same number under two names is an error, not two parties.
    Seeing the row still goes through the cases a user may see (dossier.selectors).

    Address, phone, ID number and bank account of a natural person are private: they never
    reach a publication (see disclosure.redaction). A rename (organisations only) is a
    PartyName row with its evidence, never an edit in place.
    """

    agency = models.ForeignKey("registry.Agency", verbose_name="首次登记机关", on_delete=models.PROTECT,
                               related_name="parties")
    kind = models.CharField("当事人类型", max_length=20, choices=PartyKind.choices)
    name = models.CharField("名称/姓名", max_length=100)
    id_number = models.CharField("身份证号码", max_length=18, blank=True)
    uscc = models.CharField("统一社会信用代码", max_length=18, blank=True)
    legal_representative = models.CharField("法定代表人/负责人", max_length=40, blank=True)
    address = models.CharField("住址/住所", max_length=200, blank=True)
    phone = models.CharField("联系电话", max_length=30, blank=True)
    bank_account = models.CharField("银行账号", max_length=40, blank=True)
    # Rows registered twice under one number before numbers were unique: the migration keeps
    # the first and points the others at it (rows are never deleted: the ledger knows them).
    merged_into = models.ForeignKey("self", verbose_name="已合并至", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="merged")

    objects = AgencyScopedQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "当事人"
        constraints = [
            models.UniqueConstraint(
                fields=["id_number"], condition=~models.Q(id_number="") & models.Q(merged_into__isnull=True),
                name="party_id_number_once",
                violation_error_message="同一身份证号码只能登记一个当事人（当事人信息集中储存，一号一档）"),
            models.UniqueConstraint(
                fields=["uscc"], condition=~models.Q(uscc="") & models.Q(merged_into__isnull=True),
                name="party_uscc_once",
                violation_error_message="同一统一社会信用代码只能登记一个当事人（当事人信息集中储存，一码一档）"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_citizen(self) -> bool:
        return self.kind == PartyKind.CITIZEN

    @property
    def key(self) -> str:
        """The number the party is known by: ID number for a citizen, USCC otherwise."""
        return self.id_number if self.is_citizen else self.uscc

    @property
    def key_label(self) -> str:
        return "身份证号码" if self.is_citizen else "统一社会信用代码"


class PartyName(Recorded):
    """A change of an organisation's name (更名), with the evidence it was recorded on.

    The party keeps one row and one number; its earlier names stay here so that old cases and
    documents issued under them are still found under the party.
    """

    party = models.ForeignKey(Party, verbose_name="当事人", on_delete=models.PROTECT, related_name="names")
    old_name = models.CharField("原名称", max_length=100)
    new_name = models.CharField("新名称", max_length=100)
    reason = models.CharField("更名原因", max_length=300)
    evidence_ref = models.CharField("证明材料", max_length=300,
                                    help_text="如：市场监督管理局准予变更登记通知书及其文号")
    evidence = models.ForeignKey("records.Evidence", verbose_name="已上传的证明材料", null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人", on_delete=models.PROTECT,
                                    related_name="+")
    recorded_at = models.DateTimeField("登记时间")

    class Meta:
        verbose_name = verbose_name_plural = "当事人更名记录"
        ordering = ["party", "recorded_at", "pk"]

    def __str__(self) -> str:
        return f"{self.old_name} → {self.new_name}"


class Case(Recorded):
    """A case run by the flow engine. `state` is the code of the current step of `flow`."""

    agency = models.ForeignKey("registry.Agency", verbose_name="办案机关", on_delete=models.PROTECT,
                               related_name="cases")
    item = models.ForeignKey("registry.EnforcementItem", verbose_name="执法事项", on_delete=models.PROTECT,
                             related_name="cases")
    flow = models.ForeignKey("registry.Flow", verbose_name="适用程序", on_delete=models.PROTECT,
                             related_name="cases")
    number = models.CharField("案件编号", max_length=60, unique=True)
    parties = models.ManyToManyField(Party, through="CaseParty", related_name="cases", verbose_name="当事人")
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

    def party_links(self) -> list[CaseParty]:
        """The case's parties in the order the case names them (共同违法: several)."""
        # Lists of cases prefetch their parties (cases.selectors); a single case reads them here.
        cached = getattr(self, "_prefetched_objects_cache", {}).get("case_parties")
        links = cached if cached is not None else self.case_parties.select_related("party")
        return sorted(links, key=lambda link: (link.order, link.pk))

    def parties_in_order(self) -> list[Party]:
        return [link.party for link in self.party_links()]

    @property
    def party(self) -> Party | None:
        """The first-named party, for headings and lists only. Every rule that concerns the
        parties reads all of them (cases.facts.party_penalties, hearing_right…)."""
        links = self.party_links()
        return links[0].party if links else None

    @property
    def party_names(self) -> str:
        return "、".join(p.name for p in self.parties_in_order())


class CaseOfficer(Recorded):
    """An officer assigned to a case (承办人)."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="assignments")
    officer = models.ForeignKey("registry.Officer", on_delete=models.PROTECT, related_name="assignments")
    is_lead = models.BooleanField("主办", default=False)

    objects = CaseScopedQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "承办人员"
        constraints = [models.UniqueConstraint(fields=["case", "officer"], name="case_officer_once")]


class CaseParty(Recorded):
    """A party of a case, in order (第一当事人 first), with the role it has in the case."""

    class Role(models.TextChoices):
        PARTY = "party", "当事人"
        JOINT = "joint", "共同违法当事人"

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="case_parties")
    party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="case_links")
    order = models.PositiveSmallIntegerField("顺序", default=0)
    role = models.CharField("身份", max_length=20, choices=Role.choices, default=Role.PARTY)

    class Meta:
        verbose_name = verbose_name_plural = "案件当事人"
        ordering = ["case", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["case", "party"], name="case_party_once",
                                    violation_error_message="同一当事人在一个案件中只能列明一次"),
            models.UniqueConstraint(fields=["case", "order"], name="case_party_order_once"),
        ]

    def __str__(self) -> str:
        return f"{self.case.number} {self.party.name}"


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
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = CaseScopedQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "处罚决定"
        ordering = ["-decided_on", "-pk"]

    def __str__(self) -> str:
        return self.number

    # The decision's text is not stored here: its one source is the issued 行政处罚决定书
    # (documents.builders.decision); documents.selectors.decision_document / decision_text read it.

    def party_penalties(self) -> list[DecisionParty]:
        return list(self.party_rows.select_related("party").order_by("order", "pk"))


class DecisionParty(Recorded):
    """Each party's own penalty in the decision (共同违法: 分别裁量, 分别处罚)."""

    decision = models.ForeignKey(Decision, on_delete=models.PROTECT, related_name="party_rows")
    party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="decision_rows")
    order = models.PositiveSmallIntegerField("顺序", default=0)
    penalty_kinds = models.JSONField("处罚种类", default=list)
    fine_amount = models.DecimalField("罚款金额（元）", max_digits=14, decimal_places=2, null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "当事人处罚"
        ordering = ["decision", "order", "pk"]
        constraints = [models.UniqueConstraint(fields=["decision", "party"], name="decision_party_once")]

    def __str__(self) -> str:
        return f"{self.decision.number} {self.party.name}"

    @property
    def penalty_label(self) -> str:
        from sanxiang.cases.choices import PenaltyKind

        text = "、".join(PenaltyKind(k).label for k in self.penalty_kinds if k in PenaltyKind.values)
        return text + (f"，罚款{self.fine_amount}元" if self.fine_amount else "")
