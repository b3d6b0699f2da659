"""The random draw (随机抽取), as a pure function of (seed, pools, parameters). No Django here.

Anyone can recompute a published draw with this module or with the standalone copy in
`scripts/recompute_draw.py` (stdlib only); a test keeps the two identical. The algorithm,
version "sx-draw-1":

1. Canonical bytes of a value: JSON with sorted keys, no spaces (separators "," and ":"),
   UTF-8, non-ASCII characters written as themselves (ensure_ascii=False).
2. A pool is a list of members, each a JSON object with a string "id" (unique in the pool) and,
   for strata, a string "stratum". Its hash is SHA-256 of the canonical bytes of the members
   sorted by "id" (hex, lower case).
3. The seed is a string (64 hex digits, from a CSPRNG); the commitment published before the
   draw is SHA-256 of the seed's UTF-8 bytes.
4. The rank of a member is SHA-256 of UTF-8 "<seed>|<pool name>|<member id>" (hex); for an
   inspector considered for a target it is SHA-256 of "<seed>|<pool name>|<target id>|<inspector id>".
   Lists are ordered by (rank, id) ascending.
5. Targets: for each stratum (strata in sorted order) with ratio r (a decimal string in
   parameters["ratios"]; a stratum not named there has r = 0), the number drawn is
   ceil(n × r) for the n members of that stratum, at most n; the members of the stratum are
   ordered by rank and the first ones are taken. Exact rational arithmetic (no floats).
   parameters["minimum"] (optional, default 0) raises the count of a stratum with r > 0 to at
   least that many, still at most n.
6. The drawn targets, all strata together, are ordered by rank. For each in that order the
   team of parameters["team_size"] inspectors is chosen from the inspector pool: candidates are
   ordered by (load, rank for this target, id), where load is how many targets the inspector
   was already given in this draw; a candidate excluded for the target (parameters["exclusions"],
   each {"inspector", "target", "reason"}) is skipped and the skip is recorded in "avoided"
   with its reason, as long as the team is not yet complete. A target for which fewer than
   team_size candidates remain gets no team and is listed in "unstaffed".
7. Result: {"algorithm": "sx-draw-1", "targets": [{"id", "stratum", "inspectors": [...]}...],
   "avoided": [{"target", "inspector", "reason"}...], "unstaffed": [target ids]}.
"""

from __future__ import annotations

import hashlib
import json
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
