"""Registry (主体与人员): agencies, officers and their certificates, enforcement items, parameters."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from sanxiang.common.idnumbers import IdNumberError, validate_citizen_id, validate_uscc
from sanxiang.common.models import Recorded
from sanxiang.registry.choices import (
    ActionKind,
    AgencyKind,
    CitationRole,
    FineBasis,
    OfficerStatus,
    StaffType,
)


def _uscc_validator(value: str) -> None:
    try:
        validate_uscc(value)
    except IdNumberError as exc:
        raise ValidationError(str(exc), code=exc.code) from exc


def _citizen_id_validator(value: str) -> None:
    try:
        validate_citizen_id(value)
    except IdNumberError as exc:
        raise ValidationError(str(exc), code=exc.code) from exc


# 法律职业资格证书编号: the certificate class (A, B or C), the year of the examination and ten digits
# (the issuing region's six-digit code and a four-digit serial), e.g. A20154103000012.
_QUALIFICATION_NO = re.compile(r"^([ABC])(\d{4})(\d{10})$")
QUALIFICATION_FIRST_YEAR = 2002  # the first 国家司法考试; its certificates count as 法律职业资格


def legal_qualification_problem(value: str) -> str | None:
    """Why `value` is not a well-formed 法律职业资格证书编号 (Chinese), or None."""
    match = _QUALIFICATION_NO.match(value or "")
    if match is None:
        return "法律职业资格证书编号须为证书类别字母（A、B或C）加14位数字，如A20154103000012"
    year = int(match.group(2))
    if not QUALIFICATION_FIRST_YEAR <= year <= dt.date.today().year:
        return f"法律职业资格证书编号中的年份{year}不在{QUALIFICATION_FIRST_YEAR}年至今的范围内"
    return None


def _qualification_validator(value: str) -> None:
    problem = legal_qualification_problem(value)
    if problem:
        raise ValidationError(problem, code="qualification_format")


class Agency(Recorded):
    """执法主体: an agency with its legal basis, jurisdiction and remedy channels."""

    code = models.SlugField("机关代码", max_length=40, unique=True)
    name = models.CharField("机关名称", max_length=100, unique=True)
    short_name = models.CharField("简称", max_length=40, blank=True)
    kind = models.CharField("类型", max_length=20, choices=AgencyKind.choices, default=AgencyKind.ENFORCEMENT)
    parent = models.ForeignKey("self", verbose_name="上级机关", null=True, blank=True,
                               on_delete=models.PROTECT, related_name="children")
    uscc = models.CharField("统一社会信用代码", max_length=18, unique=True, validators=[_uscc_validator])
    authority_basis = models.TextField("职权依据")
    jurisdiction = models.CharField("管辖区域", max_length=200)
    address = models.CharField("地址", max_length=200, blank=True)
    phone = models.CharField("联系电话", max_length=40, blank=True)
    complaint_phone = models.CharField("投诉举报电话", max_length=40, blank=True)
    reconsideration_body = models.CharField("行政复议机关", max_length=100)
    litigation_court = models.CharField("行政诉讼管辖法院", max_length=100)
    doc_prefix = models.CharField("文书字号", max_length=20, help_text="如：洛城管罚")

    class Meta:
        verbose_name = verbose_name_plural = "执法主体"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    def descendant_ids(self) -> list[int]:
        """This agency and every agency below it (市局 → 支队 → 大队)."""
        ids, frontier = [self.pk], [self.pk]
        while frontier:
            frontier = list(Agency.objects.filter(parent_id__in=frontier).values_list("pk", flat=True))
            ids.extend(frontier)
        return ids


class Officer(Recorded):
    """A member of an agency's staff roll; enforcing requires a valid certificate (执法证).

    Contract staff (协管) can never hold a certificate. Legal reviewers are staff flagged with
    their legal qualification. ID number and phone are personal data and are never public.
    """

    agency = models.ForeignKey(Agency, verbose_name="所属机关", on_delete=models.PROTECT, related_name="officers")
    name = models.CharField("姓名", max_length=40)
    staff_type = models.CharField("人员类别", max_length=20, choices=StaffType.choices)
    certificate_no = models.CharField("执法证号", max_length=40, unique=True, null=True, blank=True)
    enforcement_kinds = models.JSONField("执法类别", default=list, blank=True,
                                         help_text="执法类别代码列表，如 [\"penalty\", \"inspection\"]")
    enforcement_area = models.CharField("执法区域", max_length=200, blank=True)
    valid_from = models.DateField("证件有效期起", null=True, blank=True)
    valid_to = models.DateField("证件有效期止", null=True, blank=True)
    status = models.CharField("状态", max_length=20, choices=OfficerStatus.choices, default=OfficerStatus.ACTIVE)
    id_number = models.CharField("身份证号", max_length=18, blank=True, validators=[_citizen_id_validator])
    phone = models.CharField("联系电话", max_length=20, blank=True)
    is_legal_reviewer = models.BooleanField("法制审核人员", default=False)
    legal_qualification_no = models.CharField("法律职业资格证书编号", max_length=40, blank=True,
                                              validators=[_qualification_validator])
    user = models.OneToOneField(settings.AUTH_USER_MODEL, verbose_name="登录账号", null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="officer")

    class Meta:
        verbose_name = verbose_name_plural = "执法人员"
        ordering = ["agency__code", "name"]
        constraints = [
            models.CheckConstraint(
                name="auxiliary_staff_hold_no_certificate",
                condition=~models.Q(staff_type=StaffType.AUXILIARY) | models.Q(certificate_no__isnull=True),
                violation_error_message="协管人员不得持有行政执法证、不得从事执法活动（行政处罚法第四十二条）",
            ),
            models.CheckConstraint(
                name="certificate_has_validity",
                condition=models.Q(certificate_no__isnull=True)
                | (models.Q(valid_from__isnull=False) & models.Q(valid_to__isnull=False)
                   & models.Q(valid_from__lte=models.F("valid_to"))),
                violation_error_message="执法证须填写有效期起止日期，且起始日期不得晚于截止日期",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.certificate_no or '无执法证'}）"

    def clean(self) -> None:
        if self.is_legal_reviewer and not self.legal_qualification_no:
            raise ValidationError({"legal_qualification_no": "法制审核人员须登记法律职业资格证书编号（《行政处罚法》第五十八条第二款）"})

    def certificate_problem(self, on: dt.date, kind: str | None = None) -> str | None:
        """Why this officer may not enforce on `on` (for `kind`), or None when they may."""
        if self.staff_type == StaffType.AUXILIARY:
            return f"{self.name}为协管人员，不得从事执法活动"
        if not self.certificate_no:
            return f"{self.name}未取得行政执法证"
        if self.status != OfficerStatus.ACTIVE:
            return f"{self.name}的执法证状态为“{self.get_status_display()}”"
        if not (self.valid_from <= on <= self.valid_to):
            return f"{self.name}的执法证（{self.certificate_no}）在{on:%Y年%m月%d日}不在有效期内（{self.valid_from}至{self.valid_to}）"
        if kind and kind not in self.enforcement_kinds:
            return f"{self.name}的执法证未载明“{ActionKind(kind).label}”执法类别"
        return None

    def ledger_state(self) -> dict:
        state = super().ledger_state()
        return state


class Flow(Recorded):
    """A procedure declared as data (see cases.engine): steps, actions, roles, guards.

    The engine runs it and the portal draws the flowchart from the same definition.
    """

    code = models.SlugField("流程代码", max_length=40, unique=True)
    name = models.CharField("流程名称", max_length=100)
    kind = models.CharField("执法类别", max_length=20, choices=ActionKind.choices)
    definition = models.JSONField("流程定义")

    class Meta:
        verbose_name = verbose_name_plural = "执法流程"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from sanxiang.cases.engine import FlowDefinitionError, validate_definition

        try:
            validate_definition(self.definition)
        except FlowDefinitionError as exc:
            raise ValidationError({"definition": str(exc)}) from exc
        if isinstance(self.definition, dict) and self.code and self.definition.get("code") != self.code:
            raise ValidationError({"definition": f"流程定义中的代码“{self.definition.get('code')}”与流程代码“{self.code}”不一致"})

    def save(self, *args, **kwargs):
        # The definition is the engine's program: a flow naming a rule, document kind, parameter or
        # date the engine does not know is never stored, whichever path saves it.
        self.clean()
        super().save(*args, **kwargs)


class EnforcementItem(Recorded):
    """执法事项清单 entry: what an agency may do, on what legal basis, following which flow."""

    agency = models.ForeignKey(Agency, verbose_name="实施主体", on_delete=models.PROTECT, related_name="items")
    code = models.CharField("事项编码", max_length=40)
    name = models.CharField("事项名称", max_length=200)
    kind = models.CharField("执法类别", max_length=20, choices=ActionKind.choices)
    flow = models.ForeignKey(Flow, verbose_name="适用流程", on_delete=models.PROTECT, related_name="items")
    description = models.TextField("说明", blank=True)
    is_active = models.BooleanField("有效", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "执法事项"
        ordering = ["agency__code", "code"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "code"], name="item_code_unique_per_agency",
                                    violation_error_message="同一机关的事项编码不得重复"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    # Read views of the structured citations (LegalBasis rows) in the shape documents and the
    # portal used to read from the old JSON columns: [{"law", "article", "suffix", "paragraph", "item"}].
    @property
    def legal_basis(self) -> list[dict]:
        return [c.as_ref() for c in self.citations.all() if c.role == CitationRole.VIOLATION]

    @property
    def penalty_basis(self) -> list[dict]:
        return [c.as_ref() for c in self.citations.all() if c.role == CitationRole.PENALTY]


class CurrentCitations(models.Manager):
    """The citations in force. A replaced citation is retired, never deleted, so the ledger's
    record of it still matches a row (`LegalBasis.objects` keeps every row)."""

    def get_queryset(self):
        return super().get_queryset().filter(is_current=True)


class LegalBasis(Recorded):
    """One citation of an enforcement item (law, 条, 款, 项), checked against the law database.

    A 处罚依据 row also carries what the provision allows: the penalty kinds and the fine range
    (fixed amounts per party type, or multiples of illegal gains with the fixed amounts as the
    range when there are none). The engine refuses a proposal or decision outside it
    (registry.guards), and the portal prints the same row beside the exact cited text.
    """

    item = models.ForeignKey(EnforcementItem, verbose_name="执法事项", on_delete=models.CASCADE,
                             related_name="citations")
    role = models.CharField("依据类别", max_length=20, choices=CitationRole.choices)
    position = models.PositiveSmallIntegerField("排序", default=0)
    law = models.ForeignKey("guidance.Law", verbose_name="法律法规", on_delete=models.PROTECT, related_name="+")
    article = models.PositiveIntegerField("条")
    suffix = models.PositiveSmallIntegerField("之X", default=0, help_text="第十条之一填1，一般为0")
    paragraph = models.PositiveSmallIntegerField("款", null=True, blank=True)
    item_no = models.PositiveSmallIntegerField("项", null=True, blank=True)
    penalty_kinds = models.JSONField("本条款设定的处罚种类", default=list, blank=True)
    fine_basis = models.CharField("罚款计算方式", max_length=20, choices=FineBasis.choices, default=FineBasis.NONE)
    citizen_min = models.DecimalField("对公民罚款下限（元）", max_digits=14, decimal_places=2, null=True, blank=True)
    citizen_max = models.DecimalField("对公民罚款上限（元）", max_digits=14, decimal_places=2, null=True, blank=True)
    org_min = models.DecimalField("对单位罚款下限（元）", max_digits=14, decimal_places=2, null=True, blank=True)
    org_max = models.DecimalField("对单位罚款上限（元）", max_digits=14, decimal_places=2, null=True, blank=True)
    multiple_min = models.DecimalField("倍数下限", max_digits=8, decimal_places=2, null=True, blank=True)
    multiple_max = models.DecimalField("倍数上限", max_digits=8, decimal_places=2, null=True, blank=True)
    base_label = models.CharField("计罚基数", max_length=40, blank=True, default="违法所得",
                                  help_text="如：违法所得、被骗取资金、所需处置费用")
    base_floor = models.DecimalField("计罚基数不足时按（元）", max_digits=14, decimal_places=2, null=True, blank=True,
                                     help_text="如“所需处置费用不足十万元的，按十万元计算”填100000")
    is_current = models.BooleanField("现行", default=True)

    objects = models.Manager()  # every row, retired ones too (the ledger verifies them all)
    current = CurrentCitations()

    class Meta:
        verbose_name = verbose_name_plural = "法律依据与法定幅度"
        ordering = ["item", "position", "pk"]
        # item.citations, the admin inline and prefetches see the citations in force only.
        default_manager_name = "current"

    def __str__(self) -> str:
        return self.citation_text

    def as_ref(self) -> dict:
        ref = {"law": self.law.short_title, "article": self.article}
        if self.suffix:
            ref["suffix"] = self.suffix
        if self.paragraph:
            ref["paragraph"] = self.paragraph
        if self.item_no:
            ref["item"] = self.item_no
        return ref

    @property
    def citation_text(self) -> str:
        """《固体废物污染环境防治法》第一百一十一条第二款."""
        from sanxiang.guidance.lawtext import Citation, format_citation

        if self.law_id is None or not self.article:
            return "（未完成的引用）"
        return format_citation(Citation(self.law.short_title, self.article, self.suffix or 0, self.paragraph,
                                        self.item_no))

    @property
    def cited_text(self) -> str:
        """Exactly the cited 条, 款 or 项, as the law database holds it."""
        from sanxiang.guidance.lawtext import provision_text

        return provision_text(law=self.law, article=self.article, suffix=self.suffix, paragraph=self.paragraph,
                              item=self.item_no)

    @property
    def has_range(self) -> bool:
        return self.fine_basis != FineBasis.NONE

    def fixed_range(self, citizen: bool) -> tuple[Decimal | None, Decimal | None] | None:
        """(min, max) of the fixed amounts for the party type, or None when none is set for it."""
        low, high = (self.citizen_min, self.citizen_max) if citizen else (self.org_min, self.org_max)
        if low is None and high is None:
            return None
        return (low, high)

    def range_text(self, citizen: bool | None = None) -> str:
        """The fine range in words, as the portal and refusals print it."""
        def span(low, high) -> str:
            if low and high:
                return f"{yuan(low)}以上{yuan(high)}以下"
            if high:
                return f"{yuan(high)}以下"
            return f"{yuan(low)}以上"

        parts = []
        if self.fine_basis == FineBasis.MULTIPLE:
            low, high = self.multiple_min, self.multiple_max
            text = f"{self.base_label or '违法所得'}{_num(low)}倍以上{_num(high)}倍以下" if low else \
                f"{self.base_label or '违法所得'}{_num(high)}倍以下"
            if self.base_floor:
                text += f"（{self.base_label}不足{yuan(self.base_floor)}的，按{yuan(self.base_floor)}计算）"
            parts.append(f"处{text}的罚款")
        for is_citizen, who in ((True, "公民"), (False, "单位")):
            if citizen is not None and citizen != is_citizen:
                continue
            fixed = self.fixed_range(is_citizen)
            if fixed:
                lead = "没有" + (self.base_label or "违法所得") + "的，" if self.fine_basis == FineBasis.MULTIPLE else ""
                parts.append(f"{lead}对{who}处{span(*fixed)}的罚款")
        return "；".join(parts)

    def clean(self) -> None:
        from sanxiang.cases.choices import PenaltyKind
        from sanxiang.common.exceptions import ValidationFailed

        errors = {}
        if self.law_id is not None and self.article:
            from sanxiang.guidance.lawtext import provision_text

            try:
                provision_text(law=self.law, article=self.article, suffix=self.suffix, paragraph=self.paragraph,
                               item=self.item_no)
            except ValidationFailed as exc:
                errors[{"item": "item_no"}.get(exc.field, exc.field)] = exc.message
        bad = [k for k in self.penalty_kinds or [] if k not in PenaltyKind.values]
        if bad:
            errors["penalty_kinds"] = f"未知的处罚种类：{'、'.join(map(str, bad))}（行政处罚法第九条）"
        if self.role == CitationRole.VIOLATION and (self.penalty_kinds or self.fine_basis != FineBasis.NONE):
            errors["role"] = "处罚种类和罚款幅度只能登记在“处罚依据”上"
        for low, high in (("citizen_min", "citizen_max"), ("org_min", "org_max"), ("multiple_min", "multiple_max")):
            a, b = getattr(self, low), getattr(self, high)
            if a is not None and b is not None and a > b:
                errors[low] = "下限不得高于上限"
        if self.fine_basis == FineBasis.FIXED and not (self.fixed_range(True) or self.fixed_range(False)):
            errors["fine_basis"] = "固定数额幅度须至少填写对公民或对单位的罚款上限或下限"
        if self.fine_basis == FineBasis.MULTIPLE and self.multiple_max is None:
            errors["multiple_max"] = "按倍数计罚的，须填写倍数上限"
        if self.fine_basis != FineBasis.NONE and self.penalty_kinds and PenaltyKind.FINE not in self.penalty_kinds:
            errors["penalty_kinds"] = "设定了罚款幅度的条款，处罚种类须包含“罚款”"
        if errors:
            raise ValidationError(errors)


def yuan(value) -> str:
    """100000 → 100,000元; 0.5 → 0.50元."""
    value = Decimal(value)
    return f"{value:,.0f}元" if value == value.to_integral_value() else f"{value:,.2f}元"


def _num(value) -> str:
    return f"{value.normalize():f}" if value is not None else ""


class Parameter(Recorded):
    """A statutory figure (deadline, threshold, ratio) as data: a default row (agency empty)
    and optional per-agency rows where local rules differ. Never a constant in code."""

    agency = models.ForeignKey(Agency, verbose_name="适用机关（空为默认）", null=True, blank=True,
                               on_delete=models.PROTECT, related_name="parameters")
    key = models.SlugField("参数", max_length=60)
    value = models.DecimalField("数值", max_digits=14, decimal_places=2)
    unit = models.CharField("单位", max_length=20)
    label = models.CharField("名称", max_length=100)
    source = models.CharField("依据", max_length=200)

    class Meta:
        verbose_name = verbose_name_plural = "法定期限与标准"
        ordering = ["key", "agency__code"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "key"], name="parameter_unique_per_agency",
                                    violation_error_message="同一机关的参数不得重复"),
            models.UniqueConstraint(fields=["key"], condition=models.Q(agency__isnull=True),
                                    name="parameter_default_unique", violation_error_message="默认参数不得重复"),
        ]

    def __str__(self) -> str:
        return f"{self.label}：{self.value}{self.unit}"


class AvRequirement(Recorded):
    """音像记录事项清单 entry: a step that must be recorded on audio-video (per agency, data).

    The engine refuses to complete the step of a case of this agency (or of an agency below it)
    unless video or audio evidence was attached at that step. `when_field`/`when_values`
    narrow the entry to one variant of the step (e.g. service by lien or public notice).
    The portal publishes the same rows.
    """

    agency = models.ForeignKey(Agency, verbose_name="机关", on_delete=models.PROTECT, related_name="av_list")
    name = models.CharField("事项", max_length=100, help_text="如：现场检查、听证、留置送达")
    flow_code = models.SlugField("流程代码", max_length=40, default="penalty_general")
    step_code = models.SlugField("环节代码", max_length=40)
    when_field = models.CharField("适用条件字段", max_length=40, blank=True)
    when_values = models.JSONField("适用条件取值", default=list, blank=True)
    basis = models.CharField("依据", max_length=200,
                             default="《国务院办公厅关于全面推行行政执法公示制度执法全过程记录制度重大执法决定法制审核制度的指导意见》")
    description = models.CharField("说明", max_length=200, blank=True)
    is_active = models.BooleanField("有效", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "音像记录事项清单"
        ordering = ["agency__code", "flow_code", "step_code", "pk"]

    def __str__(self) -> str:
        return f"{self.name}（全程音像记录）"

    def clean(self) -> None:
        if self.when_values and not self.when_field:
            raise ValidationError({"when_field": "填写了适用条件取值时须同时填写条件字段"})

    def applies(self, values: dict) -> bool:
        if not self.when_field:
            return True
        return str(values.get(self.when_field)) in {str(v) for v in self.when_values}


class CertificateAction(models.TextChoices):
    """The acts of a 行政执法证's life (资格管理), each a CertificateEvent."""

    APPLY = "apply", "申领"
    TRAINING = "training", "培训学时"
    EXAM = "exam", "资格考试"
    ISSUE = "issue", "发证"
    RENEW = "renew", "换证（延续）"
    ANNUAL_REVIEW = "annual_review", "年度审验"
    SUSPEND = "suspend", "暂扣"
    RESTORE = "restore", "恢复"
    REVOKE = "revoke", "吊销/注销"


class CertificateEvent(Recorded):
    """One act on an officer's certificate. Never edited: the officer's status and validity are
    what the events made of them, and each event is in the ledger beside the officer row it changed."""

    officer = models.ForeignKey(Officer, verbose_name="执法人员", on_delete=models.PROTECT,
                                related_name="certificate_events")
    action = models.CharField("事项", max_length=20, choices=CertificateAction.choices)
    on = models.DateField("日期")
    reason = models.TextField("事由", blank=True)
    year = models.PositiveIntegerField("年度", null=True, blank=True)
    hours = models.DecimalField("学时", max_digits=6, decimal_places=1, null=True, blank=True)
    course = models.CharField("培训内容", max_length=200, blank=True)
    score = models.DecimalField("考试成绩", max_digits=5, decimal_places=1, null=True, blank=True)
    passed = models.BooleanField("是否合格", null=True, blank=True)
    certificate_no = models.CharField("执法证号", max_length=40, blank=True)
    valid_from = models.DateField("有效期起", null=True, blank=True)
    valid_to = models.DateField("有效期止", null=True, blank=True)
    enforcement_kinds = models.JSONField("执法类别", default=list, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="办理人", on_delete=models.PROTECT,
                              related_name="+")
    ledger_index = models.BigIntegerField("日志序号", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "执法证管理记录"
        ordering = ["officer_id", "on", "pk"]

    def __str__(self) -> str:
        return f"{self.officer.name} {self.get_action_display()} {self.on}"
