"""Early warnings of 行政强制 (registered with sanxiang.common.alerts; the monitoring app runs them)."""

from __future__ import annotations

import datetime as dt

from sanxiang.common.alerts import Finding, alert_rule
from sanxiang.compulsion.facts import ENFORCEMENT_FLOW, SEIZURE_FLOW, add_months, data_date, seizure_ends_on


def _officer_user_ids(case) -> tuple[int, ...]:
    return tuple(a.officer.user_id for a in case.assignments.select_related("officer") if a.officer.user_id)


@alert_rule("seizure_expiring", "查封扣押期限即将届满", threshold_label="提前天数", default=5,
            basis="《行政强制法》第二十五条、第二十七条、第二十八条")
def seizures_expiring(threshold: int, on: dt.date):
    """Seizures in force whose period ends within `threshold` days (or has ended): decide on
    release, confiscation or transfer, or extend once, before the end."""
    from sanxiang.cases.models import Case

    for case in Case.objects.filter(flow__code=SEIZURE_FLOW, state="in_force").select_related("agency"):
        ends = seizure_ends_on(case)
        if ends is None or (ends - on).days > int(threshold):
            continue
        left = (ends - on).days
        when = f"{left}日后届满" if left > 0 else ("今日届满" if left == 0 else f"已于{ends}届满")
        extended = "（已延长一次，不得再延长）" if case.data.get("seizure_extended") else "（可经机关负责人批准延长一次）"
        yield Finding(agency_id=case.agency_id, subject=case, case_id=case.pk, due=ends, key="seizure_end",
                      text=f"案件{case.number}查封扣押期限{when}（{ends}）{extended}：应在期限内作出解除、没收或移送决定"
                           "（《行政强制法》第二十五条、第二十八条）",
                      user_ids=_officer_user_ids(case), roles=("unit_head", "agency_head"))


@alert_rule("court_application_expiring", "申请人民法院强制执行期限即将届满", threshold_label="提前天数", default=10,
            basis="《行政强制法》第五十三条")
def court_applications_expiring(threshold: int, on: dt.date):
    from sanxiang.cases.models import Case
    from sanxiang.compulsion.rules import has_power, remedy_end
    from sanxiang.registry.params import param_int

    for case in Case.objects.filter(flow__code=ENFORCEMENT_FLOW, state="enforcement_decision").select_related("agency"):
        if has_power(case.agency):
            continue
        end = remedy_end(case, {})
        if end is None:
            continue
        latest = add_months(end, param_int("court_application_months", case.agency))
        if (latest - on).days > int(threshold):
            continue
        yield Finding(agency_id=case.agency_id, subject=case, case_id=case.pk, due=latest, key="court_application",
                      text=f"案件{case.number}申请人民法院强制执行的期限至{latest}（复议、诉讼期限{end}届满之日起三个月，"
                           "《行政强制法》第五十三条）", user_ids=_officer_user_ids(case), roles=("agency_head",))


@alert_rule("reminder_deadline_passed", "催告履行期限已届满待决定", threshold_label="届满后天数", default=0,
            basis="《行政强制法》第三十七条")
def reminders_passed(threshold: int, on: dt.date):
    from sanxiang.cases.models import Case

    for case in Case.objects.filter(flow__code=ENFORCEMENT_FLOW, state="enforcement_decision").select_related("agency"):
        deadline = data_date(case, "performance_deadline")
        if deadline is None or (on - deadline).days <= int(threshold):
            continue
        yield Finding(agency_id=case.agency_id, subject=case, case_id=case.pk, due=deadline, key="reminder_deadline",
                      text=f"案件{case.number}催告书载明的履行期限已于{deadline}届满，当事人未履行：应作出强制执行决定或申请"
                           "人民法院强制执行（《行政强制法》第三十七条、第五十三条）", roles=("agency_head",))
