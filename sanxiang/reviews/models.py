"""Legal review (法制审核): the per-agency catalogue and the reviews themselves."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from sanxiang.accounts.scoping import CaseScopedQuerySet
from sanxiang.common.models import Recorded


class Criterion(models.TextChoices):
    FINE_AT_LEAST = "fine_at_least", "罚款数额达到标准"
    LICENCE_REVOCATION = "licence_revocation", "吊销许可证件、降低资质等级"
    SUSPENSION_CLOSURE = "suspension_closure", "责令停产停业、责令关闭、限制从业"
    HEARING_HELD = "hearing_held", "经过听证程序"
    COMPLEX = "complex", "案情复杂、涉及多个法律关系"
    MAJOR_PUBLIC_INTEREST = "major_public_interest", "涉及重大公共利益"
    ALL_GENERAL = "all_general", "全部一般程序处罚案件"


class PartyScope(models.TextChoices):
    ANY = "any", "所有当事人"
    CITIZEN = "citizen", "自然人"
    ORGANISATION = "organisation", "法人或其他组织"


class Opinion(models.TextChoices):
    AGREE = "agree", "同意"
    CORRECT = "correct", "建议纠正"
    RETURN = "return", "退回补充调查"
    TRANSFER = "transfer", "建议移送司法机关"
    DISMISS = "dismiss", "建议不予处罚/撤销案件"


# 审核内容: 行政处罚法第五十八条 and the seeds' review content.
CHECKLIST = [
    ("authority", "执法主体合法，未超越法定职权"),
    ("qualification", "执法人员具备执法资格"),
    ("procedure", "执法程序合法"),
    ("facts", "案件事实清楚"),
    ("evidence", "证据合法充分"),
    ("law", "适用法律、法规、规章准确"),
    ("discretion", "裁量基准运用适当"),
    ("no_abuse", "不存在超越或滥用职权"),
    ("documents", "执法文书完备、规范"),
    ("crime", "是否涉嫌犯罪需移送司法机关已审查"),
]


class CatalogueEntry(Recorded):
    """重大执法决定法制审核目录清单 entry. Data per agency, published on the portal."""

    agency = models.ForeignKey("registry.Agency", verbose_name="机关", on_delete=models.PROTECT,
                               related_name="review_catalogue")
    criterion = models.CharField("审核情形", max_length=30, choices=Criterion.choices)
    party_scope = models.CharField("当事人范围", max_length=20, choices=PartyScope.choices, default=PartyScope.ANY)
    threshold = models.DecimalField("罚款标准（元，含本数）", max_digits=14, decimal_places=2, null=True, blank=True)
    description = models.CharField("说明", max_length=200, blank=True)
    basis = models.CharField("依据", max_length=200, default="《中华人民共和国行政处罚法》第五十八条")
    requires_collective_discussion = models.BooleanField(
        "须经集体讨论", default=False,
        help_text="勾选后，属于本情形的案件在作出决定前须由机关负责人集体讨论（《行政处罚法》第五十七条第二款）")

    class Meta:
        verbose_name = verbose_name_plural = "法制审核目录"
        ordering = ["agency__code", "criterion", "party_scope"]

    def __str__(self) -> str:
        text = self.get_criterion_display()
        if self.threshold is not None:
            text += f"（{self.get_party_scope_display()}≥{self.threshold:,.0f}元）"
        return text


class LegalReview(Recorded):
    """One review of a case's proposed decision by the legal-affairs unit."""

    case = models.ForeignKey("cases.Case", verbose_name="案件", on_delete=models.PROTECT, related_name="reviews")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="审核人", on_delete=models.PROTECT,
                                 related_name="+")
    started_on = models.DateField("送审日期")
    due_on = models.DateField("审核期限", null=True, blank=True)
    submitted_at = models.DateTimeField("审核时间")
    checklist = models.JSONField("审核内容", default=dict)
    # The items in force when the review was made ([key, label] pairs): the opinion prints what
    # was actually checked, even after the agency edits its checklist.
    checklist_items = models.JSONField("审核事项", default=list, blank=True)
    opinion = models.CharField("审核意见", max_length=20, choices=Opinion.choices)
    opinion_text = models.TextField("意见说明")
    matched = models.JSONField("适用目录情形", default=list)
    overdue = models.BooleanField("超期", default=False)

    objects = CaseScopedQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "法制审核"
        ordering = ["-submitted_at"]

    @property
    def passed(self) -> bool:
        return self.opinion == Opinion.AGREE


class ChecklistItem(Recorded):
    """One item of an agency's 法制审核内容 (行政处罚法第五十八条 and the local review standard).

    An agency with no active item uses its parent's list, and failing that the code's CHECKLIST;
    the review form, the opinion and the portal read the same list (reviews.selectors).
    """

    agency = models.ForeignKey("registry.Agency", verbose_name="机关", on_delete=models.PROTECT,
                               related_name="review_checklist")
    key = models.SlugField("代码", max_length=40)
    label = models.CharField("审核事项", max_length=100)
    standard = models.CharField("审核标准", max_length=300, blank=True)
    order = models.PositiveSmallIntegerField("顺序", default=0)
    is_active = models.BooleanField("有效", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "法制审核内容"
        ordering = ["agency__code", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "key"], name="checklist_key_unique_per_agency",
                                    violation_error_message="同一机关的审核事项代码不得重复"),
        ]

    def __str__(self) -> str:
        return self.label


class ReviewExtension(Recorded):
    """延长审核期限: the agency head's approval of a longer review period, with the reason."""

    case = models.ForeignKey("cases.Case", verbose_name="案件", on_delete=models.PROTECT,
                             related_name="review_extensions")
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="批准人", on_delete=models.PROTECT,
                                    related_name="+")
    approved_at = models.DateTimeField("批准时间")
    reason = models.TextField("延长理由")
    old_due = models.DateField("原审核期限")
    new_due = models.DateField("延长后审核期限")

    class Meta:
        verbose_name = verbose_name_plural = "审核期限延长"
        ordering = ["approved_at", "pk"]


class ReviewerStance(models.TextChoices):
    MAINTAIN = "maintain", "维持审核意见"
    REVISE = "revise", "改变审核意见（重新出具）"


class CoordinationOutcome(models.TextChoices):
    ACCEPTED = "accepted", "承办机构采纳审核意见"
    UNRESOLVED = "unresolved", "协调未果，报机关负责人集体讨论"


class ReviewCoordination(Recorded):
    """审核意见协调: the handling unit did not accept a 建议纠正 opinion; both sides' positions.

    The unit's reasons are recorded when it declines the opinion; the reviewer then states
    whether the opinion stands; the unit head records the outcome. Unresolved, the case goes to
    the agency head's collective discussion before any decision.
    """

    case = models.ForeignKey("cases.Case", verbose_name="案件", on_delete=models.PROTECT,
                             related_name="review_coordinations")
    review = models.ForeignKey(LegalReview, verbose_name="法制审核意见", on_delete=models.PROTECT,
                               related_name="coordinations")
    opened_at = models.DateTimeField("提出时间")
    unit_head = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="承办机构负责人", on_delete=models.PROTECT,
                                  related_name="+")
    unit_reasons = models.TextField("承办机构不采纳理由")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="法制审核人员", on_delete=models.PROTECT,
                                 null=True, blank=True, related_name="+")
    reviewer_position = models.TextField("法制审核机构意见", blank=True)
    reviewer_stance = models.CharField("审核机构立场", max_length=20, choices=ReviewerStance.choices, blank=True)
    unit_position = models.TextField("承办机构意见", blank=True)
    outcome = models.CharField("协调结果", max_length=20, choices=CoordinationOutcome.choices, blank=True)
    concluded_at = models.DateTimeField("协调完成时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "审核意见协调"
        ordering = ["opened_at", "pk"]


class DiscussionConclusion(models.TextChoices):
    """行政处罚法第五十七条第一款 (the four outcomes), plus sending the case back."""

    PENALISE = "penalise", "确有应受行政处罚的违法行为，作出行政处罚决定"
    NO_PENALTY = "no_penalty", "违法行为轻微或违法事实不能成立，不予行政处罚"
    TRANSFER = "transfer", "违法行为涉嫌犯罪，移送司法机关"
    CORRECT = "correct", "按法制审核意见纠正后重新审查"
    INVESTIGATE = "investigate", "退回补充调查"


class CollectiveDiscussion(Recorded):
    """集体讨论 (行政处罚法第五十七条第二款): the agency head presiding, the participants, the conclusion.

    Its 集体讨论笔录 is issued when the discussion is recorded and belongs in the dossier.
    """

    case = models.ForeignKey("cases.Case", verbose_name="案件", on_delete=models.PROTECT,
                             related_name="collective_discussions")
    held_on = models.DateField("讨论日期")
    place = models.CharField("讨论地点", max_length=100)
    presided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="主持人（机关负责人）",
                                    on_delete=models.PROTECT, related_name="+")
    participants = models.JSONField("参加人员", default=list, help_text="[{\"id\": 执法人员ID, \"name\": 姓名}]")
    reasons = models.JSONField("集体讨论事由", default=list)
    discussion = models.TextField("讨论内容")
    conclusion = models.CharField("讨论决定", max_length=20, choices=DiscussionConclusion.choices)
    conclusion_text = models.TextField("讨论决定理由")
    recorded_at = models.DateTimeField("登记时间")

    class Meta:
        verbose_name = verbose_name_plural = "集体讨论"
        ordering = ["recorded_at", "pk"]

    def participant_names(self) -> str:
        return "、".join(p.get("name", "") for p in self.participants)
