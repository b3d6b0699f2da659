"""bench/run.py's code paths at a tiny size. Nothing here is timed: the tests check that what
the benchmark reports really holds (gapless log, tree and checkpoints verify, proofs verify),
and that the block-wise (and multi-process) verification still names the first bad index."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from django.db import connection

from bench import ledger_bench as lb
from sanxiang.common.canonical import canonical_bytes
from sanxiang.ledger import merkle, verification
from sanxiang.ledger.models import Checkpoint, Entry, TreeNode
from sanxiang.ledger.services import ledger_size
from sanxiang.ledger.verification import verify_all

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def small_blocks(monkeypatch):
    """Blocks of 16 leaves, so a few hundred entries span many blocks and the levels above them."""
    monkeypatch.setattr(verification, "BLOCK_LEVEL", 4)
    monkeypatch.setattr(verification, "BLOCK", 16)


def _tree_from_bodies(bodies: list[bytes]) -> tuple[bytes, set[tuple[int, int, bytes]]]:
    """Root and every level >= 1 perfect node, recomputed independently of the ledger code paths."""
    nodes: set[tuple[int, int, bytes]] = set()
    level, hashes = 0, [hashlib.sha256(b"\x00" + body).digest() for body in bodies]
    while len(hashes) > 1:
        level += 1
        hashes = [hashlib.sha256(b"\x01" + hashes[i] + hashes[i + 1]).digest() for i in range(0, len(hashes) - 1, 2)]
        nodes.update((level, i, h) for i, h in enumerate(hashes))
    accumulator = merkle.RootAccumulator()
    accumulator.extend_entries(bodies)
    return accumulator.root(), nodes


@pytest.mark.django_db
class TestPopulatedLog:
    def test_bodies_are_the_services_canonical_entries(self):
        for index, body, kind, subject, agency, actor, public, when in lb.generate_entries(20):
            entry = json.loads(body)
            assert canonical_bytes(entry | {"time": when}) == body
            assert entry["index"] == index and entry["kind"] == kind and entry["agency"] == agency
            assert subject in entry["subjects"] and all(len(h) == 64 for h in entry["subjects"].values())
            assert entry["public"] is public and entry["actor"] == actor and len(entry["nonce"]) == 32

    def test_populated_log_is_gapless_and_verifies_with_its_checkpoints(self, small_blocks):
        populated = lb.populate(300)
        assert list(Entry.objects.values_list("index", flat=True)) == list(range(300)) and ledger_size() == 300
        root, nodes = _tree_from_bodies(populated.bodies)
        stored = {(lvl, i, bytes(h)) for lvl, i, h in TreeNode.objects.values_list("level", "index", "hash")}
        assert stored == nodes
        assert bytes(Checkpoint.objects.get(tree_size=300).root_hash) == root
        report = verify_all(rows=False, content=False)
        assert report.ok and report.size == 300 and report.checkpoints == len(populated.checkpoints) == 10

    def test_proofs_verify_against_the_signed_checkpoint(self):
        lb.populate(300)
        result = lb.run_proofs(60)
        assert result.size == 300 and result.verified == result.count == 60
        assert 0 < result.p50_ms <= result.p99_ms <= result.max_ms

    def test_appends_after_a_populated_log_stay_gapless_and_verify(self):
        lb.populate(100)
        result = lb.run_appends(37, writers=1)
        log = result.log
        assert log.gapless and log.verified and (log.first, log.last, log.head) == (0, 136, 137)
        bodies = [bytes(b) for b in Entry.objects.order_by("index").values_list("body", flat=True)]
        root, nodes = _tree_from_bodies(bodies)
        assert bytes(Checkpoint.objects.order_by("-tree_size").first().root_hash) == root
        assert {(lvl, i, bytes(h)) for lvl, i, h in TreeNode.objects.values_list("level", "index", "hash")} == nodes
        assert json.loads(bodies[-1])["kind"] == "case.submit_investigation"


@pytest.mark.django_db
class TestTamperingInABigLog:
    """Verification names the first bad index whichever block, level or checkpoint is wrong."""

    @pytest.fixture(autouse=True)
    def log(self, small_blocks):
        lb.populate(300)

    def test_edited_body_in_a_later_block(self):
        body = bytes(Entry.objects.get(index=213).body)
        Entry.objects.filter(index=213).update(body=body.replace(b'"v":1', b'"v":2'))
        assert verify_all(rows=False, content=False).first_bad_index == 213

    def test_edited_leaf_hash(self):
        Entry.objects.filter(index=77).update(leaf_hash=b"\x07" * 32)
        assert verify_all(rows=False, content=False).first_bad_index == 77

    def test_deleted_entry_is_a_gap(self):
        Entry.objects.filter(index=150).delete()
        report = verify_all(rows=False, content=False)
        assert report.first_bad_index == 150 and "缺失" in report.problems[0].message

    @pytest.mark.parametrize(("level", "index"), [(1, 70), (3, 9), (4, 2), (6, 3), (7, 1)])
    def test_edited_node_inside_and_above_the_blocks(self, level, index):
        TreeNode.objects.filter(level=level, index=index).update(hash=b"\x00" * 32)
        report = verify_all(rows=False, content=False)
        assert report.first_bad_index == index << level and f"第 {level} 层节点 {index}" in report.problems[0].message

    def test_missing_node_names_its_first_leaf(self):
        TreeNode.objects.filter(level=2, index=40).delete()
        assert verify_all(rows=False, content=False).first_bad_index == 160

    def test_extra_node_is_reported(self):
        TreeNode.objects.create(level=3, index=40, hash=b"\x01" * 32)
        report = verify_all(rows=False, content=False)
        assert not report.ok and "多余" in report.problems[0].message

    def test_bad_checkpoint_root_is_reported(self):
        Checkpoint.objects.filter(tree_size=120).update(root_hash=b"\x02" * 32)
        report = verify_all(rows=False, content=False)
        assert not report.ok and report.first_bad_index == 119

    def test_checkpoint_beyond_the_log_is_reported(self):
        Checkpoint.objects.create(tree_size=301, root_hash=b"\x03" * 32, note="—")
        report = verify_all(rows=False, content=False)
        assert report.first_bad_index == 300 and "超过日志条目数" in report.problems[0].message


@pytest.mark.django_db(transaction=True)
def test_worker_processes_agree_with_one_process(small_blocks):
    """On a database other processes can open (PostgreSQL here), --jobs forks workers."""
    lb.populate(300)
    parallel = verification._can_fork()
    assert verify_all(rows=False, content=False, jobs=3).ok
    Entry.objects.filter(index=250).update(leaf_hash=b"\x05" * 32)
    TreeNode.objects.filter(level=2, index=70).update(hash=b"\x00" * 32)
    for jobs in (1, 3):
        assert verify_all(rows=False, content=False, jobs=jobs).first_bad_index == 250
    # PostgreSQL: workers really ran. SQLite: the test database is in memory, so one process only.
    assert parallel == (connection.vendor == "postgresql")


_WORKERS_ON_SQLITE = textwrap.dedent("""
    import json, sys
    from pathlib import Path
    sys.path.insert(0, sys.argv[1])
    from bench.env import configure
    configure(Path(sys.argv[2]))
    from bench import ledger_bench as lb
    from sanxiang.ledger import verification
    from sanxiang.ledger.models import Entry, TreeNode
    verification.BLOCK_LEVEL, verification.BLOCK = 4, 16
    lb.populate(300)
    out = {"forks": verification._can_fork(), "clean": verification.verify_all(rows=False, content=False, jobs=2).ok}
    TreeNode.objects.filter(level=3, index=20).update(hash=bytes(32))
    out["node"] = verification.verify_all(rows=False, content=False, jobs=2).first_bad_index
    Entry.objects.filter(index=99).delete()
    out["gap"] = verification.verify_all(rows=False, content=False, jobs=2).first_bad_index
    print(json.dumps(out))
""")


def test_worker_processes_on_a_sqlite_file(tmp_path):
    done = subprocess.run([sys.executable, "-c", _WORKERS_ON_SQLITE, str(ROOT), str(tmp_path / "work")],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.strip().splitlines()[-1]) == {"forks": True, "clean": True, "node": 160, "gap": 99}


def test_bench_run_on_sqlite_with_two_writers(tmp_path):
    """The whole benchmark at a tiny size; then the database it leaves is checked from outside."""
    work, report = tmp_path / "work", tmp_path / "bench.json"
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "run.py"), "--skip-postgres", "--entries", "300", "--appends", "300",
         "--writers", "2", "--proofs", "50", "--repeat", "1", "--workdir", str(work), "--json", str(report)],
        cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "target" in done.stdout and "ratio" in done.stdout
    result = json.loads(report.read_text())["sqlite"]
    assert result["ok"] and result["verify"]["ok"] and result["proofs"]["verified"] == 50
    assert [(run["writers"], run["entries"]) for run in result["appends"]] == [(1, 300), (2, 300)]
    assert all(run["log"]["gapless"] and run["log"]["verified"] for run in result["appends"])
    assert sum(n for n, _ in result["appends"][1]["per_writer"]) == 300

    db = sqlite3.connect(work / "bench.sqlite3")
    rows = db.execute('SELECT "index", leaf_hash, body FROM ledger_entry ORDER BY "index"').fetchall()
    assert [r[0] for r in rows] == list(range(900))
    assert db.execute("SELECT size FROM ledger_ledgerhead").fetchone()[0] == 900
    bodies = [r[2] for r in rows]
    assert [r[1] for r in rows] == [hashlib.sha256(b"\x00" + b).digest() for b in bodies]
    root, nodes = _tree_from_bodies(bodies)
    assert set(db.execute('SELECT level, "index", hash FROM ledger_treenode')) == nodes
    assert db.execute("SELECT root_hash FROM ledger_checkpoint ORDER BY tree_size DESC").fetchone()[0] == root
    writers = {json.loads(b)["actor"] for b in bodies[600:]}
    assert writers <= {actor for actor, _ in lb.ACTORS} and len({json.loads(b)["nonce"] for b in bodies}) == 900
