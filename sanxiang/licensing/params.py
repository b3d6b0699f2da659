"""Statutory figures of the licensing and levy/fee flows, added to the registry's defaults."""

from sanxiang.cases import engine
from sanxiang.registry.params import DEFAULTS

PARAMS = {
    "licence_supplement_working_days": ("5", "工作日", "行政许可申请材料一次告知补正期限", "《行政许可法》第三十二条、第八十二条"),
    "licence_decision_working_days": ("20", "工作日", "行政许可决定期限（自受理之日起）", "《行政许可法》第四十二条、第八十二条"),
    "licence_extension_working_days": ("10", "工作日", "行政许可决定期限经负责人批准可延长", "《行政许可法》第四十二条"),
    "licence_certificate_working_days": ("10", "工作日", "颁发、送达行政许可证件期限（自决定之日起）", "《行政许可法》第四十四条"),
    "levy_payment_days": ("15", "日", "缴纳征收（收费）款项期限（自决定书送达之日起）", "收费（征收）清单及本机关规定"),
}


def register() -> None:
    for code, (value, unit, label, source) in PARAMS.items():
        DEFAULTS.setdefault(code, (value, unit, label, source))
        engine.parameter(code, label=label, unit=unit, source=source, default=value)
