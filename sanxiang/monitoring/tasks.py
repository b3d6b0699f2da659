"""The early-warning jobs (huey, the instance of sanxiang.jobs): every morning the rules run,
the tallies are rebuilt, and each user's daily digest is made."""

from __future__ import annotations

from huey.contrib.djhuey import db_periodic_task

from sanxiang.jobs.tasks import _local


def morning(hour: int = 6, minute: int = 30):
    def due(moment) -> bool:
        local = _local(moment)
        return local.hour == hour and local.minute == minute
    return due


def alerts_daily() -> dict:
    """Run the rules and make the digests for today (also `sanxiang alerts_run --digest`)."""
    from sanxiang.monitoring.services import alerts_run, digests_make

    counts = alerts_run()
    digests = digests_make()
    return {"alerts": counts, "digests": len(digests)}


@db_periodic_task(morning())
def alerts_daily_job() -> dict:
    return alerts_daily()


@db_periodic_task(morning(3, 0))
def tallies_rebuild_job() -> dict:
    """Nightly recount of the dashboard's tallies (repairs anything written around the hooks)."""
    from sanxiang.monitoring.tally import rebuild

    return rebuild()
