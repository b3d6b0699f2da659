"""The dashboard's complaint count, pluggable: the supervision app (投诉举报) registers a counter
when its complaint model exists; until then the figure is 0 and the page says no source is set.

    from sanxiang.monitoring.complaints import complaint_counter

    @complaint_counter
    def count(user, on):  # the complaints of the user's scope
        return Complaint.objects.visible_to(user).count()
"""

from __future__ import annotations

COUNTERS: list = []


def complaint_counter(fn):
    COUNTERS.append(fn)
    return fn


def _supervision_complaints():
    """The supervision app's complaints (投诉举报), when that app has them (sanxiang.supervision.matters)."""
    try:
        from sanxiang.supervision.matters import Complaint
    except ImportError:
        return None
    return Complaint


def _counters() -> list:
    if COUNTERS:
        return COUNTERS
    model = _supervision_complaints()
    if model is None:
        return []
    return [lambda user, on: model.objects.visible_to(user).count()]


def complaint_source() -> bool:
    return bool(_counters())


def complaint_count(user, on) -> int:
    return sum(int(fn(user, on)) for fn in _counters())
