"""Ledger workloads: appends through the service, a bulk-populated log, verification, proofs.

Used by bench/run.py (which sets up a throwaway database first) and, at tiny sizes, by
sanxiang/ledger/tests/test_bench_smoke.py. Every function here works on the default database
connection it finds; none of them creates or chooses a database.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import itertools
import multiprocessing
import os
import random
import time
import traceback
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from decimal import Decimal

SHA256 = hashlib.sha256

KINDS = ["case.open", "case.approve_filing", "case.submit_investigation", "case.decide", "evidence.attach",
         "publication.publish", "registry.officer.update"]
AGENCIES = ["city-um", "city-em", "city-env", "city-fin"]
ACTORS = [("alice", "officer"), ("bob", "officer"), ("carol", "unit_head"), ("dave", "reviewer"),
          ("erin", "head")]
SUMMARIES = ["立案登记 测城管罚立〔2026〕{n}号", "提交调查终结报告 测城管罚立〔2026〕{n}号：调查取证 → 拟处罚决定",
             "作出行政处罚决定 测城管罚〔2026〕第{n}号", "上传证据 现场照片{n}.jpg",
             "公示行政处罚决定 测城管罚〔2026〕第{n}号", "更新执法人员信息 执法证号 4401{n:06d}"]
T0 = dt.datetime(2026, 3, 2, 1, 30, tzinfo=dt.UTC)

ENTRY_COLUMNS = '"index", leaf_hash, body, kind, subject, agency_code, actor, public, created_at'


def raw_leaf_seconds(bodies: Sequence[bytes]) -> float:
    """The baseline: SHA-256(0x00 ‖ body) for every body, read from memory, nothing else.

    An untimed pass first touches every body: after this process forks (the verifier's workers),
    its pages are copy-on-write and the first write to each (a reference count) faults, which
    would otherwise slow the baseline down by a quarter and flatter the ratio.
    """
    sha256 = SHA256
    for _ in bodies:
        pass
    started = time.perf_counter()
    for body in bodies:
        sha256(b"\x00" + body).digest()
    return time.perf_counter() - started


# --------------------------------------------------------------------------------------------
# Appends through the service
# --------------------------------------------------------------------------------------------


def _subject_pool(writer: int, size: int = 32) -> list[tuple]:
    """(actor, agency, case, content, files) tuples for appends like a case service makes them.

    The case rows are built in memory (a real service has just saved its row); `ledger_append`
    computes the row's ref and state hash exactly as it does for a saved row.
    """
    from sanxiang.accounts.models import User
    from sanxiang.cases.models import Case
    from sanxiang.registry.models import Agency

    pool = []
    for k in range(size):
        n = writer * 100_000 + k
        username, role = ACTORS[k % len(ACTORS)]
        actor = User(pk=k % 5 + 1, username=username, role=role)
        agency = Agency(pk=k % 4 + 1, code=AGENCIES[k % 4], name=f"测试市第{k % 4}局")
        opened = dt.date(2026, 3, 2) + dt.timedelta(days=k)
        at = T0 + dt.timedelta(days=k, minutes=n % 600)
        case = Case(pk=n + 1, agency_id=agency.pk, item_id=k % 9 + 1, flow_id=1,
                    number=f"测城管罚立〔2026〕{n + 1}号", state="investigation", title="擅自倾倒建筑垃圾",
                    source="群众举报", opened_on=opened, decision_due=opened + dt.timedelta(days=90),
                    step_entered_at=at, facts="当事人于2026年3月1日在西工区倾倒建筑垃圾约2立方米。",
                    proposed_penalty_kinds=["fine"], proposed_fine=Decimal("800.00"), created_by_id=actor.pk,
                    created_at=at, data={"investigation": {"witnesses": 2, "photos": 5}})
        content = {"report": SHA256(f"report {n}".encode()).hexdigest()}
        files = [SHA256(f"photo {n}".encode()).hexdigest()] if k % 3 == 0 else []
        pool.append((actor, agency, case, content, files))
    return pool


def append_entries(count: int, writer: int = 0, stamps: list[float] | None = None) -> None:
    """`count` real `ledger_append` calls, each in its own transaction, as a case service makes them.

    With `stamps`, the time each transaction committed is added to it.
    """
    from django.db import transaction

    from sanxiang.ledger.services import ledger_append

    pool = _subject_pool(writer)
    clock = time.perf_counter
    for k in range(count):
        actor, agency, case, content, files = pool[k % len(pool)]
        with transaction.atomic():
            ledger_append(kind="case.submit_investigation", actor=actor, agency=agency, subjects=[case],
                          content=content, files=files,
                          summary=f"提交调查终结报告 {case.number}：调查取证 → 拟处罚决定")
        if stamps is not None:
            stamps.append(clock())


WINDOW = 2000  # appends in the "best window" figure


def best_window_rate(stamps: list[float], window: int = WINDOW) -> float | None:
    """The highest rate over any `window` consecutive commits (all writers together)."""
    stamps = sorted(stamps)
    if len(stamps) < window:
        return None
    fastest = min(stamps[i + window - 1] - stamps[i] for i in range(len(stamps) - window + 1))
    return (window - 1) / fastest if fastest > 0 else None


def _writer_process(writer: int, count: int, barrier, results) -> None:
    from django.db import connections

    try:
        connections.close_all()  # never share the parent's connection: each writer opens its own
        stamps: list[float] = []
        barrier.wait()
        started = time.perf_counter()
        append_entries(count, writer, stamps)
        results.put((writer, count, time.perf_counter() - started, stamps, None))
    except BaseException:  # report any failure to the parent instead of hanging it
        results.put((writer, 0, 0.0, [], traceback.format_exc()))
    finally:
        connections.close_all()


@dataclass
class LogCheck:
    size: int
    count: int
    first: int | None
    last: int | None
    head: int
    gapless: bool
    verified: bool
    problems: list[str] = field(default_factory=list)


def check_log() -> LogCheck:
    """Indexes are exactly 0..n-1 and agree with the head; a new checkpoint; the tree verifies."""
    from django.db import connection

    from sanxiang.ledger.services import ledger_checkpoint, ledger_size
    from sanxiang.ledger.verification import verify_all

    with connection.cursor() as cursor:
        cursor.execute('SELECT COUNT(*), MIN("index"), MAX("index") FROM ledger_entry')
        count, first, last = cursor.fetchone()
    head = ledger_size()
    gapless = count == head and (count == 0 or (first == 0 and last == count - 1))
    ledger_checkpoint()
    report = verify_all(rows=False, content=False, jobs=min(os.cpu_count() or 1, 4))
    return LogCheck(size=report.size, count=count, first=first, last=last, head=head, gapless=gapless,
                    verified=report.ok and report.size == count,
                    problems=[f"[{p.index}] {p.message}" for p in report.problems[:5]])


@dataclass
class AppendResult:
    writers: int
    entries: int
    seconds: float
    rate: float
    best_window_rate: float | None  # fastest WINDOW consecutive commits: what the code does when undisturbed
    raw_seconds: float
    raw_rate: float
    per_writer: list[tuple[int, float]]  # (entries, seconds) of each writer
    log: LogCheck


def run_appends(count: int, writers: int = 1) -> AppendResult:
    """Time `count` appends by `writers` concurrent writers (processes with their own connections)."""
    from django.db import connections

    from sanxiang.ledger.models import Entry
    from sanxiang.ledger.services import ledger_size

    start = ledger_size()
    per_writer: list[tuple[int, float]] = []
    stamps: list[float] = []
    if writers <= 1:
        started = time.perf_counter()
        append_entries(count, stamps=stamps)
        seconds = time.perf_counter() - started
        per_writer.append((count, seconds))
    else:
        connections.close_all()  # a forked child must not inherit an open connection
        ctx = multiprocessing.get_context("fork")
        barrier = ctx.Barrier(writers + 1)
        results = ctx.Queue()
        shares = [count // writers + (1 if w < count % writers else 0) for w in range(writers)]
        processes = [ctx.Process(target=_writer_process, args=(w + 1, shares[w], barrier, results), daemon=True)
                     for w in range(writers)]
        for process in processes:
            process.start()
        barrier.wait(timeout=120)
        started = time.perf_counter()
        failures = []
        for _ in processes:
            writer, done, took, times, error = results.get(timeout=3600)
            if error:
                failures.append(f"writer {writer}:\n{error}")
            else:
                per_writer.append((done, took))
                stamps.extend(times)
        seconds = time.perf_counter() - started
        for process in processes:
            process.join(timeout=60)
        if failures:
            raise RuntimeError("\n".join(failures))
    bodies = [bytes(b) for b in Entry.objects.filter(index__gte=start).order_by("index")
              .values_list("body", flat=True).iterator(chunk_size=10_000)]
    raw_seconds = min(raw_leaf_seconds(bodies) for _ in range(3))
    log = check_log()
    return AppendResult(writers=writers, entries=count, seconds=seconds, rate=count / seconds,
                        best_window_rate=best_window_rate(stamps),
                        raw_seconds=raw_seconds, raw_rate=len(bodies) / raw_seconds if raw_seconds else 0.0,
                        per_writer=per_writer, log=log)


# --------------------------------------------------------------------------------------------
# A large log, populated in bulk
# --------------------------------------------------------------------------------------------


def generate_entries(count: int, start: int = 0, seed: int = 6962) -> Iterator[tuple]:
    """Realistic entries (index, body, kind, subject, agency, actor, public, time), made by the
    service's own body builder: subjects with row state hashes, content and file hashes, nonce."""
    from sanxiang.ledger.services import entry_body

    rng = random.Random(seed + start)
    for index in range(start, start + count):
        kind = KINDS[index % len(KINDS)]
        actor, role = ACTORS[index % len(ACTORS)]
        agency = AGENCIES[index % len(AGENCIES)]
        case = index // 10 + 1
        when = T0 + dt.timedelta(milliseconds=500 * index)
        subjects = {f"cases.case:{case}": SHA256(b"case %d %d" % (case, index)).hexdigest(),
                    f"cases.caseevent:{index + 1}": SHA256(b"event %d" % index).hexdigest()}
        content = {"document": SHA256(b"doc %d" % index).hexdigest()} if index % 2 else {}
        files = [SHA256(b"file %d" % index).hexdigest()] if kind == "evidence.attach" else []
        public = kind == "publication.publish"
        data = {"publication": {"party_name": "张某", "fine": "800", "decided_on": "2026-03-20"}} if public else {}
        summary = SUMMARIES[index % len(SUMMARIES)].format(n=case)
        body = entry_body(index=index, time=when, kind=kind, agency_code=agency, actor=actor, role=role,
                          summary=summary, subjects=subjects, content=content, files=files, data=data,
                          public=public, nonce=f"{rng.getrandbits(128):032x}")
        yield index, body, kind, f"cases.case:{case}", agency, actor, public, when


@dataclass
class Populated:
    size: int
    seconds: float
    bodies: list[bytes]
    checkpoints: list[int]
    mean_body_bytes: float


def _checkpoint_sizes(count: int) -> list[int]:
    step = max(count // 10, 1)
    return sorted({*range(step, count + 1, step), count})


def _entry_rows(start: int, count: int) -> list[tuple]:
    """Rows (index, leaf hash, body, kind, subject, agency, actor, public, time) for ledger_entry."""
    from sanxiang.ledger import merkle

    return [(index, merkle.leaf_hash(body), body, kind, subject, agency, actor, public, when)
            for index, body, kind, subject, agency, actor, public, when in generate_entries(count, start)]


def _entry_chunks(count: int, batch: int):
    """Row chunks in index order; built by a pool of forked processes when it is worth it."""
    from django.db import connection, connections

    tasks = [(start, min(batch, count - start)) for start in range(0, count, batch)]
    if len(tasks) < 3 or connection.in_atomic_block or (os.cpu_count() or 1) < 2:
        for start, size in tasks:
            yield _entry_rows(start, size)
        return
    connections.close_all()  # the workers never touch the database; they must not inherit a connection
    with multiprocessing.get_context("fork").Pool(os.cpu_count()) as pool:
        yield from pool.imap(_entry_rows_task, tasks)


def _entry_rows_task(task: tuple[int, int]) -> list[tuple]:
    return _entry_rows(*task)


def populate(count: int, *, batch: int = 50_000) -> Populated:
    """Fill an empty ledger with `count` entries, their tree nodes, signed checkpoints and head.

    Bodies are built like the service builds them (by its own `entry_body`); leaf hashes and
    perfect-subtree nodes are computed in memory (RootAccumulator reports nodes in the order
    appends insert them) and written with bulk inserts (COPY on PostgreSQL) instead of `count`
    service calls.
    """
    from django.db import connection, transaction

    from sanxiang.ledger import keys, merkle, note
    from sanxiang.ledger.models import Checkpoint, Entry, LedgerHead, TreeNode

    if Entry.objects.exists() or TreeNode.objects.exists():
        raise RuntimeError("populate() needs an empty ledger")
    started = time.perf_counter()
    nodes: list[tuple[int, int, bytes]] = []
    accumulator = merkle.RootAccumulator(on_node=lambda level, index, value: nodes.append((level, index, value)))
    sizes = _checkpoint_sizes(count)
    roots: dict[int, bytes] = {}
    bodies: list[bytes] = []
    chunks = _entry_chunks(count, batch)
    first = next(chunks, [])  # forks the workers before this process opens its transaction
    postgres = connection.vendor == "postgresql"
    if connection.vendor == "sqlite" and not connection.in_atomic_block:
        with connection.cursor() as cursor:  # a bulk load only: this connection is closed afterwards
            cursor.execute("PRAGMA cache_size = -524288")
    with transaction.atomic():
        done = 0
        for rows in itertools.chain([first], chunks):
            if not rows:
                continue
            _insert_entries(connection, rows, postgres)
            bodies.extend(row[2] for row in rows)
            leaves = [row[1] for row in rows]
            position = 0
            for cut in [size - done for size in sizes if done < size < done + len(rows)] + [len(rows)]:
                accumulator.extend(leaves[position:cut])
                position = cut
                if accumulator.size in sizes:
                    roots[accumulator.size] = accumulator.root()
            _insert_nodes(connection, nodes, postgres)
            nodes.clear()
            done += len(rows)
        LedgerHead.objects.update_or_create(pk=1, defaults={"size": count})
        name, private = keys.key_name(), keys.signing_key()
        Checkpoint.objects.bulk_create([
            Checkpoint(tree_size=size, root_hash=roots[size],
                       note=note.sign_note(note.checkpoint_body(name, size, roots[size]), name, private))
            for size in sizes if size in roots])
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    if not connection.in_atomic_block:
        connection.close()  # what is measured next gets a connection with the configured settings
    return Populated(size=count, seconds=time.perf_counter() - started, bodies=bodies,
                     checkpoints=[s for s in sizes if s in roots],
                     mean_body_bytes=sum(map(len, bodies)) / len(bodies) if bodies else 0.0)


def _insert_entries(connection, rows: list[tuple], postgres: bool) -> None:
    with connection.cursor() as cursor:
        if postgres:
            with cursor.cursor.copy(f"COPY ledger_entry ({ENTRY_COLUMNS}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        adapt = connection.ops.adapt_datetimefield_value
        cursor.executemany(f"INSERT INTO ledger_entry ({ENTRY_COLUMNS}) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
                           [(*row[:8], adapt(row[8])) for row in rows])


def _insert_nodes(connection, nodes: list[tuple[int, int, bytes]], postgres: bool) -> None:
    if not nodes:
        return
    with connection.cursor() as cursor:
        if postgres:
            with cursor.cursor.copy('COPY ledger_treenode (level, "index", hash) FROM STDIN') as copy:
                for node in nodes:
                    copy.write_row(node)
            return
        cursor.executemany('INSERT INTO ledger_treenode (level, "index", hash) VALUES (%s, %s, %s)', nodes)


# --------------------------------------------------------------------------------------------
# Verification and proofs
# --------------------------------------------------------------------------------------------


@dataclass
class VerifyResult:
    size: int
    seconds: list[float]  # verify_ledger --tree-only with its default --jobs
    one_job_seconds: list[float]  # the same with --jobs 1
    raw_seconds: list[float]  # raw leaf hashing, measured before each of the runs above
    output: str
    ok: bool

    @property
    def best(self) -> float:
        return min(self.seconds)

    @property
    def one_job_best(self) -> float:
        return min(self.one_job_seconds)

    @property
    def raw_best(self) -> float:
        return min(self.raw_seconds)

    @property
    def ratio(self) -> float:
        return self.best / self.raw_best

    @property
    def one_job_ratio(self) -> float:
        return self.one_job_best / self.raw_best


def run_verify(bodies: Sequence[bytes], repeat: int = 3) -> VerifyResult:
    """Time `sanxiang verify_ledger --tree-only` (the command itself) against raw leaf hashing of
    the same bodies: `repeat` runs with the command's default --jobs, then about half as many
    with --jobs 1, each right after a raw hashing run so both see the same machine state. The
    best of each is reported (other processes share the machine; the best run is the one they
    disturbed least), and every ratio is against the best raw run."""
    from django.core.management import CommandError, call_command

    result = VerifyResult(size=len(bodies), seconds=[], one_job_seconds=[], raw_seconds=[], output="", ok=True)
    runs = [({}, result.seconds)] * repeat + [({"jobs": 1}, result.one_job_seconds)] * max(1, repeat // 2)
    for options, times in runs:
        result.raw_seconds.append(raw_leaf_seconds(bodies))
        out, err = io.StringIO(), io.StringIO()
        started = time.perf_counter()
        try:
            call_command("verify_ledger", "--tree-only", stdout=out, stderr=err, **options)
        except CommandError as exc:
            result.ok = False
            err.write(str(exc))
        times.append(time.perf_counter() - started)
        result.output = (out.getvalue() + err.getvalue()).strip()
    return result


@dataclass
class ProofResult:
    size: int
    count: int
    mean_ms: float
    p50_ms: float
    p99_ms: float
    max_ms: float
    verified: int


def run_proofs(count: int, seed: int = 9162) -> ProofResult:
    """Time `merkle.inclusion_proof` over the database store for random leaves at the newest
    signed checkpoint, and check every proof from the entry's body up to the signed root."""
    from sanxiang.ledger import keys, merkle, note
    from sanxiang.ledger.models import Checkpoint, Entry
    from sanxiang.ledger.store import DbNodeStore

    checkpoint = Checkpoint.objects.order_by("-tree_size").first()
    _, size, root = note.parse_checkpoint(note.verify_note(checkpoint.note, keys.key_name(), keys.public_key()))
    rng = random.Random(seed)
    indexes = [rng.randrange(size) for _ in range(count)]
    store = DbNodeStore()
    timings: list[float] = []
    proofs = []
    for index in indexes:
        started = time.perf_counter()
        proof = merkle.inclusion_proof(store, index, size)
        timings.append(time.perf_counter() - started)
        proofs.append(proof)
    bodies = dict(Entry.objects.filter(index__in=set(indexes)).values_list("index", "body"))
    verified = 0
    for index, proof in zip(indexes, proofs, strict=True):
        merkle.verify_inclusion(merkle.leaf_hash(bytes(bodies[index])), index, size, proof, root)
        verified += 1
    ordered = sorted(timings)
    return ProofResult(size=size, count=count, mean_ms=1000 * sum(timings) / count,
                       p50_ms=1000 * ordered[count // 2], p99_ms=1000 * ordered[min(count - 1, (99 * count) // 100)],
                       max_ms=1000 * ordered[-1], verified=verified)


def as_dict(result) -> dict:
    data = asdict(result)
    data.pop("bodies", None)
    for name in ("best", "raw_best", "ratio", "one_job_best", "one_job_ratio"):
        if hasattr(result, name):
            data[name] = getattr(result, name)
    return data
