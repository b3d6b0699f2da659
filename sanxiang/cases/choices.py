"""Choice lists of the case domain."""

from django.db import models


class PartyKind(models.TextChoices):
    CITIZEN = "citizen", "自然人"
    LEGAL_PERSON = "legal_person", "法人"
    OTHER_ORG = "other_org", "其他组织"


class PenaltyKind(models.TextChoices):
    """行政处罚法第九条 penalty kinds."""

    WARNING = "warning", "警告"
    CRITICISM = "criticism", "通报批评"
    FINE = "fine", "罚款"
    CONFISCATE_GAINS = "confiscate_gains", "没收违法所得"
    CONFISCATE_PROPERTY = "confiscate_property", "没收非法财物"
    SUSPEND_LICENCE = "suspend_licence", "暂扣许可证件"
    DOWNGRADE = "downgrade", "降低资质等级"
    REVOKE_LICENCE = "revoke_licence", "吊销许可证件"
    RESTRICT_OPERATION = "restrict_operation", "限制开展生产经营活动"
    SUSPEND_BUSINESS = "suspend_business", "责令停产停业"
    CLOSE = "close", "责令关闭"
    RESTRICT_PRACTICE = "restrict_practice", "限制从业"


# Penalties that give the party a hearing right whatever the amount (行政处罚法第六十三条).
HEARING_KINDS = {
    PenaltyKind.DOWNGRADE, PenaltyKind.REVOKE_LICENCE, PenaltyKind.SUSPEND_BUSINESS,
    PenaltyKind.CLOSE, PenaltyKind.RESTRICT_OPERATION, PenaltyKind.RESTRICT_PRACTICE,
}


class ServiceMethod(models.TextChoices):
    DIRECT = "direct", "直接送达"
    LIEN = "lien", "留置送达"
    POST = "post", "邮寄送达"
    PUBLIC_NOTICE = "public_notice", "公告送达"
    ELECTRONIC = "electronic", "电子送达（经当事人书面同意）"
