"""Scheduled job: 抽查结果公示, on the 1st of each month at 03:00 local time (settings.TIME_ZONE)."""

from __future__ import annotations

import datetime as dt

from huey.contrib.djhuey import db_periodic_task

from sanxiang.jobs.tasks import _local


def monthly(moment: dt.datetime) -> bool:
    """A periodic-task validator: the 1st of the month, 03:00 local time."""
    local = _local(moment)
    return local.day == 1 and local.hour == 3 and local.minute == 0


@db_periodic_task(monthly)
def publish_inspection_results() -> int:
    from sanxiang.inspections.services import results_publish_due

    return len(results_publish_due())
