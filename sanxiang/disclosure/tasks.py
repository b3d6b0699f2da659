"""Periodic job of the publicity app (same huey instance as sanxiang.jobs.tasks): every night,
take down the publications whose display period ended, each with its ledger entry."""

from __future__ import annotations

from huey.contrib.djhuey import db_periodic_task

from sanxiang.jobs.tasks import nightly


@db_periodic_task(nightly(50))
def expire_publications_job() -> int:
    from sanxiang.disclosure.lifecycle import publications_expire

    return len(publications_expire())
