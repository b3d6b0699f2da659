"""Case numbers by kind: the mark between the agency's 字号 and 〔year〕 is the flow's `case_mark`
(data), each mark with its own counter; penalty cases keep 立 and the counter they always had."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from sanxiang.cases import engine
from sanxiang.cases.services import case_open
from sanxiang.inspections.testing import inspection_item
from sanxiang.licensing.testing import licensing_item
from sanxiang.testing import citizen_party

FLOWS = Path(engine.__file__).resolve().parent / "flows"


def _open(w, item, title="案由"):
    return case_open(actor=w.alice, item=item, party=citizen_party(), title=title,
                     officers=[w.alice_officer, w.bob_officer])


@pytest.mark.django_db
def test_inspection_and_licensing_cases_get_their_own_marks_and_counters(world):
    w = world
    for officer in (w.alice_officer, w.bob_officer):
        officer.enforcement_kinds = ["penalty", "inspection", "licensing"]
        officer.save(update_fields=["enforcement_kinds"])
    inspection, (licensing, _guide) = inspection_item(w.agency), licensing_item(w.agency)
    prefix = w.agency.doc_prefix
    penalty1 = _open(w, w.item)
    check1, check2 = _open(w, inspection), _open(w, inspection)
    licence1 = _open(w, licensing)
    penalty2 = _open(w, w.item)
    year = check1.opened_on.year
    assert penalty1.number == f"{prefix}立〔{year}〕1号"
    # The inspections in between did not move the penalty counter: 立 counts penalty cases only.
    assert penalty2.number == f"{prefix}立〔{year}〕2号"
    assert (check1.number, check2.number) == (f"{prefix}检〔{year}〕1号", f"{prefix}检〔{year}〕2号")
    assert licence1.number == f"{prefix}受〔{year}〕1号"


@pytest.mark.django_db
def test_penalty_counter_continues_where_it_was(world):
    """Existing numbers are not touched: the penalty counter keeps its scope, so the next penalty
    case follows the last one numbered before marks existed."""
    from sanxiang.common.models import next_number

    w = world
    year = _open(w, w.item).opened_on.year
    assert next_number(f"case:{w.agency.code}:{year}") == 2  # the scope used before this change
    assert _open(w, w.item).number.endswith(f"〔{year}〕3号")


@pytest.mark.parametrize("mark", ["", "J", "检1", "〔检〕", "检查案件编号"])
def test_a_bad_case_mark_is_refused_when_the_flow_is_loaded(mark):
    definition = copy.deepcopy(json.loads((FLOWS / "inspection_general.json").read_text(encoding="utf-8")))
    definition["case_mark"] = mark
    with pytest.raises(engine.FlowDefinitionError) as err:
        engine.parse_definition(definition)
    assert "case_mark" in str(err.value)


def test_every_shipped_flow_declares_its_mark():
    marks = {d["code"]: engine.parse_definition(d).case_mark
             for d in (json.loads(p.read_text(encoding="utf-8")) for p in FLOWS.glob("*.json"))}
    assert marks["penalty_general"] == marks["penalty_simple"] == "立"
    assert marks["inspection_general"] == "检" and marks["licensing_general"] == "受"
    assert marks["compulsion_seizure"] == marks["compulsion_enforcement"] == "强"
    assert (marks["levy_general"], marks["fee_general"]) == ("征", "费")
