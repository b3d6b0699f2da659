"""The figures of 投诉举报 and 监督案件 as parameters (registry.Parameter), installed with the others.

Added to registry.params.DEFAULTS from SupervisionConfig.ready(), so `defaults_install` (and
`make demo`) installs them and an administrator changes them in the admin like any other.
"""

from __future__ import annotations

SUPERVISION_DEFAULTS: dict[str, tuple[str, str, str, str]] = {
    "complaint_accept_working_days": ("5", "工作日", "投诉举报受理期限（自收到之日起）",
                                      "《行政执法监督条例》关于投诉举报处理的规定及本地实施办法"),
    "complaint_handle_working_days": ("30", "工作日", "投诉举报办结期限（自收到之日起）",
                                      "《行政执法监督条例》关于投诉举报处理的规定及本地实施办法"),
    "matter_answer_working_days": ("15", "工作日", "监督案件交办后承办机关反馈期限（未另定期限时）",
                                   "行政执法监督工作制度（交办、转办、督办、反馈）"),
    "matter_escalate_working_days": ("5", "工作日", "催办后仍未反馈转为督办的期限（自反馈期限届满之日起）",
                                     "行政执法监督工作制度（催办、督办）"),
}


def install() -> None:
    """Add the figures to the registry's defaults and make them known to the engine (as the
    registry's own AppConfig does for its defaults), so flows and the rulebook may name them."""
    from sanxiang.cases import engine
    from sanxiang.registry.params import DEFAULTS

    for key, (value, unit, label, source) in SUPERVISION_DEFAULTS.items():
        DEFAULTS.setdefault(key, (value, unit, label, source))
        engine.parameter(key, label=label, unit=unit, source=source, default=value)
