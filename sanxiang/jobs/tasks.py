"""Background jobs (huey): checkpoints, nightly verification, upload clean-up.

The queue is huey's SQLite storage under var/ by default, Redis when REDIS_URL is set (settings
HUEY); `sanxiang worker` consumes it and runs the periodic tasks below. Every job calls the same
service the command line does. Results of the nightly checks are stored (IntegrityCheck, with a
ledger entry) and shown to supervisors at /staff/supervision/integrity/.

Schedules (times in settings.TIME_ZONE, Asia/Shanghai by default):
- checkpoint: every LEDGER_CHECKPOINT_INTERVAL_MINUTES (5), and queued after every
  LEDGER_CHECKPOINT_EVERY entries (500) and after each public entry (ledger.services);
- verify_ledger, verify_evidence, cleanup_uploads: nightly at JOBS_NIGHTLY_HOUR (02:00, 02:20, 02:40).
"""

from __future__ import annotations

import datetime as dt
import logging
import time
import zoneinfo

from django.conf import settings
from huey.contrib.djhuey import db_periodic_task, db_task

from sanxiang.ledger.models import CheckKind

logger = logging.getLogger(__name__)


def _local(moment: dt.datetime) -> dt.datetime:
    """huey hands periodic validators a naive UTC time (HUEY utc=True): convert to local time."""
    return moment.replace(tzinfo=dt.UTC).astimezone(zoneinfo.ZoneInfo(settings.TIME_ZONE))


def every_minutes(minutes_setting: str):
    """A periodic-task validator: minutes divisible by the setting's value (read at each tick)."""
    def due(moment: dt.datetime) -> bool:
        interval = max(int(getattr(settings, minutes_setting)), 1)
        local = _local(moment)
        return (local.hour * 60 + local.minute) % interval == 0
    return due


def nightly(minute: int):
    """A periodic-task validator: once a day at JOBS_NIGHTLY_HOUR:minute local time."""
    def due(moment: dt.datetime) -> bool:
        local = _local(moment)
        return local.hour == settings.JOBS_NIGHTLY_HOUR and local.minute == minute
    return due


@db_task()
def checkpoint_job() -> int:
    """Sign a checkpoint of the current tree (no-op if the newest covers it); returns its size."""
    from sanxiang.ledger import checkpoint_file
    from sanxiang.ledger.services import ledger_checkpoint

    cp = ledger_checkpoint()
    # The on-commit append is best effort; here a file that cannot be written is an error that
    # reaches the supervisors' page (a no-op when the file has the checkpoint already).
    checkpoint_file.append(cp.tree_size, bytes(cp.root_hash), cp.note)
    from sanxiang.ledger.witnessing import witness_collect

    witness_collect(cp)  # cosignatures of the configured witnesses (README 见证者)
    return cp.tree_size


@db_periodic_task(every_minutes("LEDGER_CHECKPOINT_INTERVAL_MINUTES"))
def checkpoint_scheduled() -> int:
    try:
        return checkpoint_job.call_local()
    except Exception as exc:
        # A checkpoint that cannot be signed (e.g. the key is gone) must reach the supervisors.
        _record(CheckKind.CHECKPOINT, False, f"签发检查点失败：{exc}", [], 0.0)
        raise


def _record(kind: str, ok: bool, message: str, details: list[str], duration: float):
    from sanxiang.ledger.services import integrity_check_record

    row = integrity_check_record(kind=kind, ok=ok, message=message, details=details, duration=duration)
    (logger.info if ok else logger.error)("%s: %s", kind, message)
    return row


def run_verify_ledger():
    """verify_ledger (rows and content too) and store the result."""
    from sanxiang.ledger.verification import verify_all

    started = time.monotonic()
    report = verify_all(jobs=1)
    details = [(f"[条目 {p.index}] " if p.index is not None else "") + p.message for p in report.problems[:200]]
    details += [f"注意：{w}" for w in report.warnings]
    if report.ok:
        message = (f"通过：日志 {report.size} 条，检查点 {report.checkpoints} 个（文件中 {report.witnessed} 个），"
                   f"业务数据 {report.rows} 行，文件 {report.files} 个"
                   + (f"；{len(report.warnings)} 条注意事项，见明细" if report.warnings else ""))
    else:
        message = f"未通过：{len(report.problems)} 个问题，首个异常条目 {report.first_bad_index}"
    return _record(CheckKind.VERIFY_LEDGER, report.ok, message, details, time.monotonic() - started)


def run_verify_evidence():
    from sanxiang.records.services import human_size
    from sanxiang.records.verification import verify_files

    started = time.monotonic()
    report = verify_files()
    details = [(f"[日志条目 {p.ledger_index}] " if p.ledger_index is not None else "") + p.message
               for p in report.problems[:200]]
    message = (f"{'通过' if report.ok else '未通过'}：文件 {report.files} 个（{human_size(report.bytes)}），"
               f"缺失 {report.count('missing')} 个，被修改 {report.count('changed')} 个")
    return _record(CheckKind.VERIFY_EVIDENCE, report.ok, message, details, time.monotonic() - started)


def run_cleanup_uploads():
    from sanxiang.records.chunked import uploads_cleanup

    started = time.monotonic()
    stats = uploads_cleanup()
    message = (f"过期上传 {stats['expired']} 个，无主临时文件 {stats['orphans']} 个，"
               f"删除旧上传记录 {stats['purged']} 条")
    return _record(CheckKind.CLEANUP_UPLOADS, True, message, [], time.monotonic() - started)


@db_periodic_task(nightly(0))
def verify_ledger_nightly():
    return run_verify_ledger().pk


@db_periodic_task(nightly(20))
def verify_evidence_nightly():
    return run_verify_evidence().pk


@db_periodic_task(nightly(40))
def cleanup_uploads_nightly():
    return run_cleanup_uploads().pk


@db_task()
def ping(value: str) -> str:
    """A task with no side effect, to see the queue work end to end (the queue tests use it)."""
    return f"pong:{value}"
