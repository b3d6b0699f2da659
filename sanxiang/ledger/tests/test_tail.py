"""The tail of the log is protected (issue 8 §5): checkpoints come from a job — on a schedule, after
every N entries, after each public entry — and are also appended to a file outside the database,
which `verify_ledger` checks the log against; reading the checkpoint never writes."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import stat

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from sanxiang.common.models import CalendarOverride
from sanxiang.common.services import record_save
from sanxiang.jobs import tasks
from sanxiang.ledger import checkpoint_file, keys, note
from sanxiang.ledger.models import Checkpoint, Entry, LedgerHead, TreeNode
from sanxiang.ledger.services import ledger_checkpoint, ledger_size
from sanxiang.ledger.verification import verify_all

pytestmark = pytest.mark.django_db


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """Run a block as if its transaction committed: its on-commit callbacks (jobs) run at the end."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def add_rows(commit, count: int) -> list[tuple[int, CalendarOverride]]:
    """`count` logged rows, each in its own committed write; (entry index, row) of each."""
    made = []
    for n in range(count):
        index = ledger_size()
        day = dt.date(2031, 1, 1) + dt.timedelta(days=CalendarOverride.objects.count())
        with commit():
            row = record_save(CalendarOverride(date=day, is_working_day=True, note=f"调整 {n}"), actor="tester")
        made.append((index, row))
    return made


def truncate(size: int) -> None:
    """What an attacker with database access does: cut the log to `size` entries, leaving it
    self-consistent (nodes, head and checkpoints above the cut removed too)."""
    Entry.objects.filter(index__gte=size).delete()
    for node in TreeNode.objects.all():
        if (node.index + 1) << node.level > size:
            node.delete()
    Checkpoint.objects.filter(tree_size__gt=size).delete()
    LedgerHead.objects.filter(pk=1).update(size=size)


class TestReadingNeverWrites:
    def test_anonymous_get_does_not_sign(self, world):
        response = Client().get("/transparency/v1/checkpoint")
        assert response.status_code == 404 and response.json()["error"]["code"] == "no_checkpoint"
        assert Checkpoint.objects.count() == 0
        signed = ledger_checkpoint()
        add_rows(lambda: _nothing(), 1)  # an entry after the checkpoint, committed with no job run
        for _ in range(3):
            data = Client().get("/transparency/v1/checkpoint").json()
        assert Checkpoint.objects.count() == 1
        assert data["tree_size"] == signed.tree_size < ledger_size()


class _nothing:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


class TestCheckpointJob:
    def test_checkpoint_after_every_n_entries(self, world, settings, commit):
        settings.LEDGER_CHECKPOINT_EVERY = 5
        start = ledger_size()
        add_rows(commit, 11)
        sizes = list(Checkpoint.objects.values_list("tree_size", flat=True))
        expected = [n for n in range(start + 1, start + 12) if n % 5 == 0]
        # Eleven entries cross two or three multiples of five, depending on where the log stood.
        assert sizes == expected and len(expected) in (2, 3)

    def test_a_public_entry_is_checkpointed_at_once(self, world, commit):
        from sanxiang.ledger.tests.test_ledger_db import published_case

        with commit():
            _, publication = published_case(world)
        assert Checkpoint.objects.order_by("-tree_size").first().tree_size > publication.ledger_index

    def test_scheduled_task_signs_the_current_tree(self, world):
        size = tasks.checkpoint_scheduled.call_local()
        assert size == ledger_size() == Checkpoint.objects.get().tree_size

    def test_schedule_validators(self, settings):
        settings.LEDGER_CHECKPOINT_INTERVAL_MINUTES = 5
        settings.TIME_ZONE = "Asia/Shanghai"
        settings.JOBS_NIGHTLY_HOUR = 2
        every = tasks.every_minutes("LEDGER_CHECKPOINT_INTERVAL_MINUTES")
        due = [m for m in range(60) if every(dt.datetime(2026, 12, 1, 10, m))]
        assert due == list(range(0, 60, 5))
        nightly = tasks.nightly(20)
        # 02:20 in Beijing is 18:20 UTC the day before.
        assert nightly(dt.datetime(2026, 11, 30, 18, 20)) and not nightly(dt.datetime(2026, 12, 1, 2, 20))


class TestCheckpointFile:
    def test_each_checkpoint_is_appended_once_in_growing_size(self, world, commit):
        with commit():
            first = ledger_checkpoint()
        with commit():
            ledger_checkpoint()  # the same tree: no second line
        add_rows(commit, 2)
        with commit():
            second = ledger_checkpoint()
        witnessed, warnings = checkpoint_file.read()
        assert [w.tree_size for w in witnessed] == [first.tree_size, second.tree_size] and not warnings
        assert witnessed[-1].note == second.note and witnessed[-1].root_hash == bytes(second.root_hash)
        mode = stat.S_IMODE(os.stat(checkpoint_file.path()).st_mode)
        assert mode == 0o600
        note.verify_note(witnessed[0].note, keys.key_name(), keys.public_key())

    def test_an_older_checkpoint_is_never_appended_after_a_newer(self, world, commit):
        add_rows(commit, 1)
        with commit():
            cp = ledger_checkpoint()
        assert checkpoint_file.append(cp.tree_size - 1, b"\0" * 32, cp.note) is False
        assert [w.tree_size for w in checkpoint_file.read()[0]] == [cp.tree_size]

    def test_a_torn_last_line_is_cut_before_the_next_append(self, world, commit):
        with commit():
            ledger_checkpoint()
        with open(checkpoint_file.path(), "ab") as handle:
            handle.write(b'{"tree_size": 99')  # a crash in the middle of a write
        assert checkpoint_file.read()[1]  # reported as a warning, not as tampering
        add_rows(commit, 1)
        with commit():
            cp = ledger_checkpoint()
        witnessed, warnings = checkpoint_file.read()
        assert witnessed[-1].tree_size == cp.tree_size and not warnings


class TestTruncationIsCaught:
    def test_deleting_the_newest_entries_with_their_rows_is_reported_naming_the_size(self, world, settings, commit):
        settings.LEDGER_CHECKPOINT_EVERY = 4
        made = add_rows(commit, 10)
        witnessed = Checkpoint.objects.order_by("-tree_size").first().tree_size
        assert verify_all().ok
        # Cut the log below the last witnessed size, with the rows those entries wrote.
        cut = made[3][0]
        assert cut < witnessed
        for index, row in made:
            if index >= cut:
                CalendarOverride.objects.filter(pk=row.pk).delete()
        truncate(cut)
        report = verify_all()
        assert not report.ok and report.first_bad_index == cut
        message = " ".join(p.message for p in report.problems)
        assert f"见证过大小为 {witnessed} 的日志" in message and f"数据库中只有 {cut} 条" in message
        with pytest.raises(CommandError, match=f"首个异常条目序号 {cut}"):
            call_command("verify_ledger")

    def test_without_the_file_the_same_truncation_would_pass(self, world, settings, commit):
        """Why the file exists: the database alone is consistent after a careful truncation."""
        settings.LEDGER_CHECKPOINT_EVERY = 4
        made = add_rows(commit, 10)
        cut = made[3][0]
        for index, row in made:
            if index >= cut:
                CalendarOverride.objects.filter(pk=row.pk).delete()
        truncate(cut)
        checkpoint_file.path().unlink()
        assert verify_all().ok

    def test_an_edited_file_line_is_reported(self, world, commit):
        add_rows(commit, 2)
        with commit():
            ledger_checkpoint()
        path = checkpoint_file.path()
        record = json.loads(path.read_text())
        record["tree_size"] += 1
        path.write_text(json.dumps(record) + "\n")
        report = verify_all()
        assert not report.ok and any("签名无效" in p.message for p in report.problems)

    def test_a_rewritten_history_of_the_same_size_is_reported(self, world, commit):
        add_rows(commit, 3)
        with commit():
            cp = ledger_checkpoint()
        # Another log of the same size, signed with our key: its root is not the witnessed one.
        other_root = bytes(32)
        other = note.sign_note(note.checkpoint_body(keys.key_name(), cp.tree_size, other_root), keys.key_name(),
                               keys.signing_key())
        path = checkpoint_file.path()
        path.write_text("")
        checkpoint_file.append(cp.tree_size, other_root, other)
        report = verify_all()
        assert any(f"日志的前 {cp.tree_size} 条被改写" in p.message for p in report.problems)


class TestFileWarnings:
    def test_a_file_behind_the_database_is_a_warning_not_an_error(self, world, commit):
        with commit():
            ledger_checkpoint()
        add_rows(lambda: _nothing(), 1)
        ledger_checkpoint()  # committed by nobody here: its line is never appended
        report = verify_all()
        assert report.ok and any("检查点文件落后" in w for w in report.warnings)

    def test_no_file_at_all_is_a_warning(self, world):
        ledger_checkpoint()
        report = verify_all()
        assert report.ok and any("不存在" in w for w in report.warnings)
        out = io.StringIO()
        call_command("verify_ledger", stdout=out)
        assert "注意：" in out.getvalue()
