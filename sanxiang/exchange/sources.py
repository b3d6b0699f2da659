"""Figures the annual report reads from other apps: 投诉举报 from the supervision app's complaints."""

from __future__ import annotations

from collections import Counter

from sanxiang.exchange.figures import figure_source


@figure_source("complaints", "投诉举报")
def complaints(agency_ids, year: int) -> dict:
    """Complaints received in the year, routed to the agencies in scope (the deployment's report also
    counts those handled by the justice bureau itself), by status."""
    from sanxiang.exchange.figures import _year_range
    from sanxiang.supervision.matters import Complaint, ComplaintStatus

    start, end = _year_range(year)
    rows = Complaint.objects.filter(received_at__gte=start, received_at__lt=end)
    if agency_ids is not None:
        rows = rows.filter(agency_id__in=agency_ids)
    labels = dict(ComplaintStatus.choices)
    by_status = Counter(labels.get(s, s) for s in rows.values_list("status", flat=True))
    return {"count": sum(by_status.values()), "by_outcome": dict(by_status),
            "note": "按收到时间统计，含匿名投诉举报"}
