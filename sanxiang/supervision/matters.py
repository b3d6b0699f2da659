"""投诉举报 and 监督案件: what the public reports about enforcement, and what the justice bureau
(role supervisor) opens, assigns, transfers, chases and closes.

Every row is written by the services in complaints.py / matter_services.py with a ledger entry;
each step is a row of its own (ComplaintStep, MatterStep), never an edit of an earlier one.
Scoping: supervisors see everything; an agency's head and unit heads see what is addressed to
their agency and the agencies below it; nobody else sees anything.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from sanxiang.accounts.scoping import ScopedQuerySet, agency_scope
from sanxiang.common.models import Recorded

# The agency roles that handle complaints and answer supervision matters.
HANDLER_ROLES = ("agency_head", "unit_head")


def handler_q(user, path: str) -> Q | None:
    """Supervisors: everything; agency heads and unit heads: their agency tree; others nothing."""
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return None
    if user.role == "supervisor":
        return Q()
    if user.role not in HANDLER_ROLES:
        return None
    scope = agency_scope(user)
    if not scope:
        return None
    return Q(**{f"{path}__in": scope})


class ComplaintCategory(models.TextChoices):
    INACTION = "inaction", "执法不作为、慢作为"
    ABUSE = "abuse", "乱执法、执法过度"
    PROCEDURE = "procedure", "执法程序违法"
    CONDUCT = "conduct", "执法人员作风、态度"
    CORRUPTION = "corruption", "吃拿卡要、以权谋私"
    OTHER = "other", "其他"


class ComplaintStatus(models.TextChoices):
    RECEIVED = "received", "待受理"
    ACCEPTED = "accepted", "已受理"
    REJECTED = "rejected", "不予受理"
    REPLIED = "replied", "已办结"
    FORWARDED = "forwarded", "已转监督案件办理"


class ComplaintQuerySet(ScopedQuerySet):
    """Complaints routed to the justice bureau itself (agency null) are the supervisors' only."""

    def scope_q(self, user):
        return handler_q(user, "agency_id")


class Complaint(Recorded):
    """One 投诉举报 about enforcement. `agency` is the agency it is routed to; null: the justice bureau."""

    number = models.CharField("受理编号", max_length=30, unique=True)
    query_code_hash = models.CharField("查询码哈希", max_length=64)
    anonymous = models.BooleanField("匿名", default=False)
    complainant_name = models.CharField("投诉人姓名", max_length=60, blank=True)
    complainant_phone = models.CharField("联系电话", max_length=30, blank=True)
    agency = models.ForeignKey("registry.Agency", verbose_name="承办机关", null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")
    category = models.CharField("类别", max_length=20, choices=ComplaintCategory.choices)
    decision_number = models.CharField("涉及的决定书文号", max_length=80, blank=True)
    case = models.ForeignKey("cases.Case", verbose_name="涉及的案件", null=True, blank=True,
                             on_delete=models.PROTECT, related_name="+")
    content = models.TextField("投诉举报内容")
    received_at = models.DateTimeField("收到时间")
    accept_due = models.DateField("受理期限", null=True, blank=True)
    handle_due = models.DateField("办结期限", null=True, blank=True)
    due_note = models.CharField("期限说明", max_length=300, blank=True)
    status = models.CharField("状态", max_length=20, choices=ComplaintStatus.choices,
                              default=ComplaintStatus.RECEIVED, db_index=True)
    reply = models.TextField("答复", blank=True)
    replied_at = models.DateTimeField("答复时间", null=True, blank=True)
    matter = models.ForeignKey("supervision.Matter", verbose_name="转办的监督案件", null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")
    ledger_index = models.BigIntegerField("日志序号", null=True, blank=True)

    objects = ComplaintQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "投诉举报"
        ordering = ["-received_at", "-pk"]
        indexes = [models.Index(fields=["agency", "received_at"], name="complaint_agency_received")]

    def __str__(self) -> str:
        return f"投诉举报 {self.number}"

    @property
    def handler_label(self) -> str:
        return self.agency.name if self.agency_id else "司法行政部门（执法监督机构）"


class ComplaintStep(Recorded):
    complaint = models.ForeignKey(Complaint, on_delete=models.PROTECT, related_name="steps")
    action = models.CharField("操作", max_length=20)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")
    actor_role = models.CharField("角色", max_length=20, blank=True)
    at = models.DateTimeField("时间")
    text = models.TextField("内容", blank=True)
    public_text = models.CharField("公开说明", max_length=300, help_text="投诉人在进度查询中看到的一句话")
    ledger_index = models.BigIntegerField("日志序号", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "投诉举报办理记录"
        ordering = ["at", "pk"]


class MatterSource(models.TextChoices):
    COMPLAINT = "complaint", "投诉举报"
    ALERT = "alert", "预警"
    INSPECTION = "inspection", "执法检查（主动监督）"


class MatterStatus(models.TextChoices):
    OPEN = "open", "已立案，待交办"
    ASSIGNED = "assigned", "已交办，待反馈"
    ANSWERED = "answered", "已反馈，待审查"
    CLOSED = "closed", "已办结"


class MatterQuerySet(ScopedQuerySet):
    """An agency sees a matter once it is addressed to it (assigned or transferred), not before."""

    def scope_q(self, user):
        q = handler_q(user, "agency_id")
        if q is None or q == Q():
            return q
        return q & ~Q(status=MatterStatus.OPEN)


class Matter(Recorded):
    """一件监督案件: against an agency, optionally about one of its cases."""

    number = models.CharField("监督案件编号", max_length=30, unique=True)
    source = models.CharField("来源", max_length=20, choices=MatterSource.choices)
    complaint = models.ForeignKey(Complaint, verbose_name="来源投诉举报", null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    alert_ref = models.CharField("来源预警", max_length=120, blank=True)
    agency = models.ForeignKey("registry.Agency", verbose_name="承办机关", on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey("cases.Case", verbose_name="涉及案件", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+")
    title = models.CharField("监督事项", max_length=200)
    description = models.TextField("问题描述")
    status = models.CharField("状态", max_length=20, choices=MatterStatus.choices, default=MatterStatus.OPEN,
                              db_index=True)
    due_on = models.DateField("反馈期限", null=True, blank=True)
    escalation = models.PositiveSmallIntegerField("督促级别", default=0, help_text="0 无，1 已催办，2 已督办")
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    opened_at = models.DateTimeField("立案时间")
    conclusion = models.TextField("办结结论", blank=True)
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)
    ledger_index = models.BigIntegerField("日志序号", null=True, blank=True)

    objects = MatterQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "监督案件"
        ordering = ["-opened_at", "-pk"]

    def __str__(self) -> str:
        return f"监督案件 {self.number}"


class MatterStep(Recorded):
    """One step of a matter: open, assign, transfer, answer, remind (催办), escalate (督办), close, document."""

    matter = models.ForeignKey(Matter, on_delete=models.PROTECT, related_name="steps")
    action = models.CharField("操作", max_length=20)
    action_name = models.CharField("操作名称", max_length=30)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")
    actor_role = models.CharField("角色", max_length=20, blank=True)
    agency = models.ForeignKey("registry.Agency", verbose_name="涉及机关", null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField("时间")
    text = models.TextField("内容", blank=True)
    due_on = models.DateField("期限", null=True, blank=True)
    files = models.JSONField("附件", default=list, blank=True, help_text="[{sha256, name, size}]")
    ledger_index = models.BigIntegerField("日志序号", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "监督案件办理记录"
        ordering = ["at", "pk"]


class MatterDocument(Recorded):
    """行政执法监督意见书/建议书/通知书: numbered, rendered and frozen like the case documents."""

    matter = models.ForeignKey(Matter, on_delete=models.PROTECT, related_name="documents")
    kind = models.CharField("文书种类", max_length=40)
    title = models.CharField("文书名称", max_length=60)
    number = models.CharField("文号", max_length=80)
    version = models.PositiveIntegerField("版本", default=1)
    supersedes = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="superseded_by")
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    issued_at = models.DateTimeField("制作时间")
    docx = models.ForeignKey("records.StoredFile", on_delete=models.PROTECT, related_name="+")
    pdf = models.ForeignKey("records.StoredFile", on_delete=models.PROTECT, related_name="+")
    extra = models.JSONField("录入内容", default=dict, blank=True)
    content = models.JSONField("文书内容")
    content_sha256 = models.CharField("内容哈希", max_length=64)
    ledger_index = models.BigIntegerField("日志序号", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "监督文书"
        ordering = ["issued_at", "pk"]

    def __str__(self) -> str:
        return f"{self.title} {self.number}"
