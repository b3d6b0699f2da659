"""January alert: the previous year's annual report is not published yet (due 31 January)."""

from __future__ import annotations

import datetime as dt

from sanxiang.common.alerts import Finding, alert_rule
from sanxiang.exchange.models import AnnualReport, ReportStatus
from sanxiang.exchange.services import RULE, report_due


def _unpublished_text(scope: str, year: int, due: dt.date, on: dt.date) -> str:
    days = (due - on).days
    when = f"距截止还有{days}日" if days >= 0 else f"已逾期{-days}日"
    return f"{scope}{year}年度行政执法数据尚未公布：应于{due.isoformat()}前公布（{RULE}），{when}"


@alert_rule("annual_report_unpublished", "年度行政执法数据未公布", threshold_label="截止前提前天数", default=31,
            basis=RULE)
def annual_report_unpublished(threshold, on: dt.date):
    from sanxiang.registry.choices import AgencyKind
    from sanxiang.registry.models import Agency

    year = on.year - 1
    due = report_due(year)
    if not (due - dt.timedelta(days=int(threshold or 31)) < on) or on.year != year + 1:
        return
    published = set(AnnualReport.objects.filter(year=year, status=ReportStatus.PUBLISHED)
                    .values_list("agency_id", flat=True))
    for agency in Agency.objects.filter(kind=AgencyKind.ENFORCEMENT).order_by("pk"):
        if agency.pk not in published:
            yield Finding(agency_id=agency.pk, subject=agency, due=due, roles=("agency_head", "legal_reviewer"),
                          key=f"annual-{year}", text=_unpublished_text(agency.name, year, due, on))
    if None not in published:
        supervisor = Agency.objects.filter(kind=AgencyKind.SUPERVISION).order_by("pk").first()
        if supervisor is not None:
            yield Finding(agency_id=None, subject=supervisor, due=due, roles=("supervisor",), key=f"annual-{year}-all",
                          text=_unpublished_text("全部执法机关", year, due, on))
