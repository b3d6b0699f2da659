"""预警 of the supervision app (registered with sanxiang.common.alerts; the monitoring app runs them):
complaints and supervision matters about to pass, or past, their deadlines."""

from __future__ import annotations

import datetime as dt

from sanxiang.common.alerts import Finding, alert_rule


def register() -> None:
    """Importing this module registers the rules (called from SupervisionConfig.ready())."""


@alert_rule("complaint_deadline", "投诉举报受理、办结期限即将届满或已逾期", threshold_label="提前天数", default=2,
            basis="《行政执法监督条例》投诉举报处理规定")
def complaint_deadlines(threshold, on: dt.date):
    from sanxiang.supervision.matters import Complaint, ComplaintStatus

    soon = on + dt.timedelta(days=int(threshold or 0))
    for c in Complaint.objects.filter(status=ComplaintStatus.RECEIVED, accept_due__lte=soon):
        late = "已逾期" if c.accept_due < on else "即将届满"
        yield Finding(agency_id=c.agency_id, subject=c, due=c.accept_due, key="accept", case_id=c.case_id,
                      roles=("agency_head", "unit_head"), text=f"投诉举报 {c.number} 受理期限{late}（{c.accept_due}）")
    for c in Complaint.objects.filter(status__in=[ComplaintStatus.RECEIVED, ComplaintStatus.ACCEPTED],
                                      handle_due__lte=soon):
        late = "已逾期" if c.handle_due < on else "即将届满"
        yield Finding(agency_id=c.agency_id, subject=c, due=c.handle_due, key="handle", case_id=c.case_id,
                      roles=("agency_head", "unit_head"), text=f"投诉举报 {c.number} 办结期限{late}（{c.handle_due}）")


@alert_rule("matter_deadline", "监督案件反馈期限即将届满或已逾期", threshold_label="提前天数", default=2,
            basis="行政执法监督工作制度（交办、督办、反馈）")
def matter_deadlines(threshold, on: dt.date):
    from sanxiang.supervision.matters import Matter, MatterStatus

    soon = on + dt.timedelta(days=int(threshold or 0))
    for m in Matter.objects.filter(status=MatterStatus.ASSIGNED, due_on__lte=soon):
        late = "已逾期" if m.due_on < on else "即将届满"
        yield Finding(agency_id=m.agency_id, subject=m, due=m.due_on, case_id=m.case_id,
                      roles=("agency_head", "unit_head"), text=f"监督案件 {m.number} 反馈期限{late}（{m.due_on}）")
