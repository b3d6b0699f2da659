"""预警规则的登记处: each app declares what it can warn about; the monitoring app runs them.

A rule is a function that, given its threshold (set by an administrator, stored as data by the
monitoring app) and a date, yields the findings that are true on that day. The monitoring app
stores each finding once as an alert, puts it on the workbench of the people concerned, sends
the daily digest and logs acknowledgement and dismissal. Apps register rules from their
AppConfig.ready() without importing the monitoring app:

    from sanxiang.common.alerts import Finding, alert_rule

    @alert_rule("seizure_expiring", "查封扣押期限即将届满", threshold_label="提前天数", default=5,
                basis="《行政强制法》第二十五条")
    def seizures_expiring(threshold: int, on: date):
        for seizure in ...:
            yield Finding(agency_id=..., subject=seizure, text="...", due=..., roles=("unit_head",))
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Finding:
    agency_id: int | None  # whose alert it is (None: the deployment, i.e. the supervisors)
    subject: object  # a Recorded row: the alert points at it (subject.ledger_ref())
    text: str  # Chinese, naming the rule and the figure: "案件…‘决定’环节3日后届满（2026-12-05）"
    due: dt.date | None = None
    case_id: int | None = None  # for the drill-down and the officers concerned
    user_ids: tuple[int, ...] = ()  # people concerned by name (the case's officers, the actor…)
    roles: tuple[str, ...] = ()  # roles of the agency concerned (unit_head, agency_head…)
    key: str = ""  # distinguishes two findings on one subject (e.g. which deadline)
    extra: dict = field(default_factory=dict)


@dataclass(frozen=True)
class AlertRuleSpec:
    code: str
    name: str
    find: Callable[[object, dt.date], Iterable[Finding]]
    threshold_label: str = ""
    default: object = None  # the threshold's default (a number of days, a ratio…)
    basis: str = ""  # the rule or article the warning serves
    severity: str = "warning"  # "warning" or "serious"


ALERT_RULES: dict[str, AlertRuleSpec] = {}


def alert_rule(code: str, name: str, *, threshold_label: str = "", default=None, basis: str = "",
               severity: str = "warning"):
    """Register `fn(threshold, on) -> Iterable[Finding]` as the early-warning rule `code`."""

    def register(fn):
        ALERT_RULES[code] = AlertRuleSpec(code=code, name=name, find=fn, threshold_label=threshold_label,
                                          default=default, basis=basis, severity=severity)
        return fn

    return register
