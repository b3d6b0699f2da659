"""行政许可 and 行政征收/收费 data: 服务指南 per licensing item, 收费清单 per agency, applications
(at the counter or online), their materials and the licences issued.

The case itself runs on the engine (cases.Case, the flows licensing_general / levy_general /
fee_general); these rows hold what is not penalty-shaped: the applicant's filing and its query
code, the materials with their hashes, the guide the materials are checked against.
"""

from __future__ import annotations

from django.db import models

from sanxiang.accounts.scoping import AgencyScopedQuerySet
from sanxiang.common.models import Recorded


class ServiceGuide(Recorded):
    """服务指南 of one licensing item (行政许可法第三十条): what the portal prints and the intake checks.

    `materials` is a list of {"key", "label", "required"}: the 申请材料目录 an application is
    checked against (补正 lists what is missing, all at once)."""

    item = models.OneToOneField("registry.EnforcementItem", verbose_name="许可事项", on_delete=models.PROTECT,
                                related_name="service_guide")
    basis = models.TextField("设定依据")
    accepting_body = models.CharField("受理机构", max_length=200)
    approving_body = models.CharField("决定机构", max_length=200)
    conditions = models.TextField("申请条件")
    materials = models.JSONField("申请材料目录", default=list,
                                 help_text='每项 {"key": "代码", "label": "材料名称", "required": true}')
    steps = models.TextField("办理流程")
    time_limit = models.CharField("办理时限", max_length=200, default="自受理之日起二十个工作日内作出决定")
    fees = models.CharField("收费标准", max_length=200, default="不收费")
    contacts = models.CharField("咨询方式", max_length=200)
    supervision = models.CharField("监督投诉", max_length=200)
    remedy = models.TextField("救济途径")
    online = models.BooleanField("可网上申请", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "服务指南"
        ordering = ["item__agency__code", "item__code"]

    def __str__(self) -> str:
        return f"{self.item.name} 服务指南"

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if not isinstance(self.materials, list) or not all(
                isinstance(m, dict) and str(m.get("key", "")).strip() and str(m.get("label", "")).strip()
                for m in self.materials):
            raise ValidationError({"materials": "申请材料目录须为列表，每项含 key 和 label"})
        keys = [m["key"] for m in self.materials]
        if len(keys) != len(set(keys)):
            raise ValidationError({"materials": "申请材料代码不得重复"})
        if self.item_id and self.item.kind != "licensing":
            raise ValidationError({"item": "服务指南只适用于行政许可事项"})

    def required_materials(self) -> list[dict]:
        return [m for m in self.materials if m.get("required", True)]


class FeeKind(models.TextChoices):
    LEVY = "levy", "行政征收"
    FEE = "fee", "行政收费"


class FeeItem(Recorded):
    """收费清单 / 征收项目 entry of an agency: item, basis and standard, published on the portal.

    A standard with a unit amount (e.g. 每吨 25 元) makes the amount of a decision checkable:
    quantity × unit amount."""

    agency = models.ForeignKey("registry.Agency", verbose_name="执收机关", on_delete=models.PROTECT,
                               related_name="fee_items")
    kind = models.CharField("类别", max_length=10, choices=FeeKind.choices)
    code = models.CharField("项目编码", max_length=40)
    name = models.CharField("项目名称", max_length=200)
    basis = models.TextField("设立依据")
    standard = models.CharField("收费（征收）标准", max_length=300)
    unit = models.CharField("计费单位", max_length=40, blank=True)
    unit_amount = models.DecimalField("单价（元）", max_digits=14, decimal_places=2, null=True, blank=True)
    is_active = models.BooleanField("有效", default=True)

    objects = AgencyScopedQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "收费（征收）清单"
        ordering = ["agency__code", "kind", "code"]
        constraints = [models.UniqueConstraint(fields=["agency", "code"], name="fee_item_code_unique_per_agency",
                                               violation_error_message="同一机关的收费项目编码不得重复")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Channel(models.TextChoices):
    COUNTER = "counter", "窗口申请"
    ONLINE = "online", "网上申请"


class Application(Recorded):
    """行政许可申请: filed online (no login; a query code is shown once) or at the counter.

    `case` is set when an officer registers it for handling (申请材料审查 runs from `received_on`)."""

    agency = models.ForeignKey("registry.Agency", verbose_name="受理机关", on_delete=models.PROTECT,
                               related_name="licence_applications")
    item = models.ForeignKey("registry.EnforcementItem", verbose_name="许可事项", on_delete=models.PROTECT,
                             related_name="applications")
    number = models.CharField("申请编号", max_length=40, unique=True)
    channel = models.CharField("申请方式", max_length=10, choices=Channel.choices)
    applicant = models.JSONField("申请人", help_text="与案件当事人相同的字段：kind、name、id_number/uscc、address、phone")
    applicant_name = models.CharField("申请人名称", max_length=200)
    request = models.TextField("申请事项及内容")
    received_on = models.DateField("收到申请日期")
    query_code_hash = models.CharField("查询码（哈希）", max_length=64, blank=True)
    case = models.OneToOneField("cases.Case", verbose_name="办理案件", null=True, blank=True,
                                on_delete=models.PROTECT, related_name="licence_application")
    submitted_by = models.ForeignKey("accounts.User", verbose_name="窗口登记人", null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("提交时间", auto_now_add=True)

    objects = AgencyScopedQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "行政许可申请"
        ordering = ["-received_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.number} {self.applicant_name}"

    def material_keys(self) -> set[str]:
        return {m.key for m in self.materials.all()}


class ApplicationMaterial(Recorded):
    """One file of an application, stored content-addressed like evidence (SHA-256 and SM3)."""

    application = models.ForeignKey(Application, verbose_name="申请", on_delete=models.PROTECT,
                                    related_name="materials")
    key = models.CharField("材料代码", max_length=40)
    label = models.CharField("材料名称", max_length=200)
    file = models.ForeignKey("records.StoredFile", verbose_name="文件", on_delete=models.PROTECT, related_name="+")
    original_name = models.CharField("原文件名", max_length=200)
    supplement = models.BooleanField("补正提交", default=False)
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "申请材料"
        ordering = ["application", "pk"]


class Licence(Recorded):
    """行政许可证件 issued on a 准予行政许可决定 (行政许可法第三十九条、第四十四条)."""

    case = models.OneToOneField("cases.Case", verbose_name="案件", on_delete=models.PROTECT, related_name="licence")
    number = models.CharField("证件编号", max_length=60, unique=True)
    holder = models.CharField("持证人", max_length=200)
    scope = models.TextField("许可内容")
    valid_until = models.CharField("有效期限", max_length=100)
    issued_on = models.DateField("颁发日期")

    class Meta:
        verbose_name = verbose_name_plural = "行政许可证件"
        ordering = ["-issued_on", "-pk"]

    def __str__(self) -> str:
        return self.number
