"""Choice lists of the law and discretion database."""

from django.db import models


class Tier(models.TextChoices):
    """裁量阶次 of a discretion benchmark, from the most lenient to the heaviest."""

    EXEMPT = "exempt", "不予处罚"
    MITIGATED = "mitigated", "减轻处罚"
    LENIENT = "lenient", "从轻处罚"
    GENERAL = "general", "一般处罚"
    AGGRAVATED = "aggravated", "从重处罚"


# The statutory circumstances every benchmark starts from (行政处罚法第三十二条、第三十三条), with the
# tier they select; an agency's benchmark version adds its own (e.g. 从重 circumstances per item).
STATUTORY_CIRCUMSTANCES = [
    ("minor_corrected", "违法行为轻微并及时改正，没有造成危害后果", Tier.EXEMPT, "行政处罚法第三十三条第一款"),
    ("first_offence", "初次违法且危害后果轻微并及时改正（首违不罚）", Tier.EXEMPT, "行政处罚法第三十三条第一款"),
    ("no_fault", "有证据足以证明没有主观过错", Tier.EXEMPT, "行政处罚法第三十三条第二款"),
    ("eliminated_harm", "主动消除或者减轻违法行为危害后果", Tier.LENIENT, "行政处罚法第三十二条第（一）项"),
    ("coerced", "受他人胁迫或者诱骗实施违法行为", Tier.MITIGATED, "行政处罚法第三十二条第（二）项"),
    ("confessed", "主动供述行政机关尚未掌握的违法行为", Tier.LENIENT, "行政处罚法第三十二条第（三）项"),
    ("meritorious", "配合行政机关查处违法行为有立功表现", Tier.MITIGATED, "行政处罚法第三十二条第（四）项"),
    ("repeat_offence", "一年内因同一违法行为受过行政处罚又实施的", Tier.AGGRAVATED, "本机关行政处罚裁量基准"),
    ("refused_correction", "经责令改正拒不改正的", Tier.AGGRAVATED, "本机关行政处罚裁量基准"),
    ("obstructed", "隐匿、销毁证据或者阻碍、抗拒执法的", Tier.AGGRAVATED, "本机关行政处罚裁量基准"),
]
