"""The statutory figures of 行政强制法 as data (registry.Parameter) and the audio-video list entries.

Added to the registry's defaults from here (installed by registry.services.defaults_install and
av_list_install like the shipped ones), so no figure of the law is a literal in a rule.
"""

from __future__ import annotations

FIGURES = {
    "seizure_days": ("30", "日", "查封、扣押期限", "《行政强制法》第二十五条"),
    "seizure_extension_days": ("30", "日", "查封、扣押延长期限（经行政机关负责人批准，延长一次）", "《行政强制法》第二十五条"),
    "urgent_approval_hours": ("24", "小时", "情况紧急当场实施行政强制措施后补办批准手续期限", "《行政强制法》第十九条"),
    "court_application_months": ("3", "个月", "申请人民法院强制执行期限（自复议、诉讼期限届满之日起）",
                                 "《行政强制法》第五十三条"),
    "court_reminder_working_days": ("10", "工作日", "申请人民法院强制执行前催告书送达后应经过的期间",
                                    "《行政强制法》第五十四条、第六十九条"),
    "compulsion_enforcement_power": ("0", "是/否", "本机关依法享有行政强制执行权（1为是；否则申请人民法院强制执行）",
                                     "《行政强制法》第十三条、第三十四条、第五十三条"),
    "substitute_reminder_working_days": ("3", "工作日", "代履行前催告当事人履行的期间（代履行三日前催告）",
                                         "《行政强制法》第五十一条、第六十九条"),
    "seizure_warning_days": ("5", "日", "查封扣押期限届满前预警天数", "《行政强制法》第二十五条"),
}

AV_ENTRIES = [
    {"name": "查封扣押", "flow_code": "compulsion_seizure", "step_code": "execution",
     "basis": "《行政强制法》第十八条；三项制度指导意见（查封扣押全程音像记录）",
     "description": "实施查封、扣押的现场执法活动须全程音像记录"},
    {"name": "查封扣押（情况紧急当场实施）", "flow_code": "compulsion_seizure", "step_code": "application",
     "when_field": "urgent", "when_values": ["True"],
     "basis": "《行政强制法》第十八条、第十九条；三项制度指导意见（查封扣押全程音像记录）",
     "description": "情况紧急当场实施查封、扣押的，须全程音像记录"},
    {"name": "强制执行（含强制拆除、代履行）", "flow_code": "compulsion_enforcement", "step_code": "execution",
     "basis": "《行政强制法》第四十三条、第四十四条；三项制度指导意见（强制拆除全程音像记录）",
     "description": "实施强制执行、强制拆除、代履行的现场须全程音像记录"},
]


def register() -> None:
    from sanxiang.cases import engine
    from sanxiang.registry.params import DEFAULTS
    from sanxiang.registry.services import AV_DEFAULTS

    for code, figure in FIGURES.items():
        DEFAULTS.setdefault(code, figure)
        value, unit, label, source = figure
        engine.parameter(code, label=label, unit=unit, source=source, default=value)
    for entry in AV_ENTRIES:
        if entry not in AV_DEFAULTS:
            AV_DEFAULTS.append(entry)
