"""Choice lists of the registry (执法主体与人员)."""

from django.db import models


class ActionKind(models.TextChoices):
    """执法类别: the kinds of enforcement action."""

    LICENSING = "licensing", "行政许可"
    PENALTY = "penalty", "行政处罚"
    COMPULSION = "compulsion", "行政强制"
    LEVY = "levy", "行政征收"
    FEE = "fee", "行政收费"
    INSPECTION = "inspection", "行政检查"
    OTHER = "other", "其他"


class StaffType(models.TextChoices):
    CIVIL_SERVANT = "civil_servant", "公务员"
    PUBLIC_INSTITUTION = "public_institution", "参照公务员法管理/事业编制人员"
    AUXILIARY = "auxiliary", "协管人员（劳务派遣、合同工）"


class OfficerStatus(models.TextChoices):
    ACTIVE = "active", "在岗有效"
    SUSPENDED = "suspended", "暂扣"
    REVOKED = "revoked", "注销/吊销"


class AgencyKind(models.TextChoices):
    ENFORCEMENT = "enforcement", "行政执法机关"
    SUPERVISION = "supervision", "执法监督机关（司法局）"


class CitationRole(models.TextChoices):
    """What a citation of an enforcement item is for."""

    VIOLATION = "violation", "违法依据（设定依据）"
    PENALTY = "penalty", "处罚依据"


class FineBasis(models.TextChoices):
    """How a provision sets the fine (罚款幅度)."""

    NONE = "none", "本条款未设定罚款数额"
    FIXED = "fixed", "固定数额幅度"
    MULTIPLE = "multiple", "违法所得（或计罚基数）的倍数"
