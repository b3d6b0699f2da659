"""The figures of an annual report (年度行政执法数据), computed from the data.

Everything is counted from the rows the services wrote: cases opened in the year by kind and
outcome, decisions and fines, hearings, legal reviews by opinion, publication timeliness (released
within the due date or not). Figures that other apps own — reconsideration (行政复议), litigation
(行政诉讼), complaints (投诉举报) — are read through `figure_source`: an app registers
`fn(agency_ids, year) -> {"count", "by_outcome", "note"}` under the figure's code; until one does,
the figure is 0 with a note saying that nothing is recorded, never a guess.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone

FigureFn = Callable[[list[int] | None, int], dict]
FIGURE_SOURCES: dict[str, tuple[str, FigureFn]] = {}
PLUGGABLE = {
    "reconsideration": ("行政复议", "本系统尚未记录行政复议案件，计为0"),
    "litigation": ("行政诉讼", "本系统尚未记录行政诉讼案件，计为0"),
    "complaints": ("投诉举报", "投诉举报模块尚未启用，计为0"),
}


def figure_source(code: str, label: str = ""):
    """Register `fn(agency_ids or None, year) -> {"count": int, "by_outcome": {label: n}, "note": str}`."""

    def register(fn):
        FIGURE_SOURCES[code] = (label or PLUGGABLE.get(code, (code,))[0], fn)
        return fn

    return register


def _pluggable(code: str, agency_ids, year: int) -> dict:
    label, note = PLUGGABLE[code]
    if code in FIGURE_SOURCES:
        label, fn = FIGURE_SOURCES[code]
        found = fn(agency_ids, year)
        return {"label": label, "count": int(found.get("count", 0)), "by_outcome": dict(found.get("by_outcome", {})),
                "note": found.get("note", ""), "recorded": True}
    return {"label": label, "count": 0, "by_outcome": {}, "note": note, "recorded": False}


def _in(path: str, agency_ids) -> Q:
    return Q() if agency_ids is None else Q(**{f"{path}__in": agency_ids})


def _year_range(year: int) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_current_timezone()
    return (dt.datetime(year, 1, 1, tzinfo=tz), dt.datetime(year + 1, 1, 1, tzinfo=tz))


def _labels(choices) -> dict:
    return dict(choices)


def _outcome(case, finals: dict) -> str:
    return finals.get(case.state) or "办理中"


def _money(value) -> str:
    return format((value or Decimal(0)).quantize(Decimal("0.01")), "f")


def case_figures(agency_ids, year: int) -> dict:
    from sanxiang.cases.models import Case
    from sanxiang.registry.choices import ActionKind

    kinds = _labels(ActionKind.choices)
    by_kind: Counter = Counter()
    by_outcome: dict[str, Counter] = {}
    rows = (Case.objects.filter(_in("agency_id", agency_ids), opened_on__year=year)
            .select_related("item", "flow").only("state", "item__kind", "flow__definition"))
    for case in rows:
        kind = kinds.get(case.item.kind, case.item.kind)
        by_kind[kind] += 1
        finals = (case.flow.definition or {}).get("final") or {}
        by_outcome.setdefault(kind, Counter())[_outcome(case, finals)] += 1
    return {"total": sum(by_kind.values()), "by_kind": dict(by_kind),
            "by_kind_outcome": {k: dict(v) for k, v in by_outcome.items()}}


def decision_figures(agency_ids, year: int) -> dict:
    from sanxiang.cases.choices import PenaltyKind
    from sanxiang.cases.models import Decision

    labels = _labels(PenaltyKind.choices)
    decisions = Decision.objects.filter(_in("case__agency_id", agency_ids), decided_on__year=year)
    by_penalty: Counter = Counter()
    fined, total = 0, Decimal(0)
    count = 0
    for decision in decisions.only("penalty_kinds", "fine_amount"):
        count += 1
        for kind in decision.penalty_kinds or []:
            by_penalty[labels.get(kind, kind)] += 1
        if decision.fine_amount:
            fined += 1
            total += decision.fine_amount
    return {"count": count, "by_penalty_kind": dict(by_penalty), "fined": fined, "fine_total": _money(total)}


def hearing_figures(agency_ids, year: int) -> dict:
    from sanxiang.cases.models import Case

    scoped = Case.objects.filter(_in("agency_id", agency_ids))
    return {"held": scoped.filter(hearing_held_on__year=year).count(),
            "requested": scoped.filter(opened_on__year=year, hearing_requested=True).count()}


def review_figures(agency_ids, year: int) -> dict:
    from sanxiang.reviews.models import LegalReview, Opinion

    start, end = _year_range(year)
    labels = _labels(Opinion.choices)
    reviews = LegalReview.objects.filter(_in("case__agency_id", agency_ids), submitted_at__gte=start,
                                         submitted_at__lt=end)
    by_opinion: Counter = Counter()
    overdue = 0
    for review in reviews.only("opinion", "overdue"):
        by_opinion[labels.get(review.opinion, review.opinion)] += 1
        overdue += review.overdue
    return {"count": sum(by_opinion.values()), "by_opinion": dict(by_opinion), "overdue": overdue}


def publication_figures(agency_ids, year: int, on: dt.date) -> dict:
    """Decisions of the year that must be published: on time, late, still pending (overdue or not)."""
    from sanxiang.disclosure.models import Publication, PublicationStatus

    counts = Counter()
    rows = Publication.objects.filter(_in("agency_id", agency_ids), decided_on__year=year)
    # Versions made by a correction are the same decision: count each decision once (version 1).
    if any(f.name == "version" for f in Publication._meta.fields):
        rows = rows.filter(version=1)
    for p in rows.only("status", "due_on", "published_at"):
        if p.published_at is not None:
            published_on = timezone.localdate(p.published_at)
            counts["on_time" if p.due_on is None or published_on <= p.due_on else "late"] += 1
        elif p.status == PublicationStatus.PENDING:
            counts["pending_overdue" if p.due_on is not None and on > p.due_on else "pending"] += 1
        else:
            counts["other"] += 1
    total = sum(counts.values())
    on_time = counts["on_time"]
    return {"total": total, "on_time": on_time, "late": counts["late"], "pending": counts["pending"],
            "pending_overdue": counts["pending_overdue"],
            "on_time_rate": f"{on_time * 100 / total:.1f}%" if total else "—"}


def compute_figures(agency, year: int, *, on: dt.date | None = None) -> dict:
    """All figures of `agency` (and the agencies below it) or of the whole deployment (None)."""
    on = on or timezone.localdate()
    agency_ids = agency.descendant_ids() if agency is not None else None
    return {
        "year": year,
        "scope": agency.name if agency is not None else "全部执法机关",
        "agency": agency.code if agency is not None else None,
        "as_of": on.isoformat(),
        "cases": case_figures(agency_ids, year),
        "decisions": decision_figures(agency_ids, year),
        "hearings": hearing_figures(agency_ids, year),
        "reviews": review_figures(agency_ids, year),
        "publications": publication_figures(agency_ids, year, on),
        **{code: _pluggable(code, agency_ids, year) for code in PLUGGABLE},
    }
