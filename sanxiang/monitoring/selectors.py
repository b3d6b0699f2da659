"""Reads of the supervisor's platform: dashboard figures (from the tallies), the drill-down case
list behind each figure (from the cases, same definitions), alerts and digests.

Who sees what is accounts.scoping: supervisors every agency, agency heads their agency tree.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import F, Q, QuerySet, Sum
from django.utils import timezone

from sanxiang.accounts.models import Role
from sanxiang.accounts.scoping import agency_q, agency_scope
from sanxiang.common.exceptions import RoleNotAllowed, ValidationFailed
from sanxiang.monitoring import complaints
from sanxiang.monitoring.models import (
    Alert,
    AlertStatus,
    CaseTally,
    Digest,
    DueTally,
    MonthTally,
    PublicationTally,
    ReviewTally,
)
from sanxiang.monitoring.tally import open_q

DASHBOARD_ROLES = (Role.SUPERVISOR, Role.AGENCY_HEAD)
# Staff who have a workbench and may see alerts (administrators read no case content: 三权分立).
ALERT_ROLES = (Role.OFFICER, Role.UNIT_HEAD, Role.LEGAL_REVIEWER, Role.AGENCY_HEAD, Role.SUPERVISOR)
DUE_SOON_DAYS = 7
CERT_WINDOW_DAYS = 60
MONTHS = 12


def can_see_dashboard(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.role in DASHBOARD_ROLES)


def require_dashboard(user) -> None:
    if not can_see_dashboard(user):
        raise RoleNotAllowed("监督驾驶舱仅供执法监督人员和机关负责人查看", code="role_not_allowed")


def can_see_alerts(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.role in ALERT_ROLES)


def _scoped(qs, user, path: str = "agency_id"):
    q = agency_q(user, path)
    return qs.none() if q is None else qs.filter(q)


def _month_start(on: dt.date, back: int) -> dt.date:
    """The first day of the month `back` months before `on`'s (negative: after)."""
    index = on.year * 12 + (on.month - 1) - back
    return dt.date(index // 12, index % 12 + 1, 1)


def _labels():
    from sanxiang.registry.choices import ActionKind
    from sanxiang.registry.models import Agency

    return dict(ActionKind.choices), dict(Agency.objects.values_list("pk", "name"))


def state_labels() -> dict[str, str]:
    from sanxiang.cases.engine import flow_spec
    from sanxiang.registry.models import Flow

    labels: dict[str, str] = {}
    for flow in Flow.objects.all():
        spec = flow_spec(flow)
        for code in [*spec.steps, *spec.final]:
            labels.setdefault(code, spec.step_name(code))
    return labels


@dataclass
class Row:
    label: str
    n: int
    link: dict  # the drill-down filter (query parameters of monitoring:cases)
    extra: dict | None = None


def dashboard(user, on: dt.date | None = None, *, due_days: int = DUE_SOON_DAYS) -> dict:
    """Every figure of the dashboard, each with the filter of the list behind it."""
    require_dashboard(user)
    on = on or timezone.localdate()
    kinds, agencies = _labels()
    tally = _scoped(CaseTally.objects.all(), user)
    by_agency = [Row(agencies.get(r["agency_id"], str(r["agency_id"])), r["total"], {"agency": str(r["agency_id"])},
                     {"open": r["t_open"], "fines": r["t_fines"] or Decimal(0)})
                 for r in tally.values("agency_id").annotate(total=Sum("n"), t_open=Sum("n", filter=Q(final=False)),
                                                             t_fines=Sum("fine_sum", filter=Q(decided=True)))
        .order_by("-total")]
    by_kind = [Row(kinds.get(r["kind"], r["kind"]), r["total"], {"kind": r["kind"]})
               for r in tally.values("kind").annotate(total=Sum("n")).order_by("-total")]
    states = state_labels()
    by_state = [Row(states.get(r["state"], r["state"]), r["total"], {"state": r["state"]})
                for r in tally.values("state").annotate(total=Sum("n")).order_by("-total")]
    since = _month_start(on, MONTHS - 1)
    months = {r["month"]: r["total"] for r in _scoped(MonthTally.objects.filter(month__gte=since), user)
              .values("month").annotate(total=Sum("n"))}
    by_month = []
    for back in range(MONTHS - 1, -1, -1):
        m = _month_start(on, back)
        by_month.append(Row(f"{m:%Y-%m}", months.get(m, 0), {"month": f"{m:%Y-%m}"}))
    agg = tally.aggregate(t_n=Sum("n"), t_open=Sum("n", filter=Q(final=False)),
                          t_decided=Sum("n", filter=Q(decided=True)),
                          t_requested=Sum("n", filter=Q(decided=True, hearing_requested=True)),
                          t_held=Sum("n", filter=Q(decided=True, hearing_held=True)),
                          t_fined=Sum("fined", filter=Q(decided=True)), t_fines=Sum("fine_sum", filter=Q(decided=True)))
    totals = {k[2:]: v or 0 for k, v in agg.items()}
    due = _scoped(DueTally.objects.all(), user)
    overdue = due.filter(due__lt=on).aggregate(total=Sum("n"))["total"] or 0
    soon = due.filter(due__gte=on, due__lte=on + dt.timedelta(days=due_days)).aggregate(total=Sum("n"))["total"] or 0
    reviews = _scoped(ReviewTally.objects.all(), user)
    opinions = {r["opinion"]: r["total"] for r in reviews.values("opinion").annotate(total=Sum("n"))}
    from sanxiang.reviews.models import Opinion

    review_rows = [Row(label, opinions.get(code, 0), {"review": code}) for code, label in Opinion.choices]
    review_total = sum(opinions.values())
    publications = publication_figures(user, on)
    certs = certificate_figures(user, on)
    staffing = reviewer_figures(user, on)
    return {
        "on": on, "due_days": due_days,
        "totals": totals, "overdue": overdue, "due_soon": soon,
        "by_agency": by_agency, "by_kind": by_kind, "by_state": by_state, "by_month": by_month,
        "reviews": review_rows, "review_total": review_total,
        "return_rate": _rate(opinions.get("return", 0), review_total),
        "hearing_rate": _rate(totals["held"], totals["decided"]),
        "hearing_request_rate": _rate(totals["requested"], totals["decided"]),
        "publications": publications, "certificates": certs,
        "complaints": complaints.complaint_count(user, on),
        "reviewers": staffing, "reviewers_short": sum(1 for r in staffing if not r["ok"]),
    }


def reviewer_figures(user, on: dt.date) -> list[dict]:
    """法制审核人员配备 of each enforcement agency in scope against the 5% rule (registry's one rule)."""
    from sanxiang.registry.choices import AgencyKind
    from sanxiang.registry.models import Agency
    from sanxiang.registry.selectors import reviewer_staffing

    agencies = _scoped(Agency.objects.filter(kind=AgencyKind.ENFORCEMENT), user, "pk").order_by("code")
    return [reviewer_staffing(a, on) for a in agencies]


def _rate(part, whole) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


def publication_figures(user, on: dt.date) -> list[Row]:
    """公示 timeliness: published within the period, published late, pending past the period, pending."""
    qs = _scoped(PublicationTally.objects.all(), user)
    figures = qs.aggregate(
        on_time=Sum("n", filter=Q(status="published", late=False)),
        late=Sum("n", filter=Q(status="published", late=True)),
        overdue=Sum("n", filter=Q(status="pending", due__lt=on)),
        waiting=Sum("n", filter=Q(status="pending", due__gte=on)),
    )
    labels = {"on_time": "按期公示", "late": "逾期公示", "overdue": "超期未公示", "waiting": "待公示（未超期）"}
    return [Row(labels[k], figures[k] or 0, {"publication": k}) for k in labels]


def certificates_expiring(user, on: dt.date, days: int = CERT_WINDOW_DAYS) -> QuerySet:
    """Officers of the user's scope whose certificate expires within `days` (or has expired)."""
    from sanxiang.registry.models import Officer

    qs = _scoped(Officer.objects.filter(certificate_no__isnull=False, valid_to__isnull=False), user)
    return qs.filter(valid_to__lte=on + dt.timedelta(days=days)).select_related("agency").order_by("valid_to", "pk")


def certificate_figures(user, on: dt.date) -> list[Row]:
    qs = certificates_expiring(user, on)
    expired = qs.filter(valid_to__lt=on).count()
    return [Row("已过期", expired, {"cert": "expired"}), Row(f"{CERT_WINDOW_DAYS}日内到期", qs.count() - expired,
                                                           {"cert": "expiring"})]


# --- The list behind each figure --------------------------------------------------------------

CASE_FILTERS = ("agency", "kind", "state", "month", "final", "overdue", "due_soon", "decided", "hearing", "fined",
                "review", "publication")


def _int(params, name: str) -> int | None:
    raw = str(params.get(name) or "").strip()
    if not raw:
        return None
    if not raw.isdigit():
        raise ValidationFailed(f"筛选条件“{name}”须为数字", field=name, code="filter_invalid")
    return int(raw)


def case_drilldown(user, params, on: dt.date | None = None) -> QuerySet:
    """The cases behind a dashboard figure: the same definitions the tallies count by."""
    from sanxiang.cases.models import Case
    from sanxiang.disclosure.models import PublicationStatus

    require_dashboard(user)
    on = on or timezone.localdate()
    qs = Case.objects.visible_to(user).select_related("agency", "item", "flow")
    agency = _int(params, "agency")
    if agency is not None:
        qs = qs.filter(agency_id=agency)
    if params.get("kind"):
        qs = qs.filter(item__kind=params["kind"])
    if params.get("state"):
        qs = qs.filter(state=params["state"])
    if params.get("month"):
        try:
            start = dt.datetime.strptime(params["month"], "%Y-%m").date()
        except ValueError:
            raise ValidationFailed("月份须为 YYYY-MM", field="month", code="filter_invalid") from None
        qs = qs.filter(opened_on__gte=start, opened_on__lt=_month_start(start, -1))
    if params.get("final") in ("0", "1"):
        qs = qs.filter(open_q()) if params["final"] == "0" else qs.exclude(open_q())
    due_q = Q(step_due__isnull=False) | Q(decision_due__isnull=False, decided_on__isnull=True)
    if params.get("overdue") == "1":
        qs = qs.filter(open_q()).filter(Q(step_due__lt=on) | Q(decision_due__lt=on, decided_on__isnull=True))
    days = _int(params, "due_soon")
    if days is not None:
        # Earliest deadline within [on, on+days]: none earlier than today, at least one within.
        end = on + dt.timedelta(days=days)
        qs = (qs.filter(open_q()).filter(due_q)
              .exclude(Q(step_due__lt=on) | Q(decision_due__lt=on, decided_on__isnull=True))
              .filter(Q(step_due__lte=end) | Q(decision_due__lte=end, decided_on__isnull=True)))
    if params.get("decided") == "1":
        qs = qs.filter(decided_on__isnull=False)
    if params.get("hearing") == "held":
        qs = qs.filter(decided_on__isnull=False, hearing_held_on__isnull=False)
    elif params.get("hearing") == "requested":
        qs = qs.filter(decided_on__isnull=False, hearing_requested=True)
    if params.get("fined") == "1":
        qs = qs.filter(decided_on__isnull=False, fine_amount__isnull=False)
    if params.get("review"):
        qs = qs.filter(reviews__opinion=params["review"]).distinct()
    pub = params.get("publication")
    if pub:
        published = Q(publications__status=PublicationStatus.PUBLISHED)
        pending = Q(publications__status=PublicationStatus.PENDING)
        cond = {
            "on_time": published & (Q(publications__due_on__isnull=True)
                                    | Q(publications__published_at__date__lte=F("publications__due_on"))),
            "late": published & Q(publications__published_at__date__gt=F("publications__due_on")),
            "overdue": pending & Q(publications__due_on__lt=on),
            "waiting": pending & ~Q(publications__due_on__lt=on),
        }.get(pub)
        if cond is None:
            raise ValidationFailed("公示筛选条件无效", field="publication", code="filter_invalid")
        qs = qs.filter(cond).distinct()
    return qs.order_by("-opened_on", "-pk")


def drilldown_title(params, on: dt.date) -> str:
    kinds, agencies = _labels()
    parts = []
    if params.get("agency", "").isdigit():
        parts.append(agencies.get(int(params["agency"]), ""))
    if params.get("kind"):
        parts.append(kinds.get(params["kind"], params["kind"]))
    if params.get("state"):
        parts.append(f"环节：{state_labels().get(params['state'], params['state'])}")
    if params.get("month"):
        parts.append(f"{params['month']}立案")
    if params.get("overdue") == "1":
        parts.append("已超期")
    if params.get("due_soon"):
        parts.append(f"{params['due_soon']}日内届满")
    if params.get("final") == "0":
        parts.append("办理中")
    if params.get("final") == "1":
        parts.append("已办结")
    if params.get("hearing"):
        parts.append("举行听证" if params["hearing"] == "held" else "申请听证")
    if params.get("fined") == "1":
        parts.append("处以罚款")
    if params.get("review"):
        from sanxiang.reviews.models import Opinion

        parts.append(f"法制审核：{dict(Opinion.choices).get(params['review'], params['review'])}")
    if params.get("publication"):
        parts.append({"on_time": "按期公示", "late": "逾期公示", "overdue": "超期未公示",
                      "waiting": "待公示"}.get(params["publication"], ""))
    return "、".join(p for p in parts if p) or "全部案件"


# --- Alerts -----------------------------------------------------------------------------------

def alert_list(user, *, rule: str = "", status: str = "", agency: int | None = None, mine: bool = False,
               case_number: str = "") -> QuerySet[Alert]:
    if not can_see_alerts(user):
        return Alert.objects.none()
    qs = Alert.objects.visible_to(user).select_related("rule", "agency", "case", "handled_by")
    if rule:
        qs = qs.filter(rule__code=rule)
    if status:
        qs = qs.filter(status=status)
    if agency:
        qs = qs.filter(agency_id=agency)
    if mine:
        qs = qs.filter(recipients__user=user)
    if case_number:
        qs = qs.filter(case__number__icontains=case_number)
    return qs.distinct().order_by("-found_on", "-pk")


def workbench_alerts(user, limit: int = 20) -> list[Alert]:
    """The open alerts addressed to `user` (their workbench panel)."""
    if not can_see_alerts(user):
        return []
    return list(Alert.objects.filter(recipients__user=user, status=AlertStatus.OPEN)
                .select_related("rule", "case").order_by("due", "-pk")[:limit])


def alert_get(user, pk: int) -> Alert:
    if not can_see_alerts(user):
        raise RoleNotAllowed("预警信息仅供办案、审核和监督人员查看", code="role_not_allowed")
    return Alert.objects.select_related("rule", "case").get_visible(user, pk=pk, message="预警不存在或无权查看")


def digests_for(user) -> QuerySet[Digest]:
    return Digest.objects.filter(user=user).order_by("-day")


def scope_ids(user):
    return agency_scope(user)
