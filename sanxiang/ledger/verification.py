"""Full verification of the ledger and of what it commits to (`sanxiang verify_ledger`).

1. Entries: indexes 0..n-1 with no gap; each stored leaf hash equals SHA-256(0x00 ‖ body).
2. Tree: every stored subtree node equals the hash recomputed from the leaves.
3. Checkpoints: each root equals the recomputed root at its size, and each signature verifies
   (Ed25519, and SM2 where the note carries an SM2 line). The same holds for every checkpoint in
   the checkpoint file outside the database; one larger than the log means the log was truncated.
4. Rows: every row of every Recorded model still hashes to the state its latest entry logged
   (an edited row, a deleted row, or a row written around the services is reported).
5. Content: stored files re-hash to their SHA-256; publications to their logged content hash.
"""

from __future__ import annotations

import gc
import hashlib
import multiprocessing
import multiprocessing.util
import os
import re
import threading
from bisect import bisect_left
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.apps import apps
from django.db import connection, transaction

from sanxiang.common.models import Recorded
from sanxiang.ledger import checkpoint_file, keys, merkle, note

SM2_CHECKED = 200
_SUBJECTS = re.compile(rb'"subjects":\{([^}]*)\}')
_PAIR = re.compile(rb'"([^"]+)":"([0-9a-f]{64})"')


@dataclass
class Problem:
    index: int | None
    message: str


@dataclass
class Report:
    size: int = 0
    checkpoints: int = 0
    rows: int = 0
    files: int = 0
    witnessed: int = 0
    problems: list[Problem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def first_bad_index(self) -> int | None:
        indexes = [p.index for p in self.problems if p.index is not None]
        return min(indexes) if indexes else None


def _stream(sql: str, params=(), size: int = 20000):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        while True:
            rows = cursor.fetchmany(size)
            if not rows:
                return
            yield from rows


# The tree is checked in blocks of 2**BLOCK_LEVEL leaves: a block's entries are read with one
# range query, their leaves and every stored node inside the block (levels 1..BLOCK_LEVEL) are
# recomputed and compared level by level as whole lists, then dropped; only the block roots stay
# for the levels above. Memory is O(block + n / block), and no dict of all stored nodes is built.
# Blocks are independent, so with `jobs` > 1 a pool of forked worker processes checks them.
BLOCK_LEVEL = 16
BLOCK = 1 << BLOCK_LEVEL
_ENTRIES_SQL = 'SELECT leaf_hash, body FROM ledger_entry WHERE "index" >= %s AND "index" < %s ORDER BY "index"'
_NODES_SQL = 'SELECT hash FROM ledger_treenode WHERE level = %s AND "index" >= %s AND "index" < %s ORDER BY "index"'


def verify_tree(report: Report, latest: dict[str, tuple[int, str]] | None, *, jobs: int = 1) -> None:
    """Steps 1–3; fills `latest` (subject ref → (index, state hash)) when given.

    With one job everything is read in one snapshot of the database (see `_read_snapshot`), so
    appends made meanwhile are neither reported nor blocked. With `jobs` > 1 (and a database
    file or server that other processes can open, no open transaction, no other thread) the
    blocks are shared out among that many forked worker processes, each with its own
    connection. Entries and nodes below the size read at the start never change in an
    append-only log, so the workers need not share a snapshot; the levels above the blocks,
    head, extra nodes and checkpoints are then checked in one new snapshot.
    """
    check = _TreeCheck(report, latest)
    # The file first, then the database snapshot: a line is appended only after its checkpoint
    # committed, so everything the file holds is in the snapshot taken after reading it.
    check.read_witnessed()
    with _gc_paused():
        _verify_tree(check, jobs)


@contextmanager
def _gc_paused():
    """The check makes millions of short-lived tuples and no cycles: collecting them is pure cost
    (the cyclic collector's full passes took 40% of the time), so it is paused meanwhile."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _verify_tree(check: _TreeCheck, jobs: int) -> None:
    if not (jobs > 1 and _can_fork()):
        with _read_snapshot():
            if check.start():
                check.finish([check.verify_blocks(0, check.blocks)])
        return
    with _read_snapshot():
        if not check.start():
            return
    results = None
    if check.blocks > 1:
        connection.close()  # every worker opens its own; none may inherit this one
        results = _run_workers(check, jobs)
    with _read_snapshot():
        check.finish(results if results is not None else [check.verify_blocks(0, check.blocks)])


@contextmanager
def _read_snapshot():
    """One consistent read-only view of the ledger tables."""
    if connection.in_atomic_block:  # the caller's transaction is the snapshot
        yield
        return
    if connection.vendor == "postgresql":
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            yield
        return
    if connection.vendor == "sqlite":
        # Not transaction.atomic(): that is BEGIN IMMEDIATE here (see settings), which would hold
        # the write lock and stop every append for the length of the check. A deferred
        # transaction that only reads is one WAL snapshot and blocks nobody.
        with connection.cursor() as cursor:
            cursor.execute("BEGIN DEFERRED")
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("ROLLBACK")
        return
    yield


def _can_fork() -> bool:
    """Worker processes need fork, a free connection, and a database another process can open."""
    if not hasattr(os, "fork") or connection.in_atomic_block or multiprocessing.current_process().daemon:
        return False
    if threading.active_count() > 1:  # forking a threaded process (e.g. a server) is unsafe
        return False
    if connection.vendor == "sqlite":
        return not connection.is_in_memory_db()
    return connection.vendor == "postgresql"


_ACTIVE: _TreeCheck | None = None  # the check the forked workers serve (set just before forking)


def _run_workers(check: _TreeCheck, jobs: int) -> list[_RangeResult]:
    """Each block is a task; idle workers take the next, so a worker slowed by other load holds
    nobody up. Results come back in block order."""
    global _ACTIVE
    _ACTIVE = check
    pool = multiprocessing.get_context("fork").Pool(min(jobs, check.blocks), initializer=_worker_started)
    try:
        results = pool.starmap(_verify_block, [(block, block + 1) for block in range(check.blocks)], chunksize=1)
        pool.close()
        pool.join()
    finally:
        pool.terminate()
        _ACTIVE = None
    return results


def _worker_started() -> None:
    # A worker keeps one connection for all its blocks and closes it when the pool shuts down.
    multiprocessing.util.Finalize(None, connection.close, exitpriority=10)


def _verify_block(first: int, last: int) -> _RangeResult:
    return _ACTIVE.verify_blocks(first, last)


def _fetch(cursor, sql: str, params: list[int]) -> list[tuple]:
    """All rows of a bulk read. On PostgreSQL they come in binary format: bytea arrives as raw
    bytes instead of hex text to decode, which halves the time to read the log."""
    if cursor.db.vendor == "postgresql":
        import psycopg

        with psycopg.Cursor(cursor.db.connection) as binary:  # Django's own cursors bind client-side: text only
            binary.execute(sql, params, binary=True)
            return binary.fetchall()
    cursor.execute(sql, params)
    return cursor.fetchall()


def _root_keys(size: int) -> list[merkle.NodeKey]:
    """The perfect nodes whose fold is the root of `size` leaves (one per set bit, largest first)."""
    keys, start = [], 0
    for level in range(size.bit_length() - 1, -1, -1):
        if size >> level & 1:
            keys.append((level, start >> level))
            start += 1 << level
    return keys


def _first_difference(computed: list[bytes], stored: list) -> int | None:
    """Position of the first stored hash that is not the recomputed one (or is missing); None if equal."""
    if stored == computed:
        return None
    for position, value in enumerate(stored):
        if position >= len(computed) or bytes(value) != computed[position]:
            return position
    return len(stored)


def _parents(hashes: list[bytes]) -> list[bytes]:
    """SHA-256(0x01 ‖ left ‖ right) of each pair; an odd last hash has no parent yet."""
    node_state = hashlib.sha256(b"\x01").copy
    parents = []
    add = parents.append
    pairs = iter(hashes)
    for left, right in zip(pairs, pairs, strict=False):
        state = node_state()
        state.update(left)
        state.update(right)
        add(state.digest())
    return parents


@dataclass
class _RangeResult:
    """What checking blocks [first, last) found: the first problem, or what the rest of the check needs."""

    problem: Problem | None = None
    block_roots: list[bytes] = field(default_factory=list)
    kept: dict[merkle.NodeKey, bytes] = field(default_factory=dict)
    latest: dict[str, tuple[int, str]] | None = None


class _TreeCheck:
    def __init__(self, report: Report, latest: dict[str, tuple[int, str]] | None) -> None:
        self.sm2_unchecked = 0
        self.report = report
        self.latest = latest
        self.size = 0
        self.blocks = 0
        self.checkpoints: list[tuple[int, bytes, str]] = []
        self.witnessed: list[checkpoint_file.Witnessed] = []
        self.wanted: dict[int, list[int]] = {}

    def problem(self, index: int | None, message: str) -> None:
        self.report.problems.append(Problem(index, message))

    def read_witnessed(self) -> None:
        """The checkpoint file's checkpoints (before the database snapshot, see verify_tree)."""
        try:
            self.witnessed, warnings = checkpoint_file.read()
        except checkpoint_file.CheckpointFileError as exc:
            self.problem(None, f"{exc}（{checkpoint_file.path()}）：外部检查点文件被改动")
            return
        self.report.warnings.extend(warnings)
        previous = -1
        for witnessed in self.witnessed:
            if witnessed.tree_size <= previous:
                self.problem(None, f"检查点文件第 {witnessed.line} 行的树大小 {witnessed.tree_size} 不大于前一行的 "
                                   f"{previous}：外部检查点文件被改动（{checkpoint_file.path()}）")
            previous = max(previous, witnessed.tree_size)

    def start(self) -> bool:
        """Read the size to check and the checkpoints; False (and a problem) if entry 0 is missing."""
        self.checkpoints = [(size, bytes(root), text) for size, root, text in _stream(
            "SELECT tree_size, root_hash, note FROM ledger_checkpoint ORDER BY tree_size")]
        if self.checkpoints and not self.witnessed and not checkpoint_file.path().exists():
            self.report.warnings.append(f"检查点文件 {checkpoint_file.path()} 不存在：无法核对数据库之外的检查点"
                                        f"（后台任务签发下一个检查点时会写入）")
        elif self.checkpoints and self.witnessed and self.checkpoints[-1][0] > self.witnessed[-1].tree_size:
            self.report.warnings.append(
                f"检查点文件落后：数据库中最新检查点大小 {self.checkpoints[-1][0]}，文件中最新为 "
                f"{self.witnessed[-1].tree_size}（检查点任务会补写；若长期如此，请检查 {checkpoint_file.path()} 的写入权限）")
        # The nodes every checkpoint's root is folded from, to keep as they are recomputed.
        sizes = [size for size, _, _ in self.checkpoints] + [w.tree_size for w in self.witnessed]
        for size in sizes:
            for level, index in _root_keys(size):
                self.wanted.setdefault(level, []).append(index)
        for indexes in self.wanted.values():
            indexes.sort()
        lowest, highest = next(_stream('SELECT MIN("index"), MAX("index") FROM ledger_entry'))
        if lowest is not None and lowest != 0:
            self.problem(0, f"条目 0 缺失（下一个为 {lowest}）")
            return False
        # Up to the highest index: a gap below it shows up as a short block.
        self.size = highest + 1 if highest is not None else 0
        self.blocks = -(-self.size // BLOCK)
        return True

    # -- steps 1 and 2, per block: entries, then the stored nodes inside the block ----------------

    def verify_blocks(self, first: int, last: int) -> _RangeResult:
        """Check blocks [first, last): each entry's leaf hash, then each stored node inside the block."""
        result = _RangeResult(latest={} if self.latest is not None else None)
        kept = merkle.MemoryNodeStore(result.kept)
        result.kept = kept.nodes
        leaf_state = hashlib.sha256(b"\x00").copy
        with connection.cursor() as cursor:
            for block in range(first, last):
                start = block * BLOCK
                end = min(start + BLOCK, self.size)
                rows = _fetch(cursor, _ENTRIES_SQL, [start, end])
                # The range holds unique indexes: as many rows as indexes means none is missing.
                if len(rows) != end - start:
                    result.problem = self.gap(cursor, start, end)
                    return result
                stored, bodies = zip(*rows, strict=True) if rows else ((), ())
                leaves = []
                add = leaves.append
                for body in bodies:
                    state = leaf_state()
                    state.update(body)
                    add(state.digest())
                bad = _first_difference(leaves, list(stored))
                if bad is not None:
                    index = start + bad
                    result.problem = Problem(index, f"条目 {index} 的内容与其叶哈希不符（内容被修改）")
                    return result
                if result.latest is not None:
                    _subjects(result.latest, start, bodies)
                levels = [leaves]
                for _ in range(BLOCK_LEVEL):
                    if len(levels[-1]) < 2:
                        break
                    levels.append(_parents(levels[-1]))
                if len(leaves) == BLOCK:
                    result.block_roots.append(levels[BLOCK_LEVEL][0])
                self.keep(kept, 0, start, leaves)
                result.problem = self.compare(cursor, kept, [(level, start >> level, levels[level])
                                                             for level in range(1, len(levels))])
                if result.problem is not None:
                    return result
        return result

    def gap(self, cursor, start: int, end: int) -> Problem:
        cursor.execute('SELECT "index" FROM ledger_entry WHERE "index" >= %s AND "index" < %s ORDER BY "index"',
                       [start, end])
        present = [row[0] for row in cursor.fetchall()]
        missing = next((start + k for k, index in enumerate(present) if index != start + k), start + len(present))
        cursor.execute('SELECT MIN("index") FROM ledger_entry WHERE "index" > %s', [missing])
        return Problem(missing, f"条目 {missing} 缺失（下一个为 {cursor.fetchone()[0]}）")

    def compare(self, cursor, kept, levels: list[tuple[int, int, list[bytes]]]) -> Problem | None:
        """Stored nodes (level, first .. first + len) against recomputed ones; the lowest bad leaf."""
        bad: list[tuple[int, int, int]] = []
        for level, first, computed in levels:
            self.keep(kept, level, first, computed)
            stored = _fetch(cursor, _NODES_SQL, [level, first, first + len(computed)])
            position = _first_difference(computed, [row[0] for row in stored])
            if position is not None:
                bad.append(((first + position) << level, level, first + position))
        if not bad:
            return None
        leaf, level, index = min(bad)
        return Problem(leaf, f"第 {level} 层节点 {index} 缺失或被修改")

    def keep(self, kept: merkle.MemoryNodeStore, level: int, first: int, hashes: list[bytes]) -> None:
        """Keep the recomputed nodes that a checkpoint's root is folded from."""
        wanted = self.wanted.get(level)
        if wanted:
            for index in wanted[bisect_left(wanted, first):bisect_left(wanted, first + len(hashes))]:
                kept.nodes[(level, index)] = hashes[index - first]

    # -- the rest, once every block is done ------------------------------------------------------

    def finish(self, results: list[_RangeResult]) -> None:
        """Levels above the blocks, head, extra nodes and checkpoints, from the blocks' results."""
        for result in results:
            if result.problem is not None:
                self.report.problems.append(result.problem)
                return
        kept = merkle.MemoryNodeStore()
        block_roots: list[bytes] = []
        for result in results:
            kept.nodes.update(result.kept)
            block_roots.extend(result.block_roots)
            if self.latest is not None and result.latest:
                self.latest.update(result.latest)
        self.report.size = self.size
        # Entries 0..size-1 are all there (no block was short); any appended since are counted too.
        highest = next(_stream('SELECT MAX("index") FROM ledger_entry'))[0]
        count = highest + 1 if highest is not None else 0
        head = next(_stream("SELECT size FROM ledger_ledgerhead WHERE id = 1"), (0,))[0]
        if head != count:
            self.problem(min(head, count), f"日志头记录 {head} 条，实有 {count} 条")
        level, hashes, upper = BLOCK_LEVEL, block_roots, []
        while len(hashes) >= 2:
            level += 1
            hashes = _parents(hashes)
            upper.append((level, 0, hashes))
        with connection.cursor() as cursor:
            problem = self.compare(cursor, kept, upper)
        if problem is not None:
            self.report.problems.append(problem)
            return
        # Entries appended while workers ran (if any) have nodes of their own: count against now.
        if self.no_extra_nodes(max(self.size, count)):
            self.check_checkpoints(kept)

    def no_extra_nodes(self, size: int) -> bool:
        """Every expected node was found once; any other row is extra (n − popcount(n) expected)."""
        count = next(_stream("SELECT COUNT(*) FROM ledger_treenode"))[0]
        if count == size - size.bit_count():
            return True
        extra = next(_stream(
            'SELECT level, "index" FROM ledger_treenode WHERE level < 1 OR level > %s OR "index" < 0 '
            'OR "index" >= (CAST(%s AS BIGINT) >> level) ORDER BY level, "index"',
            [max(size.bit_length() - 1, 0), size]), None)
        if extra is None:  # a node of an entry appended during the check is missing: next run's business
            return True
        level, index = extra
        self.problem(index << level if level >= 0 and index >= 0 else 0, f"存在多余的树节点（第 {level} 层 {index}）")
        return False

    def truncated(self, size: int) -> None:
        """The log is shorter than the checkpoint file says it once was."""
        newest = max(self.witnessed, key=lambda w: w.tree_size)
        self.problem(size, f"日志被截断：检查点文件（{checkpoint_file.path()} 第 {newest.line} 行）见证过大小为 "
                           f"{newest.tree_size} 的日志，数据库中只有 {size} 条（条目 {size}–{newest.tree_size - 1} "
                           f"被删除）")

    def check_signature(self, text: str, tree_size: int, root: bytes, public, sm2, sm2_check: bool = True) -> str | None:
        """Why the note does not sign (tree_size, root) with our keys, or None if it does."""
        try:
            body = note.verify_note(text, keys.key_name(), public)
            origin, n, signed_root = note.parse_checkpoint(body)
            if n != tree_size or signed_root != root:
                raise note.NoteError("signed body does not match the stored checkpoint")
            if f"\u2014 {keys.sm2_key_name()} " in text:
                if sm2 is None:
                    self.sm2_unchecked += 1
                elif sm2_check:
                    note.verify_note_sm2(text, keys.sm2_key_name(), sm2.public_bytes)
        except note.NoteError as exc:
            return str(exc)
        return None

    def check_checkpoints(self, kept: merkle.MemoryNodeStore) -> None:
        try:
            public = keys.public_key()
        except keys.SigningKeyMissing as exc:
            self.problem(None, exc.message)
            return
        sm2 = keys.sm2_key_if_present()
        self.sm2_unchecked = 0
        # Ed25519 is checked on every checkpoint; SM2 (pure Python, ~20 ms each) on the newest
        # SM2_CHECKED ones of the database and of the file.
        first_sm2 = len(self.checkpoints) - SM2_CHECKED
        for position, (tree_size, root, text) in enumerate(self.checkpoints):
            self.report.checkpoints += 1
            if tree_size > self.size:
                self.problem(self.size, f"检查点大小 {tree_size} 超过日志条目数 {self.size}")
                continue
            if merkle.root(kept, tree_size) != root:
                self.problem(max(tree_size - 1, 0), f"检查点（大小 {tree_size}）的根哈希与重新计算的不符")
            error = self.check_signature(text, tree_size, root, public, sm2, position >= first_sm2)
            if error:
                self.problem(max(tree_size - 1, 0), f"检查点（大小 {tree_size}）签名无效：{error}")
        self.check_witnessed(kept, public, sm2)
        if self.sm2_unchecked:
            self.report.warnings.append(f"{self.sm2_unchecked} 个检查点带有 SM2 签名，但未配置 SM2 密钥"
                                        f"（SANXIANG_SM2_KEY），SM2 签名未核验")

    def check_witnessed(self, kept: merkle.MemoryNodeStore, public, sm2) -> None:
        """Every checkpoint of the file: signed by us, and a prefix of the database log."""
        first_sm2 = len(self.witnessed) - SM2_CHECKED
        for position, witnessed in enumerate(self.witnessed):
            self.report.witnessed += 1
            where = f"检查点文件第 {witnessed.line} 行（大小 {witnessed.tree_size}）"
            error = self.check_signature(witnessed.note, witnessed.tree_size, witnessed.root_hash, public, sm2,
                                         position >= first_sm2)
            if error:
                self.problem(None, f"{where}签名无效：{error}")
                continue
            if witnessed.tree_size > self.size:
                continue  # reported once, for the newest, below
            if merkle.root(kept, witnessed.tree_size) != witnessed.root_hash:
                self.problem(max(witnessed.tree_size - 1, 0),
                             f"{where}的根哈希与数据库日志在该大小的根不符：日志的前 {witnessed.tree_size} 条被改写")
        if self.witnessed and max(w.tree_size for w in self.witnessed) > self.size:
            self.truncated(self.size)


def _subjects(latest: dict[str, tuple[int, str]], start: int, bodies) -> None:
    for index, body in enumerate(bodies, start):
        match = _SUBJECTS.search(body)
        if match and match.group(1):
            for ref, state in _PAIR.findall(match.group(1)):
                latest[ref.decode()] = (index, state.decode())


def _recorded_models():
    return [m for m in apps.get_models() if issubclass(m, Recorded)]


def verify_rows(report: Report, latest: dict[str, tuple[int, str]]) -> None:
    """Step 4: each row's current state against the state its latest entry logged."""
    seen = set()
    for model in _recorded_models():
        label = model._meta.label_lower
        for row in model.objects.all().iterator(chunk_size=2000):
            report.rows += 1
            ref = row.ledger_ref()
            seen.add(ref)
            logged = latest.get(ref)
            if logged is None:
                report.problems.append(Problem(None, f"{model._meta.verbose_name} {ref} 未经服务写入、日志中无记录"))
            elif logged[1] != row.ledger_state_hash():
                report.problems.append(Problem(logged[0], f"{model._meta.verbose_name} {ref} 与日志条目 {logged[0]} 记录的状态不符（被修改）"))
        for ref, (index, _) in latest.items():
            if ref.startswith(label + ":") and ref not in seen:
                report.problems.append(Problem(index, f"{model._meta.verbose_name} {ref} 已被删除（最后记录于条目 {index}）"))


def verify_content(report: Report, latest: dict[str, tuple[int, str]]) -> None:
    """Step 5: stored files and publication texts against their logged hashes."""
    from django.core.files.storage import default_storage

    from sanxiang.common.canonical import canonical_bytes, sha256_hex
    from sanxiang.disclosure.models import Publication
    from sanxiang.records.models import StoredFile
    from sanxiang.records.services import FileHasher

    def index_of(row) -> int | None:
        return latest.get(row.ledger_ref(), (None,))[0]

    for stored in StoredFile.objects.all().iterator():
        report.files += 1
        index = index_of(stored)
        if not default_storage.exists(stored.storage_name):
            report.problems.append(Problem(index, f"文件 {stored.sha256} 已从存储中丢失"))
            continue
        digest = FileHasher()
        with default_storage.open(stored.storage_name, "rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
        if digest.hexdigest() != stored.sha256:
            report.problems.append(Problem(index, f"文件 {stored.sha256} 的内容已被修改"))
        elif stored.sm3 and digest.sm3_hexdigest() != stored.sm3:
            report.problems.append(Problem(index, f"文件 {stored.sha256} 的 SM3 杂凑值与记录的不符"))
    for publication in Publication.objects.select_related("agency"):
        if sha256_hex(canonical_bytes(publication.public_document())) != publication.content_sha256:
            index = publication.ledger_index if publication.ledger_index is not None else index_of(publication)
            report.problems.append(Problem(index, f"公示 {publication.decision_number} 的内容与记录的哈希不符"))


def verify_all(*, rows: bool = True, content: bool = True, jobs: int = 1) -> Report:
    """Steps 1–5 (1–3 only without rows and content); `jobs` > 1 checks the tree in that many processes."""
    report = Report()
    latest: dict[str, tuple[int, str]] = {}
    verify_tree(report, latest if rows else None, jobs=jobs)
    if report.problems:
        return report
    if rows:
        verify_rows(report, latest)
    if content:
        verify_content(report, latest)
    return report
