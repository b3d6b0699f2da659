"""Portal benchmark: N published decisions with their ledger entries, measured with wrk.

    python bench/portal_bench.py --sizes 10000,1000000            # SQLite (a new file under --workdir)
    scripts/with_postgres.sh python bench/portal_bench.py --sizes 10000,100000   # PostgreSQL

One database grows through the sizes (filled to 10,000, measured, topped up to 1,000,000,
measured). Rows are written in bulk, not through the services: publications with bulk_create
(as `publication_publish` leaves them: published, redacted text, content hash, ledger index), and
for each a `publication.publish` ledger entry built by the service's own `entry_body` (the row's
state hash, the published document), inserted with executemany / COPY, with the Merkle tree nodes
computed in memory and a signed checkpoint at the end — so the decision page's proof links work.
All decisions hang off one case of the test world (the portal never reads cases).

The server runs as `make demo` runs it: scripts/serve_with_worker.sh (`sanxiang serve`: one
waitress process per core, 4 threads each, with the one job worker beside it; no demo witnesses). wrk runs on loopback, 2 threads, 8 connections, 30 s
per page, once with the public page cache as deployed and once without it (--page-cache);
p50/p95/p99 come from wrk's own latency histogram (a Lua `done` hook, since --latency
prints no p95). The table compares each size with the first.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SURNAMES = "张王李赵刘陈杨黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎"
WORDS = ["宏达", "鑫源", "恒通", "华泰", "金盛", "永安", "瑞丰", "新世纪", "中联", "广源", "天成", "东方", "汇丰", "和信",
         "长城", "振兴", "万达", "compass", "博远", "嘉禾"]
TRADES = ["建筑工程", "餐饮管理", "商贸", "物流", "装饰", "汽车维修", "食品", "广告", "环保科技", "物业管理"]
PENALTIES = [("警告", None), ("罚款", "500"), ("罚款", "2000"), ("罚款", "20000"), ("没收违法所得、罚款", "5000")]

LUA = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT {\\"requests\\":%d,\\"duration_us\\":%d,\\"errors\\":%d,\\"non2xx\\":%d,"
    .. "\\"p50\\":%d,\\"p95\\":%d,\\"p99\\":%d}\\n", summary.requests, summary.duration,
    e.connect + e.read + e.write + e.timeout, e.status,
    latency:percentile(50), latency:percentile(95), latency:percentile(99)))
end
"""
LUA_RANDOM = """
local ids = {{{ids}}}
request = function()
  return wrk.format(nil, "/decisions/" .. ids[math.random(1, #ids)] .. "/")
end
"""


def ensure_wrk() -> str:
    """Debian's wrk (the load generator); installed with apt-get when missing, as
    scripts/ensure_system_packages.sh installs the test suite's packages (the bench only needs it)."""
    import shutil

    found = shutil.which("wrk")
    if found:
        return found
    sudo = [] if os.geteuid() == 0 else ["sudo", "-n"]
    print("== wrk missing: apt-get install wrk", flush=True)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    installed = subprocess.run([*sudo, "apt-get", "install", "-y", "-q", "wrk"], env=env).returncode == 0
    if not installed:  # the package lists may be missing on a fresh machine
        subprocess.run([*sudo, "apt-get", "update", "-q"], env=env, check=False)
        subprocess.run([*sudo, "apt-get", "install", "-y", "-q", "wrk"], env=env, check=False)
    found = shutil.which("wrk")
    if not found:
        raise SystemExit("wrk is needed (Debian package `wrk`) and could not be installed")
    return found


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Filler:
    """Grows the database by published decisions; keeps the Merkle accumulator between sizes."""

    def __init__(self) -> None:
        from django.db import connection

        from sanxiang.accounts.models import User
        from sanxiang.cases.services import case_open
        from sanxiang.ledger import merkle
        from sanxiang.ledger.models import Entry
        from sanxiang.registry.models import Agency
        from sanxiang.testing import AgencyFactory, build_world, citizen_party

        world = build_world()
        for n in range(18):  # twenty agencies in all, for the agency filter
            AgencyFactory(code=f"bench-{n:02d}", name=f"基准市第{n + 1}行政执法局", doc_prefix=f"基{n:02d}罚")
        self.case = case_open(actor=world.alice, item=world.item, party=citizen_party(), title="基准案件",
                              officers=[world.alice_officer, world.bob_officer], opened_on=dt.date(2026, 1, 5))
        self.agencies = list(Agency.objects.order_by("code"))
        self.publisher = User.objects.get(username="dave")
        self.count = 0
        self.vendor = connection.vendor
        # Continue the tree from the entries the world's services wrote.
        self.accumulator = merkle.RootAccumulator(on_node=self._node)
        self.nodes: list[tuple[int, int, bytes]] = []
        self.accumulator.extend([bytes(h) for h in Entry.objects.order_by("index").values_list("leaf_hash", flat=True)])
        self.nodes.clear()  # those nodes are stored already
        self.rng = random.Random(2026)

    @classmethod
    def existing(cls) -> Filler:
        """The filler of a database filled before (--measure-existing): measures it as it is, after
        finishing what a fill does at its end (search index, checkpoint, statistics)."""
        from django.db import connection

        from sanxiang.disclosure import search_index
        from sanxiang.disclosure.models import Publication
        from sanxiang.ledger.services import ledger_checkpoint
        from sanxiang.registry.models import Agency

        self = cls.__new__(cls)
        self.agencies = list(Agency.objects.order_by("code"))
        self.count = Publication.objects.count()
        self.vendor = connection.vendor
        search_index.ensure()
        ledger_checkpoint()
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE" if self.vendor == "sqlite" else "VACUUM ANALYZE")
        return self

    def _node(self, level: int, index: int, value: bytes) -> None:
        self.nodes.append((level, index, value))

    def party(self, n: int) -> tuple[str, str]:
        if n % 3 == 0:
            return SURNAMES[n % len(SURNAMES)] + "某", "自然人"
        word, trade = WORDS[n % len(WORDS)], TRADES[(n // len(WORDS)) % len(TRADES)]
        return f"基准市{word}{trade}有限公司第{n}分公司", "法人"

    def number(self, agency, n: int) -> str:
        return f"{agency.doc_prefix}〔{2024 + n % 3}〕{n}号"

    def grow(self, target: int, batch: int = 20_000) -> float:
        from django.db import connection, transaction
        from django.utils import timezone

        from bench.ledger_bench import _insert_entries, _insert_nodes
        from sanxiang.common.canonical import canonical_bytes, sha256_hex
        from sanxiang.disclosure import search_index
        from sanxiang.disclosure.models import Publication, PublicationStatus
        from sanxiang.ledger import merkle
        from sanxiang.ledger.models import LedgerHead
        from sanxiang.ledger.services import entry_body

        started = time.perf_counter()
        if self.vendor == "sqlite":
            # The FTS index is rebuilt in one pass at the end (search_index.ensure) instead of row by
            # row through its triggers; a bigger page cache keeps the B-tree inserts in memory.
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA cache_size = -1048576")
                for suffix in ("ai", "ad", "au"):
                    cursor.execute(f"DROP TRIGGER IF EXISTS {search_index.FTS}_{suffix}")
        next_pk = (Publication.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1 - self.count
        now = timezone.now()
        while self.count < target:
            size = min(batch, target - self.count)
            with transaction.atomic():
                base = LedgerHead.objects.get(pk=1).size
                pubs, rows = [], []
                for k in range(size):
                    n = self.count + k
                    agency = self.agencies[n % len(self.agencies)]
                    party, party_kind = self.party(n)
                    penalty, fine = PENALTIES[n % len(PENALTIES)]
                    decided = dt.date(2024, 1, 1) + dt.timedelta(days=n % 1000)
                    number = self.number(agency, n)
                    text = (f"{agency.name}\n行政处罚决定书\n{number}\n当事人：{party}\n经查，当事人于{decided}实施违法行为，"
                            f"违反相关规定。依据有关法律规定，决定给予{penalty}" + (f"，罚款{fine}元" if fine else "") + "。\n")
                    p = Publication(
                        pk=next_pk + n, agency=agency, case=self.case, kind="行政处罚",
                        title=f"{agency.name}行政处罚决定（{number}）", decision_number=number, party_name=party,
                        party_kind=party_kind, text=text, decided_on=decided, status=PublicationStatus.PUBLISHED,
                        content={"item": "擅自倾倒建筑垃圾", "penalty": penalty, "fine_amount": fine, "party_uscc": None,
                                 "legal_representative": None, "parties": []},
                        published_at=now, published_by=self.publisher, ledger_index=base + k,
                    )
                    p.content_sha256 = sha256_hex(canonical_bytes(p.public_document()))
                    body = entry_body(
                        index=base + k, time=now, kind="publication.publish", agency_code=agency.code, actor="dave",
                        role="legal_reviewer", summary=f"公示 {number}", subjects={p.ledger_ref(): p.ledger_state_hash()},
                        content={"publication": p.content_sha256}, data={"publication": p.public_document()},
                        public=True, nonce=f"{self.rng.getrandbits(128):032x}")
                    leaf = merkle.leaf_hash(body)
                    pubs.append(p)
                    rows.append((base + k, leaf, body, "publication.publish", p.ledger_ref(), agency.code, "dave",
                                 True, now))
                _insert_publications(connection, pubs, self.vendor == "postgresql")
                _insert_entries(connection, rows, self.vendor == "postgresql")
                self.accumulator.extend([r[1] for r in rows])
                _insert_nodes(connection, self.nodes, self.vendor == "postgresql")
                self.nodes.clear()
                LedgerHead.objects.filter(pk=1).update(size=base + size)
            self.count += size
            rate = self.count / max(time.perf_counter() - started, 1e-9)
            print(f"  filled {self.count:>9,} / {target:,} decisions ({rate:,.0f}/s)", flush=True)
        from sanxiang.ledger.services import ledger_checkpoint

        ledger_checkpoint()
        search_index.ensure()
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE" if self.vendor == "sqlite" else "VACUUM ANALYZE")
        connection.close()
        return time.perf_counter() - started

    def pages(self) -> list[tuple[str, str]]:
        """(label, path) of the measured pages; the searched decision is one in the middle."""
        from urllib.parse import quote

        middle = self.count // 2 + 1  # a company (n % 3 != 0) near the middle
        while middle % 3 == 0:
            middle += 1
        agency = self.agencies[middle % len(self.agencies)]
        return [
            ("门户首页 home", "/"),
            ("决定列表 list", "/decisions/"),
            ("按机关筛选 filtered", f"/decisions/?agency={agency.code}"),
            ("当事人搜索 party", "/decisions/?q=" + quote(self.party(middle)[0])),
            ("文号搜索 number", "/decisions/?q=" + quote(self.number(agency, middle))),
            ("决定页 decision", "RANDOM"),
        ]



def _insert_publications(connection, pubs: list, postgres: bool) -> None:
    """The rows bulk_create would write, without its per-value compiler work (half the fill's time):
    each column's database value once, then COPY on PostgreSQL and executemany on SQLite."""
    from django.db import connections
    from django.db.models import JSONField

    from sanxiang.disclosure.models import Publication

    connection = connections[connection.alias]  # the connection itself, not the proxy, in the loop
    fields = Publication._meta.local_concrete_fields
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    json_fields = {i for i, f in enumerate(fields) if isinstance(f, JSONField)}
    rows = []
    for pub in pubs:
        row = []
        for i, f in enumerate(fields):
            value = getattr(pub, f.attname)
            if i in json_fields:
                # Django's own encoding of a JSONField value (plain json.dumps), as text for both engines.
                row.append(json.dumps(value, cls=f.encoder))
            else:
                row.append(f.get_db_prep_save(value, connection))
        rows.append(row)
    table = Publication._meta.db_table
    with connection.cursor() as cursor:
        if postgres:
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        marks = ", ".join(["%s"] * len(fields))
        cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", rows)


def start_server(workdir: Path, port: int, env: dict) -> subprocess.Popen:
    sanxiang = ROOT / ".venv" / "bin" / "sanxiang"
    if not sanxiang.exists():
        sanxiang = Path(sys.executable).parent / "sanxiang"
    server = subprocess.Popen(["bash", str(ROOT / "scripts" / "serve_with_worker.sh"), str(port)], cwd=ROOT,
                              env={**env, "SANXIANG": str(sanxiang)}, stdout=subprocess.DEVNULL,
                              stderr=open(workdir / "server.log", "ab"), start_new_session=True)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"server exited: {(workdir / 'server.log').read_text()[-2000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return server
        except OSError:
            time.sleep(0.2)
    os.killpg(server.pid, signal.SIGINT)
    raise SystemExit("server did not start within 90 s")


def stop_server(server: subprocess.Popen) -> None:
    os.killpg(server.pid, signal.SIGINT)
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()


def wrk(port: int, path: str, duration: int, connections: int, workdir: Path, ids: list[int]) -> dict:
    import urllib.error
    import urllib.request

    script = workdir / "bench.lua"
    lua = LUA + (LUA_RANDOM.format(ids=",".join(map(str, ids))) if path == "RANDOM" else "")
    script.write_text(lua)
    url = f"http://127.0.0.1:{port}" + ("/decisions/" if path == "RANDOM" else path)
    probe = f"http://127.0.0.1:{port}" + (f"/decisions/{ids[0]}/" if path == "RANDOM" else path)
    try:
        answer = urllib.request.urlopen(probe, timeout=60)  # warm up, and the page must answer 200
    except urllib.error.HTTPError as exc:
        raise SystemExit(f"{probe} answered {exc.code}: {exc.read()[:500].decode(errors='replace')}") from exc
    with answer:
        status = answer.status
        matches = answer.read().decode().count('href="/decisions/') if path.startswith("/decisions/?q=") else None
    load_before = os.getloadavg()[0]
    out = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--timeout", "10s", "--latency", "-s", str(script), url],
                         capture_output=True, text=True, check=True).stdout
    line = next(ln for ln in out.splitlines() if ln.startswith("RESULT "))
    result = json.loads(line[len("RESULT "):])
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
    # The machine may be shared: the 1-minute load average before and after the page's run.
    result["load"] = [round(load_before, 1), round(os.getloadavg()[0], 1)]
    result["status"] = status
    result["matches"] = matches
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10000,1000000", help="comma-separated, ascending")
    parser.add_argument("--duration", type=int, default=30, help="seconds of wrk per page")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workdir", type=Path, default=None, help="kept afterwards (default: a temp dir, removed)")
    parser.add_argument("--json", type=Path, default=None, help="also write the results here")
    parser.add_argument("--fill-only", action="store_true",
                        help="fill --workdir to the last size and stop (measure later with --measure-existing)")
    parser.add_argument("--measure-existing", action="store_true",
                        help="measure the database already in --workdir as it is (a fill that was stopped)")
    parser.add_argument("--page-cache", choices=("both", "on", "off"), default="both",
                        help="measure with the public page cache (as deployed), without it, or both")
    args = parser.parse_args(argv)
    modes = ["on", "off"] if args.page_cache == "both" else [args.page_cache]
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",")]
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="sanxiang-portal-bench-"))

    if not args.fill_only:
        ensure_wrk()
    from bench.env import configure

    vendor = configure(workdir, os.environ.get("DATABASE_URL"))
    env = dict(os.environ)
    env.update({"PYTHONPATH": os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")]),
                "RATE_LIMIT_PUBLIC_SEARCH": "100000000/minute", "SANXIANG_CHECKPOINT_INTERVAL_MINUTES": "60"})
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env["DJANGO_SETTINGS_MODULE"] = "config.settings"
    print(f"== portal benchmark on {vendor}, workdir {workdir}", flush=True)
    filler = Filler.existing() if args.measure_existing else Filler()
    if args.measure_existing:
        sizes = [filler.count]
    results: dict[int, dict] = {}
    for size in sizes:
        print(f"== filling to {size:,} published decisions", flush=True)
        seconds = filler.grow(size) if not args.measure_existing else 0.0
        print(f"   filled in {seconds:,.0f} s; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores",
              flush=True)
        if args.fill_only:
            continue
        from sanxiang.disclosure.models import Publication

        # Decision pages: 2,000 published decisions drawn at random, so reads are spread over the table.
        ids = list(Publication.objects.order_by("?").values_list("pk", flat=True)[:2000])
        from django.db import connection

        connection.close()
        results[size] = {}
        for mode in modes:
            # As deployed, pages are kept for visitors who are not signed in (common.pagecache);
            # "不缓存" measures the same pages rendered on every request.
            port = free_port()
            server = start_server(workdir, port, {**env, "PUBLIC_PAGE_CACHE_SECONDS": "60" if mode == "on" else "0"})
            try:
                for label, path in filler.pages():
                    label = label if mode == "on" else f"{label}（不缓存）"
                    r = wrk(port, path, args.duration, args.connections, workdir, ids)
                    results[size][label] = r
                    print(f"   {label:<22} {r['rps']:8.1f} req/s  p50 {r['p50'] / 1000:7.1f} ms  p95 {r['p95'] / 1000:7.1f} ms"
                          f"  p99 {r['p99'] / 1000:7.1f} ms  errors {r['errors'] + r['non2xx']}"
                          + (f"  ({r['matches']} links)" if r["matches"] is not None else "")
                          + f"  load {r['load'][0]}→{r['load'][1]}", flush=True)
            finally:
                stop_server(server)
        if args.json:
            args.json.write_text(json.dumps({"vendor": vendor, "results": results}, ensure_ascii=False, indent=1))
    if args.fill_only:
        return 0
    first = sizes[0]
    from sanxiang.common import serving

    workers = os.environ.get("SANXIANG_WEB_WORKERS") or serving.default_workers()
    threads = os.environ.get("SANXIANG_WEB_THREADS") or 4
    print(f"\n== {vendor}: waitress {workers} processes × {threads} threads and the job worker "
          f"(scripts/serve_with_worker.sh), wrk -t2 -c{args.connections} -d{args.duration}s on {os.cpu_count()} cores")
    head = f"{'page':<22}" + "".join(f" | {f'{s:,}':>30}" for s in sizes) + " | p95 ratio"
    print(head)
    print(f"{'':<22}" + "".join(f" | {'req/s   p50   p95   p99 (ms)':>30}" for _ in sizes) + " |")
    for label in results[first]:
        cells = ""
        for s in sizes:
            r = results[s][label]
            cells += f" | {r['rps']:7.1f} {r['p50'] / 1000:5.1f} {r['p95'] / 1000:5.1f} {r['p99'] / 1000:5.1f}".rjust(33)
        ratio = results[sizes[-1]][label]["p95"] / max(results[first][label]["p95"], 1)
        print(f"{label:<22}{cells} | {ratio:4.2f}×")
    if args.json:
        args.json.write_text(json.dumps({"vendor": vendor, "results": results}, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
