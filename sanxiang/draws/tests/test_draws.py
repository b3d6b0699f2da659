"""The verifiable draw: commitment before the result, deterministic algorithm, independent check."""

from __future__ import annotations

import json
import random
import runpy
import subprocess
import sys
from pathlib import Path

import pytest

from sanxiang.common.exceptions import TransitionNotAllowed, ValidationFailed
from sanxiang.draws import algorithm
from sanxiang.draws.models import Draw
from sanxiang.draws.services import draw_run
from sanxiang.ledger.models import Entry
from sanxiang.testing import build_world

SCRIPT = Path(__file__).resolve().parents[3] / "scripts" / "recompute_draw.py"

POOLS = {
    "targets": [{"id": f"T{n:02d}", "name": f"对象{n}", "stratum": "AB"[n % 2]} for n in range(10)],
    "inspectors": [{"id": f"I{n}", "name": f"人员{n}"} for n in range(4)],
}
PARAMS = {"ratios": {"A": "0.5", "B": "0.2"}, "team_size": 2, "minimum": 0,
          "exclusions": [{"inspector": "I0", "target": "T00", "reason": "亲属关系"}]}


def test_algorithm_is_deterministic_and_follows_the_ratios():
    seed = "00" * 32
    first = algorithm.draw(seed, POOLS, PARAMS)
    assert first == algorithm.draw(seed, POOLS, PARAMS)
    strata = [t["stratum"] for t in first["targets"]]
    assert strata.count("A") == 3  # ceil(5 × 0.5)
    assert strata.count("B") == 1  # ceil(5 × 0.2)
    assert all(len(t["inspectors"]) == 2 and len(set(t["inspectors"])) == 2 for t in first["targets"])
    assert algorithm.draw("11" * 32, POOLS, PARAMS) != first  # another seed, another draw


def test_an_excluded_pair_is_never_drawn_and_the_skip_is_recorded():
    for n in range(40):
        result = algorithm.draw(f"{n:064x}", POOLS, {**PARAMS, "ratios": {"A": "1", "B": "1"}})
        t00 = next(t for t in result["targets"] if t["id"] == "T00")
        assert "I0" not in t00["inspectors"]
    avoided = [a for a in result["avoided"] if a["target"] == "T00"]
    assert all(a == {"target": "T00", "inspector": "I0", "reason": "亲属关系"} for a in avoided)


def test_too_few_inspectors_leave_the_target_unstaffed():
    pools = {"targets": [{"id": "T1", "stratum": "A"}], "inspectors": [{"id": "I1"}, {"id": "I2"}]}
    params = {"ratios": {"A": "1"}, "team_size": 2,
              "exclusions": [{"inspector": "I1", "target": "T1", "reason": "回避"}]}
    result = algorithm.draw("ab" * 32, pools, params)
    assert result["unstaffed"] == ["T1"] and result["targets"][0]["inspectors"] == []


def test_the_standalone_script_is_the_same_algorithm():
    script = runpy.run_path(str(SCRIPT))
    rng = random.Random(7)
    for _ in range(30):
        pools = {"targets": [{"id": str(rng.randrange(10**6)), "stratum": rng.choice("ABCD")} for _ in range(25)],
                 "inspectors": [{"id": f"cert{rng.randrange(10**6)}"} for _ in range(6)]}
        pools["targets"] = list({t["id"]: t for t in pools["targets"]}.values())
        params = {"ratios": {g: str(rng.choice(["0", "0.1", "0.33", "1"])) for g in "ABCD"}, "team_size": 2,
                  "minimum": rng.choice([0, 1]),
                  "exclusions": [{"inspector": pools["inspectors"][0]["id"], "target": pools["targets"][0]["id"],
                                  "reason": "r"}]}
        seed = f"{rng.getrandbits(256):064x}"
        assert script["draw"](seed, pools, params) == algorithm.draw(seed, pools, params)
        assert script["pool_hash"](pools["targets"]) == algorithm.pool_hash(pools["targets"])


def _run_script(published: dict, tmp_path) -> subprocess.CompletedProcess:
    path = tmp_path / "draw.json"
    path.write_text(json.dumps(published, ensure_ascii=False), encoding="utf-8")
    # No Django, no database: a bare interpreter with no site packages and an empty environment.
    return subprocess.run([sys.executable, "-S", "-I", str(SCRIPT), str(path)], capture_output=True, text=True,
                          timeout=60, env={}, cwd=tmp_path)


@pytest.mark.django_db
def test_a_service_draw_is_recomputed_by_the_script_and_tampering_is_detected(tmp_path):
    world = build_world()
    before = Entry.objects.count()
    draw = draw_run(purpose="test", agency=world.agency, subject="test:1", title="测试抽取", pools=POOLS,
                    parameters=PARAMS, actor=world.erin)
    commit, reveal = Entry.objects.filter(index__gte=before).order_by("index")[:2]
    assert (commit.kind, reveal.kind) == ("draw.commit", "draw.reveal")  # the commitment comes first
    assert commit.index == draw.commit_index < draw.ledger_index == reveal.index
    assert draw.commitment in bytes(commit.body).decode()
    published = draw.published()
    ok = _run_script(published, tmp_path)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "OK draw recomputed" in ok.stdout

    # Another seed for sure (a fixed "ff" prefix was the same seed once in 256 runs).
    changed_seed = {**published, "seed": f"{int(published['seed'][0], 16) ^ 1:x}" + published["seed"][1:]}
    bad = _run_script(changed_seed, tmp_path)
    assert bad.returncode == 1 and "commitment" in bad.stdout

    changed_pool = json.loads(json.dumps(published))
    changed_pool["pools"]["targets"][3]["stratum"] = "A" if changed_pool["pools"]["targets"][3]["stratum"] == "B" else "B"
    bad = _run_script(changed_pool, tmp_path)
    assert bad.returncode == 1 and "pool targets" in bad.stdout

    dropped = json.loads(json.dumps(published))
    dropped["pools"]["inspectors"] = dropped["pools"]["inspectors"][1:]
    assert _run_script(dropped, tmp_path).returncode == 1

    changed_result = json.loads(json.dumps(published))
    changed_result["result"]["targets"][0]["inspectors"].reverse()
    bad = _run_script(changed_result, tmp_path)
    assert bad.returncode == 1 and "result" in bad.stdout


@pytest.mark.django_db
def test_a_draw_is_never_edited_or_deleted():
    world = build_world()
    draw = draw_run(purpose="test", agency=world.agency, subject="test:2", title="测试抽取", pools=POOLS,
                    parameters=PARAMS, actor=world.erin)
    draw.result = {"targets": []}
    with pytest.raises(TransitionNotAllowed) as exc:
        draw.save()
    assert exc.value.code == "draw_immutable"
    with pytest.raises(TransitionNotAllowed):
        Draw.objects.get(pk=draw.pk).delete()
    assert Draw.objects.get(pk=draw.pk).result["targets"]


@pytest.mark.django_db
def test_a_redraw_needs_a_reason_and_is_a_new_logged_draw():
    world = build_world()
    kwargs = dict(purpose="test", agency=world.agency, subject="test:3", title="测试抽取", pools=POOLS,
                  parameters=PARAMS, actor=world.erin)
    first = draw_run(**kwargs)
    with pytest.raises(TransitionNotAllowed) as exc:
        draw_run(**kwargs)  # a second draw of the same subject without saying it replaces the first
    assert exc.value.code == "already_drawn"
    with pytest.raises(ValidationFailed) as exc:
        draw_run(**kwargs, redraw_of=first, reason="  ")
    assert exc.value.code == "redraw_reason_required" and exc.value.field == "reason"
    second = draw_run(**kwargs, redraw_of=first, reason="检查对象名录库更新后重新抽取")
    assert second.redraw_of == first and second.seed != first.seed
    assert not Draw.objects.get(pk=first.pk).is_current
    with pytest.raises(TransitionNotAllowed) as exc:
        draw_run(**kwargs, redraw_of=first, reason="再抽一次")
    assert exc.value.code == "redraw_superseded"
    assert Entry.objects.filter(kind="draw.reveal").count() == 2
