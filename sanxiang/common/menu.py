"""The staff menu, in one place: one line per entry, shown to the roles named.

`staff_menu` (a context processor) gives the staff base template the entries the signed-in user
may use; the template only draws them. To add a page, add one MenuEntry line below (roles are
accounts.models.Role values; `superuser` also shows it to superusers; `section` groups entries).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse

CASE_STAFF = ("officer", "unit_head", "legal_reviewer", "agency_head", "supervisor")


@dataclass(frozen=True)
class MenuEntry:
    label: str
    url_name: str
    roles: tuple[str, ...] = ()  # empty: every signed-in staff user
    superuser: bool = False
    staff_flag: bool = False  # shown to is_staff users (the Django admin)
    section: str = ""


MENU: list[MenuEntry] = [
    MenuEntry("我的工作台", "cases:my_cases"),
    MenuEntry("立案登记", "cases:new", roles=("officer",)),
    # Entries whose app is not installed (or not merged yet) are left out (NoReverseMatch below).
    MenuEntry("行政许可申请", "licensing:applications", roles=("officer", "unit_head", "agency_head", "legal_reviewer")),
    MenuEntry("双随机抽查", "inspections:home", roles=("officer", "unit_head", "agency_head")),
    MenuEntry("制定抽查计划", "inspections:plan_new", roles=("unit_head", "agency_head")),
    MenuEntry("回避申报", "inspections:avoidances", roles=("officer", "unit_head", "agency_head")),
    MenuEntry("行政强制", "compulsion:index", roles=CASE_STAFF),
    MenuEntry("公示管理", "publicity:home", roles=("unit_head", "agency_head", "legal_reviewer", "supervisor")),
    MenuEntry("数据交换", "exchange:index", roles=("unit_head", "agency_head", "legal_reviewer", "supervisor")),
    MenuEntry("年度报告", "exchange:reports", roles=("unit_head", "agency_head", "legal_reviewer", "supervisor")),
    # 监督平台 (执法监督人员; 机关负责人 for their own agency tree)
    MenuEntry("监督驾驶舱", "monitoring:dashboard", roles=("supervisor", "agency_head"), section="监督"),
    MenuEntry("预警", "monitoring:alerts", roles=CASE_STAFF, section="监督"),
    # 监督案件, 投诉举报 and 执法人员资格 (supervision and registry apps):
    MenuEntry("监督案件", "supervision:matters", roles=("supervisor", "agency_head", "unit_head"), section="监督"),
    MenuEntry("投诉举报", "supervision:complaints", roles=("supervisor", "agency_head", "unit_head"), section="监督"),
    MenuEntry("执法人员资格", "registry:officers", roles=("supervisor", "agency_head", "unit_head"), section="监督"),
    MenuEntry("案卷评查", "evaluation:rounds", roles=("supervisor", "agency_head", "unit_head", "legal_reviewer"),
              section="监督"),
    MenuEntry("调阅记录", "supervision:access_log", roles=("supervisor", "agency_head", "legal_reviewer"),
              section="监督"),
    MenuEntry("完整性检查", "ledger_staff:integrity", roles=("supervisor", "admin"), superuser=True, section="监督"),
    MenuEntry("审计记录", "audit:trail", roles=("audit_admin",)),
    MenuEntry("公示平台", "portal:home"),
    MenuEntry("管理后台", "admin:index", staff_flag=True),
]


def entries_for(user) -> list[dict]:
    if not getattr(user, "is_authenticated", False):
        return []
    shown = []
    for entry in MENU:
        if entry.staff_flag:
            allowed = user.is_staff
        else:
            allowed = not entry.roles or user.role in entry.roles or (entry.superuser and user.is_superuser)
        if not allowed:
            continue
        try:
            url = reverse(entry.url_name)
        except NoReverseMatch:  # an app not installed in this deployment
            continue
        shown.append({"label": entry.label, "url": url, "url_name": entry.url_name, "section": entry.section})
    return shown


def staff_menu(request) -> dict:
    user = getattr(request, "user", None)
    if user is None:
        return {"staff_menu": []}
    match = getattr(request, "resolver_match", None)
    current = f"{match.namespace}:{match.url_name}" if match and match.namespace else ""
    entries = entries_for(user)
    for e in entries:
        e["current"] = e["url_name"] == current
    return {"staff_menu": entries}
