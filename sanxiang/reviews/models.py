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
