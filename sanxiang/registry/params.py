"""Statutory figures as data (registry.Parameter), with the shipped defaults."""

from __future__ import annotations

from decimal import Decimal

from sanxiang.common.exceptions import DomainError

# key: (default value, unit, label, source). Installed as rows by registry.services.defaults_install;
# an administrator changes them (or adds per-agency rows) in the admin.
DEFAULTS: dict[str, tuple[str, str, str, str]] = {
    "min_officers": ("2", "人", "执法人员最少人数", "《行政处罚法》第四十二条；《行政强制法》第十八条"),
    "simple_fine_max_citizen": ("200", "元", "简易程序罚款上限（自然人）", "《行政处罚法》第五十一条"),
    "simple_fine_max_org": ("3000", "元", "简易程序罚款上限（法人或其他组织）", "《行政处罚法》第五十一条"),
    "simple_filing_days": ("5", "日", "当场处罚决定报所属机关备案期限", "《行政处罚法》第五十二条及地方规定"),
    "decision_days": ("90", "日", "一般程序自立案之日起作出决定期限", "《行政处罚法》第六十条"),
    "hearing_fine_citizen": ("5000", "元", "听证较大数额罚款（自然人）", "《行政处罚法》第六十三条及地方标准"),
    "hearing_fine_org": ("100000", "元", "听证较大数额罚款（法人或其他组织）", "《行政处罚法》第六十三条及地方标准"),
    "statement_days": ("3", "日", "当事人陈述申辩期限（自事先告知书送达之日起）", "《行政处罚法》第四十四条、第四十五条"),
    "hearing_request_days": ("5", "日", "当事人申请听证期限", "《行政处罚法》第六十四条"),
    "hearing_notice_days": ("7", "日", "听证举行前通知期限", "《行政处罚法》第六十四条"),
    "review_working_days": ("5", "工作日", "法制审核期限", "实施方案（洛阳）"),
    "review_extension_working_days": ("5", "工作日", "法制审核延长期限", "实施方案（洛阳）"),
    "transfer_decision_days": ("3", "日", "机关负责人审批移送涉嫌犯罪案件期限", "《行政执法机关移送涉嫌犯罪案件的规定》第五条"),
    "collective_discussion_min": ("3", "人", "集体讨论最少参加人数", "《行政处罚法》第五十七条第二款及地方规定"),
    "service_days": ("7", "日", "决定书送达期限", "《行政处罚法》第六十一条"),
    "payment_days": ("15", "日", "缴纳罚款期限（自决定书送达之日起）", "《行政处罚法》第六十七条"),
    "late_payment_rate_per_day": ("3", "%/日", "到期不缴纳罚款每日加处罚款比例", "《行政处罚法》第七十二条"),
    "late_payment_cap_ratio": ("1", "倍", "加处罚款数额上限（罚款数额的倍数）", "《行政处罚法》第七十二条；《行政强制法》第四十五条"),
    "reconsideration_days": ("60", "日", "申请行政复议期限", "《行政复议法》第二十条"),
    "litigation_months": ("6", "个月", "提起行政诉讼期限", "《行政诉讼法》第四十六条"),
    "publish_working_days_penalty": ("7", "工作日", "行政许可、行政处罚决定公示期限", "实施方案"),
    "publish_working_days_other": ("20", "工作日", "其他执法决定公示期限", "实施方案；《政府信息公开条例》第二十六条"),
    "access_reason_required": ("0", "是/否", "查看本机关案件材料须填写调阅事由（1为是）", "调阅监督制度（涉密材料一律须填写）"),
    "evidence_preservation_days": ("7", "日", "先行登记保存证据作出处理决定期限", "《行政处罚法》第五十六条"),
    "withdraw_days": ("3", "日", "决定变更、撤销后撤回公示期限", "《行政处罚法》第四十八条"),
    "officer_training_hours": ("60", "学时", "行政执法人员每年培训最低学时", "《法治政府建设实施纲要（2021—2025年）》"),
    "certificate_exam_pass_score": ("60", "分", "行政执法资格考试合格分数", "行政执法证件管理办法（地方）"),
    "certificate_valid_years": ("5", "年", "行政执法证有效期", "行政执法证件管理办法（地方）"),
    "certificate_expiry_warning_days": ("60", "日", "执法证到期预警提前天数", "行政执法证件管理办法（地方）"),
    "legal_reviewer_ratio_percent": ("5", "%", "法制审核人员不少于本机关执法人员的比例",
                                     "《关于全面推行行政执法公示制度执法全过程记录制度重大执法决定法制审核制度的指导意见》；实施方案"),
}


def param(key: str, agency=None) -> Decimal:
    """The figure in force for `agency`: its own row, else its parents', else the default row."""
    from sanxiang.registry.models import Parameter

    rows = {(p.agency_id, p.key): p.value for p in Parameter.objects.filter(key=key)}
    current = agency
    while current is not None:
        if (current.pk, key) in rows:
            return rows[(current.pk, key)]
        current = current.parent
    if (None, key) in rows:
        return rows[(None, key)]
    if key in DEFAULTS:
        raise DomainError(f"参数“{DEFAULTS[key][2]}”未设置，请管理员在“法定期限与标准”中录入", code="parameter_missing")
    raise DomainError(f"未知参数“{key}”", code="parameter_missing")


def param_int(key: str, agency=None) -> int:
    return int(param(key, agency))
