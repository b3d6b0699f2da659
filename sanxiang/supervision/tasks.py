"""Periodic job of the supervision app (huey, the instance of sanxiang.jobs): every morning at
JOBS_NIGHTLY_HOUR + 5 h (07:00 local by default), 催办 supervision matters past their deadline and
督办 those still unanswered `matter_escalate_working_days` working days after the reminder."""

from __future__ import annotations

import logging

from django.conf import settings
from huey.contrib.djhuey import db_periodic_task

from sanxiang.jobs.tasks import _local

logger = logging.getLogger(__name__)


def morning(moment) -> bool:
    local = _local(moment)
    return local.hour == (settings.JOBS_NIGHTLY_HOUR + 5) % 24 and local.minute == 0


@db_periodic_task(morning, name="supervision.matter_reminders")
def matter_reminders() -> dict:
    from sanxiang.supervision.matter_services import matters_remind_overdue

    counts = matters_remind_overdue()
    logger.info("监督案件催办 %(reminded)s 件，督办 %(escalated)s 件", counts)
    return counts
