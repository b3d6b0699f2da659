#!/usr/bin/env python3
"""Recompute a published Sanxiang random draw (双随机) and check it. Standard library only.

Usage: python3 recompute_draw.py DRAW.json      (or "-" to read standard input)

DRAW.json is what the portal publishes for a draw (/draws/<id>.json): seed, commitment,
pools, pool_hashes, parameters, result. The script checks that SHA-256(seed) is the commitment
written to the ledger before the draw, that each pool hashes to its published hash, and that
the draw recomputed from (seed, pools, parameters) is the published result. Exit status 0 when
everything matches, 1 on any mismatch (each is printed), 2 when the file cannot be read.

The algorithm ("sx-draw-1") is documented in the README (行政检查与双随机、一公开) and in
sanxiang/draws/algorithm.py, of which the functions below are a verbatim copy.
"""

from __future__ import annotations

import hashlib
import json
import sys
from fractions import Fraction

ALGORITHM = "sx-draw-1"


def canonical(value) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def commitment_of(seed: str) -> str:
    return sha256_hex(seed.encode("utf-8"))


def pool_hash(members: list[dict]) -> str:
    return sha256_hex(canonical(sorted(members, key=lambda m: str(m["id"]))))


def rank(seed: str, *parts: str) -> str:
    return sha256_hex("|".join([seed, *parts]).encode("utf-8"))


def _count(n: int, ratio: str, minimum: int) -> int:
    r = Fraction(str(ratio))
    if r <= 0 or n == 0:
        return 0
    wanted = -((-n * r.numerator) // r.denominator)  # ceil(n * r)
    return min(n, max(wanted, minimum))


def draw(seed: str, pools: dict, parameters: dict) -> dict:
    """The result of the draw (see the module docstring); deterministic."""
    targets = pools.get("targets", [])
    inspectors = pools.get("inspectors", [])
    ratios = parameters.get("ratios", {})
    minimum = int(parameters.get("minimum", 0))
    team_size = int(parameters.get("team_size", 0))
    excluded = {}
    for ex in parameters.get("exclusions", []):
        excluded.setdefault((str(ex["inspector"]), str(ex["target"])), ex.get("reason", ""))
    strata: dict[str, list[dict]] = {}
    for member in targets:
        strata.setdefault(str(member.get("stratum", "")), []).append(member)
    chosen = []
    for stratum in sorted(strata):
        members = sorted(strata[stratum], key=lambda m: (rank(seed, "targets", str(m["id"])), str(m["id"])))
        chosen.extend(members[:_count(len(members), ratios.get(stratum, "0"), minimum)])
    chosen.sort(key=lambda m: (rank(seed, "targets", str(m["id"])), str(m["id"])))
    load = {str(i["id"]): 0 for i in inspectors}
    out, avoided, unstaffed = [], [], []
    for target in chosen:
        tid = str(target["id"])
        team = []
        if team_size:
            order = sorted(load, key=lambda i: (load[i], rank(seed, "inspectors", tid, i), i))
            for iid in order:
                if len(team) == team_size:
                    break
                if (iid, tid) in excluded:
                    avoided.append({"target": tid, "inspector": iid, "reason": excluded[(iid, tid)]})
                    continue
                team.append(iid)
            if len(team) < team_size:
                unstaffed.append(tid)
                team = []
            for iid in team:
                load[iid] += 1
        out.append({"id": tid, "stratum": str(target.get("stratum", "")), "inspectors": team})
    return {"algorithm": ALGORITHM, "targets": out, "avoided": avoided, "unstaffed": unstaffed}


def check(published: dict) -> list[str]:
    """What does not match in a published draw ({"seed", "commitment", "pools", "pool_hashes",
    "parameters", "result"}); empty when everything recomputes."""
    problems = []
    seed = published.get("seed") or ""
    if published.get("commitment") and commitment_of(seed) != published["commitment"]:
        problems.append("commitment: SHA-256(seed) does not match the published commitment")
    pools = published.get("pools", {})
    for name, expected in (published.get("pool_hashes") or {}).items():
        if pool_hash(pools.get(name, [])) != expected:
            problems.append(f"pool {name}: hash does not match the published pool hash")
    if draw(seed, pools, published.get("parameters", {})) != published.get("result"):
        problems.append("result: recomputed result differs from the published result")
    return problems


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    try:
        text = sys.stdin.read() if argv[1] == "-" else open(argv[1], encoding="utf-8").read()
        published = json.loads(text)
    except (OSError, ValueError) as exc:
        print(f"cannot read {argv[1]}: {exc}", file=sys.stderr)
        return 2
    problems = check(published)
    for problem in problems:
        print(f"MISMATCH {problem}")
    if problems:
        return 1
    result = published["result"]
    print(f"OK draw recomputed: {len(result['targets'])} targets, {len(result['avoided'])} avoided pairs, "
          f"{len(result['unstaffed'])} unstaffed")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
