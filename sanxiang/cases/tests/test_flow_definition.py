"""Issue 7 §8: the whole flow definition is parsed when a flow is saved; a misspelt name is refused
then (model, admin), not when a case gets stuck. No flow code or kind literal steers the code."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError

from sanxiang.cases import engine
from sanxiang.common.exceptions import ValidationFailed
from sanxiang.common.services import record_save
from sanxiang.registry.models import Flow

FLOWS = Path(engine.__file__).resolve().parent / "flows"
GENERAL = json.loads((FLOWS / "penalty_general.json").read_text(encoding="utf-8"))


def step(d, code):
    return next(s for s in d["steps"] if s["code"] == code)


def action(d, step_code, code):
    return next(a for a in step(d, step_code)["actions"] if a["code"] == code)


MISSPELLINGS = {
    "guard": (lambda d: action(d, "decision", "decide")["guards"].append("review_pased"), "review_pased"),
    "separation": (lambda d: action(d, "filing", "approve_filing")["separation"].append("approver_on_case"),
                   "approver_on_case"),
    "step separation": (lambda d: step(d, "investigation")["separation"].append("reviewer_not_investigater"),
                        "reviewer_not_investigater"),
    "document kind": (lambda d: step(d, "notice")["documents"].append("prior_notise"), "prior_notise"),
    "dossier kind": (lambda d: step(d, "filing")["dossier"].append({"document": ["filing_aproval"], "label": "x"}),
                     "filing_aproval"),
    "dossier evidence": (lambda d: step(d, "filing")["dossier"].append({"evidence": ["vidoe"], "label": "x"}),
                         "vidoe"),
    "due parameter": (lambda d: step(d, "service")["due"].update(param="service_dayz"), "service_dayz"),
    "period parameter": (lambda d: action(d, "decision", "decide")["periods"][0].update(param="statment_days"),
                         "statment_days"),
    "period condition": (lambda d: action(d, "decision", "decide")["periods"][0]["unless"].append("waived"),
                         "waived"),
    "period date": (lambda d: action(d, "decision", "decide")["periods"][0].update(**{"from": "notice_on"}),
                    "notice_on"),
    "chronology date": (lambda d: d["chronology"].append("paid_on"), "paid_on"),
    "procedure": (lambda d: d.update(procedure="genral"), "genral"),
    "surcharge parameter": (lambda d: step(d, "execution")["surcharge"].update(rate="late_rate"), "late_rate"),
    "surcharge date": (lambda d: step(d, "execution")["surcharge"].update(paid="paid_on"), "paid_on"),
    "role": (lambda d: action(d, "decision", "decide")["roles"].append("agency_haed"), "agency_haed"),
    "dossier field": (lambda d: step(d, "filing")["dossier"].append({"field": "filing_opinon", "label": "x"}),
                      "filing_opinon"),
    "decision document": (lambda d: d.update(decision_document="decison"), "decison"),
}


@pytest.mark.django_db
@pytest.mark.parametrize("what", sorted(MISSPELLINGS))
def test_a_misspelt_name_is_refused_when_the_flow_is_saved(what):
    mutate, name = MISSPELLINGS[what]
    definition = copy.deepcopy(GENERAL)
    definition["code"] = "penalty_test"
    mutate(definition)
    with pytest.raises(ValidationFailed) as err:
        record_save(Flow(code="penalty_test", name="测试流程", kind="penalty", definition=definition), actor="test")
    assert name in err.value.message and err.value.field == "definition"
    # Saved any other way, too.
    with pytest.raises(ValidationError):
        Flow(code="penalty_test", name="测试流程", kind="penalty", definition=definition).save()
    assert not Flow.objects.filter(code="penalty_test").exists()


@pytest.mark.django_db
def test_a_date_field_outside_the_chronology_is_refused():
    definition = copy.deepcopy(GENERAL)
    definition["chronology"].remove("served_on")
    with pytest.raises(engine.FlowDefinitionError, match="served_on"):
        engine.parse_definition(definition)


@pytest.mark.django_db
def test_the_admin_refuses_a_misspelt_flow_beside_the_definition(world, client):
    from sanxiang.accounts.models import Role
    from sanxiang.testing import UserFactory

    admin = UserFactory(username="root", role=Role.ADMIN, agency=None, is_staff=True, is_superuser=True)
    client.force_login(admin)
    flow = Flow.objects.get(code="penalty_general")
    definition = copy.deepcopy(flow.definition)
    step(definition, "notice")["documents"].append("prior_notise")
    response = client.post(f"/admin/registry/flow/{flow.pk}/change/", {
        "code": flow.code, "name": flow.name, "kind": flow.kind, "definition": json.dumps(definition)})
    assert response.status_code == 200 and "prior_notise" in response.content.decode()
    flow.refresh_from_db()
    assert "prior_notise" not in json.dumps(flow.definition)


def test_the_shipped_flows_parse_and_declare_their_procedure():
    specs = {p.stem: engine.parse_definition(json.loads(p.read_text(encoding="utf-8"))) for p in FLOWS.glob("*.json")}
    assert {s.procedure for s in specs.values()} == {"general", "simple"}
    for spec in specs.values():
        assert spec.decision_document in spec.documents()


SOURCE_DIRS = ["cases", "documents", "reviews", "dossier", "disclosure", "records"]


def test_no_flow_code_or_step_dictionary_steers_the_code():
    """Behaviour follows attributes of the flow definition (procedure, decision_document, documents
    per step), never a flow code written in the code."""
    root = Path(engine.__file__).resolve().parent.parent
    offenders = []
    for app in SOURCE_DIRS:
        for path in (root / app).rglob("*.py"):
            if "tests" in path.parts or "migrations" in path.parts:
                continue
            text = path.read_text(encoding="utf-8")
            for match in re.finditer(r"[\"'](penalty_general|penalty_simple)[\"']", text):
                offenders.append(f"{path.relative_to(root)}: {match.group(0)}")
    assert offenders == []


@pytest.mark.django_db
def test_setup_replaces_a_stored_flow_that_this_engine_cannot_run_and_keeps_one_it_can():
    from django.db.models import Q

    from sanxiang.registry.services import defaults_install

    defaults_install(actor="test")
    old = copy.deepcopy(GENERAL)
    action(old, "decision", "decide")["guards"].append("hearing_period_elapsed")  # a guard of an earlier release
    Flow.objects.filter(code="penalty_general").update(definition=old)  # as an old database holds it
    kept = copy.deepcopy(json.loads((FLOWS / "penalty_simple.json").read_text(encoding="utf-8")))
    kept["name"] = "本地调整的简易程序"
    Flow.objects.filter(code="penalty_simple").update(definition=kept)
    done = defaults_install(actor="test")
    assert any("已更新" in line for line in done)
    assert Flow.objects.get(code="penalty_general").definition == GENERAL
    assert Flow.objects.get(code="penalty_simple").definition["name"] == "本地调整的简易程序"
    shipped = [json.loads(p.read_text(encoding="utf-8"))["code"] for p in FLOWS.glob("*.json")]
    assert not Flow.objects.filter(~Q(code__in=shipped)).exists()
