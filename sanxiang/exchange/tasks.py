"""Scheduled push of the feed to the configured endpoints (every EXCHANGE_PUSH_INTERVAL_MINUTES)."""

from __future__ import annotations

from huey.contrib.djhuey import db_periodic_task

from sanxiang.jobs.tasks import every_minutes


@db_periodic_task(every_minutes("EXCHANGE_PUSH_INTERVAL_MINUTES"))
def exchange_push_scheduled() -> int:
    """One push tick; returns the number of attempts made (each is in the delivery log)."""
    from sanxiang.exchange.push import push_all

    return len(push_all())
