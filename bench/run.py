"""Ledger benchmark (`make bench`): append rate, `verify_ledger` rate and inclusion-proof time.

Every figure is printed beside a baseline measured in the same run on the same bytes: raw
SHA-256(0x00 ‖ body) over the entries' bodies held in memory. Nothing here is a timed test.

    .venv/bin/python bench/run.py [--entries 1000000] [--appends 20000] [--writers 4]
                                  [--proofs 2000] [--repeat 5] [--skip-postgres] [--skip-sqlite]

The parent process runs one child per database: SQLite in a new temporary file, PostgreSQL on a
throwaway server started by scripts/with_postgres.sh. Neither ever touches var/sanxiang.sqlite3
or the database named by your DATABASE_URL. In each child:

1. populate: `--entries` realistic entries, their tree nodes, signed checkpoints (bulk insert);
2. verify: `sanxiang verify_ledger --tree-only` (the command) `--repeat` times with its default
   --jobs and about half as often with --jobs 1, each run right after a raw hashing run; the
   best of each is reported (other processes share this machine);
3. proofs: `merkle.inclusion_proof` over the database store at the full size, each verified;
4. appends: `--appends` real `ledger_append` calls, one transaction each, by one writer and then
   by `--writers` concurrent processes, onto the populated log; afterwards the log must be
   gapless and the whole tree must verify.

Targets (the issue): appends >= 2,000/s on SQLite, verification within 3x of raw hashing,
inclusion proofs under 5 ms.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.ledger_bench import WINDOW  # noqa: E402  (stdlib-only at import time)

TARGET_APPENDS = 2000.0
TARGET_VERIFY_RATIO = 3.0
TARGET_PROOF_MS = 5.0
CHILD_MARK = "SANXIANG_BENCH_CHILD"
DEFAULT_JOBS = min(os.cpu_count() or 1, 4)  # verify_ledger's default --jobs


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Sanxiang ledger benchmark")
    parser.add_argument("--entries", type=int, default=1_000_000, help="size of the populated log (0: skip)")
    parser.add_argument("--appends", type=int, default=20_000, help="appends per append run")
    parser.add_argument("--writers", type=int, default=4, help="concurrent writer processes")
    parser.add_argument("--proofs", type=int, default=2000, help="inclusion proofs to time")
    parser.add_argument("--repeat", type=int, default=5, help="verification runs (the best is reported)")
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument("--skip-sqlite", action="store_true")
    parser.add_argument("--workdir", type=Path,
                        help="a new directory to keep the SQLite database and var/ in (default: a temporary one)")
    parser.add_argument("--json", type=Path, help="also write the figures here as JSON")
    parser.add_argument("--backend", choices=["sqlite", "postgres"], help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.entries < 0 or args.appends < 0 or args.writers < 1 or args.proofs < 0 or args.repeat < 1:
        parser.error("sizes must be >= 0, --writers and --repeat >= 1")
    return args


def fmt(value: float, digits: int = 0) -> str:
    return f"{value:,.{digits}f}"


# --------------------------------------------------------------------------------------------
# One database (child process)
# --------------------------------------------------------------------------------------------


def run_backend(args: argparse.Namespace) -> int:
    if args.backend == "postgres":
        url = os.environ.get("DATABASE_URL", "")
        if os.environ.get(CHILD_MARK) != "1" or not url.startswith("postgres"):
            print("--backend postgres runs only under scripts/with_postgres.sh, started by bench/run.py",
                  file=sys.stderr)
            return 2
    else:
        url = None
    workdir = args.workdir if args.backend == "sqlite" and args.workdir else Path(tempfile.mkdtemp(prefix="sanxiang-bench-"))
    try:
        return _run_backend(args, workdir, url)
    finally:
        if workdir != args.workdir:
            shutil.rmtree(workdir, ignore_errors=True)


def _run_backend(args: argparse.Namespace, workdir: Path, url: str | None) -> int:
    from bench.env import configure

    vendor = configure(workdir, url)

    from django.db import connection

    from bench import ledger_bench as lb

    with connection.cursor() as cursor:
        if vendor == "postgresql":
            cursor.execute("SHOW server_version")
            version = f"PostgreSQL {cursor.fetchone()[0]} (throwaway server: fsync=off, synchronous_commit=off)"
        else:
            cursor.execute("SELECT sqlite_version()")
            version = f"SQLite {cursor.fetchone()[0]} (WAL, synchronous=NORMAL, BEGIN IMMEDIATE)"
    load = "/".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"\n=== {version} ===\nload average before: {load} (other processes share these CPUs)", flush=True)
    out: dict = {"backend": args.backend, "version": version, "ok": True, "load_before": os.getloadavg()}

    if args.entries:
        populated = lb.populate(args.entries)
        print(f"populate: {fmt(populated.size)} entries (mean body {fmt(populated.mean_body_bytes)} bytes), "
              f"{len(populated.checkpoints)} signed checkpoints, in {populated.seconds:.1f} s (bulk insert)",
              flush=True)
        verify = lb.run_verify(populated.bodies, args.repeat)
        out["verify"] = lb.as_dict(verify)
        out["ok"] &= verify.ok
        runs = ", ".join(f"{s:.2f}" for s in verify.seconds)
        one_runs = ", ".join(f"{s:.2f}" for s in verify.one_job_seconds)
        raws = ", ".join(f"{s:.2f}" for s in verify.raw_seconds)
        print(f"verify_ledger --tree-only (default --jobs {DEFAULT_JOBS}), {fmt(verify.size)} entries: best "
              f"{verify.best:.2f} s = {fmt(verify.size / verify.best)} entries/s   (runs: {runs} s)")
        print(f"  raw SHA-256(0x00||body), same bodies from memory, one thread: best {verify.raw_best:.2f} s = "
              f"{fmt(verify.size / verify.raw_best)} entries/s, "
              f"{verify.size * populated.mean_body_bytes / verify.raw_best / 1e6:.0f} MB/s   (runs: {raws} s)")
        print(f"  ratio verify / raw hashing: {verify.ratio:.2f}x   (target <= {TARGET_VERIFY_RATIO:.0f}x)   "
              f"command said: {verify.output.splitlines()[-1] if verify.output else '-'}")
        print(f"  the same with --jobs 1 (one process): best {verify.one_job_best:.2f} s = "
              f"{fmt(verify.size / verify.one_job_best)} entries/s, ratio {verify.one_job_ratio:.2f}x   "
              f"(runs: {one_runs} s)", flush=True)
        del populated
        if args.proofs:
            proofs = lb.run_proofs(args.proofs)
            out["proofs"] = lb.as_dict(proofs)
            out["ok"] &= proofs.verified == proofs.count
            print(f"inclusion proof at tree size {fmt(proofs.size)}: mean {proofs.mean_ms:.3f} ms, "
                  f"p50 {proofs.p50_ms:.3f} ms, p99 {proofs.p99_ms:.3f} ms, max {proofs.max_ms:.3f} ms "
                  f"over {fmt(proofs.count)} random leaves; {fmt(proofs.verified)} verified against the signed "
                  f"checkpoint   (target < {TARGET_PROOF_MS:.0f} ms)", flush=True)

    out["appends"] = []
    if args.appends:
        print("append: each ledger_append call in its own transaction, body with the state hash of one subject "
              "row (cases.Case), a content hash, a file hash on every third", flush=True)
        for writers in dict.fromkeys([1, args.writers]):
            result = lb.run_appends(args.appends, writers)
            out["appends"].append(lb.as_dict(result))
            log = result.log
            out["ok"] &= log.gapless and log.verified
            label = "1 writer" if writers == 1 else f"{writers} concurrent writers"
            spread = ""
            if writers > 1:
                spread = " (writers: " + ", ".join(f"{fmt(n)} in {t:.2f} s" for n, t in result.per_writer) + ")"
            window = (f"; best {fmt(lb.WINDOW)} consecutive: {fmt(result.best_window_rate)} entries/s"
                      if result.best_window_rate else "")
            print(f"append, {label}: {fmt(result.entries)} ledger_append calls in {result.seconds:.2f} s = "
                  f"{fmt(result.rate)} entries/s{window}{spread}")
            print(f"  raw SHA-256(0x00||body) of the same bodies: {fmt(result.raw_rate)} entries/s; "
                  f"an append costs {result.raw_rate / result.rate:,.0f}x its leaf hash")
            state = "gapless" if log.gapless else "NOT GAPLESS"
            tree = "tree and checkpoints verify" if log.verified else "VERIFICATION FAILED: " + "; ".join(log.problems)
            print(f"  log: indexes {log.first}..{log.last}, head {fmt(log.head)}, {state}; {tree}", flush=True)

    out["load_after"] = os.getloadavg()
    print("load average after: " + "/".join(f"{x:.2f}" for x in os.getloadavg()), flush=True)
    if args.json:
        args.json.write_text(json.dumps(out, indent=2, ensure_ascii=False))
    return 0 if out["ok"] else 1


# --------------------------------------------------------------------------------------------
# Orchestration (parent process)
# --------------------------------------------------------------------------------------------


def _child_command(args: argparse.Namespace, backend: str, json_path: Path) -> list[str]:
    command = [sys.executable, str(Path(__file__).resolve()), "--backend", backend,
               "--entries", str(args.entries), "--appends", str(args.appends), "--writers", str(args.writers),
               "--proofs", str(args.proofs), "--repeat", str(args.repeat), "--json", str(json_path)]
    if backend == "sqlite" and args.workdir:
        command += ["--workdir", str(args.workdir)]
    if backend == "postgres":
        command = ["bash", str(ROOT / "scripts" / "with_postgres.sh"), *command]
    return command


def summary(results: dict[str, dict]) -> list[str]:
    lines = ["", "=== summary (targets from the issue) ==="]

    def mark(ok: bool) -> str:
        return "met" if ok else "MISSED"

    for backend, data in results.items():
        name = "SQLite" if backend == "sqlite" else "PostgreSQL"
        for run in data.get("appends", []):
            label = f"{run['writers']} writer{'s' if run['writers'] > 1 else ''}"
            line = f"{name:<10} append, {label:<9}: {fmt(run['rate']):>7} entries/s"
            if backend == "sqlite":
                line += f"   target >= {fmt(TARGET_APPENDS)}/s: {mark(run['rate'] >= TARGET_APPENDS)}"
            if run.get("best_window_rate"):
                line += f"   (best {fmt(WINDOW)} consecutive: {fmt(run['best_window_rate'])}/s)"
            lines.append(line)
        if "verify" in data:
            v = data["verify"]
            lines.append(f"{name:<10} verify {fmt(v['size'])} entries: {v['best']:.2f} s vs raw hashing "
                         f"{v['raw_best']:.2f} s = {v['ratio']:.2f}x   target <= {TARGET_VERIFY_RATIO:.0f}x: "
                         f"{mark(v['ratio'] <= TARGET_VERIFY_RATIO)}")
            lines.append(f"{'':<10} (with --jobs 1: {v['one_job_best']:.2f} s = {v['one_job_ratio']:.2f}x)")
        if "proofs" in data:
            p = data["proofs"]
            lines.append(f"{name:<10} inclusion proof at {fmt(p['size'])}: mean {p['mean_ms']:.3f} ms, "
                         f"p99 {p['p99_ms']:.3f} ms   target < {TARGET_PROOF_MS:.0f} ms: "
                         f"{mark(p['p99_ms'] < TARGET_PROOF_MS)}")
        lines.append(f"{name:<10} correctness (gapless, tree verifies, proofs verify): "
                     f"{'ok' if data.get('ok') else 'FAILED'}")
    return lines


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.backend:
        return run_backend(args)
    backends = [b for b, skip in (("sqlite", args.skip_sqlite), ("postgres", args.skip_postgres)) if not skip]
    print(f"Sanxiang ledger benchmark: {fmt(args.entries)} entries, {fmt(args.appends)} appends per run, "
          f"{args.writers} concurrent writers, {fmt(args.proofs)} proofs, on {os.cpu_count()} CPUs", flush=True)
    results: dict[str, dict] = {}
    status = 0
    with tempfile.TemporaryDirectory(prefix="sanxiang-bench-") as tmp:
        env = {**os.environ, CHILD_MARK: "1"}
        for backend in backends:
            json_path = Path(tmp) / f"{backend}.json"
            code = subprocess.run(_child_command(args, backend, json_path), cwd=ROOT, env=env).returncode
            if json_path.exists():
                results[backend] = json.loads(json_path.read_text())
            if code:
                print(f"[bench] {backend} run exited with status {code}", file=sys.stderr)
                status = 1
    for line in summary(results):
        print(line)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, ensure_ascii=False))
    return status


if __name__ == "__main__":
    sys.exit(main())
