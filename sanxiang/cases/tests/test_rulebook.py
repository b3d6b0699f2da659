"""The README's rule list and the portal flowchart match the engine: every registered rule, period,
chronology and document-per-step rule is listed with the sentence the engine prints, and nothing
else is."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from django.urls import reverse

from sanxiang.cases import engine
from sanxiang.cases.procedure import chronology_sentence, surcharge_sentence
from sanxiang.cases.rulebook import KINDS, readme_table, rule_rows, rule_table

README = Path(engine.__file__).resolve().parent.parent.parent / "README.md"


def readme_rows() -> dict[str, list[str]]:
    rows = {}
    for line in readme_table(README.read_text(encoding="utf-8")).splitlines()[2:]:
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        rows[cells[0].strip("`")] = cells[1:]
    return rows


def test_readme_rule_list_is_the_generated_one():
    assert readme_table(README.read_text(encoding="utf-8")) == rule_table(), \
        "README 规则一览 is out of date: run `sanxiang rulebook` and paste it between the markers"


def test_every_registered_rule_is_in_the_readme_with_its_label_and_nothing_else_is():
    rows = readme_rows()
    registered = set()
    for _, category, registry in KINDS:
        for name, rule in registry.items():
            registered.add(name)
            assert rows.get(name, [None])[0] == category, name
            assert rows[name][1] == rule.label and rows[name][2] == (rule.rule or "—"), name
    derived = {code for code, *_ in rule_rows()} - registered
    assert set(rows) == registered | derived


@pytest.mark.django_db
@pytest.mark.parametrize("code", ["penalty_general", "penalty_simple"])
def test_the_portal_flowchart_states_every_rule_of_the_flow_in_words(client, world, code):
    from sanxiang.registry.models import Flow

    flow = Flow.objects.get(code=code)
    spec = engine.flow_spec(flow)
    page = html.unescape(client.get(reverse("portal:flow", args=[code])).content.decode())
    assert chronology_sentence(spec) in page
    if spec.surcharge():
        assert surcharge_sentence(spec) in page
    for step in spec.steps.values():
        for kind in step.documents:
            assert f"《{engine.DOCUMENT_KINDS[kind]}》" in page
        for name in step.separation:
            assert engine.SEPARATIONS[name].text in page
        for action in step.actions.values():
            for name in action.guards:
                assert engine.GUARDS[name].text in page
            for name in action.separation:
                assert engine.SEPARATIONS[name].text in page
            for period in action.periods:
                assert engine.PARAMETERS[period.param][0] in page
                for name in period.unless:
                    assert engine.CONDITIONS[name].label.removesuffix("的") in page
    # No rule is shown by its code.
    codes = set(engine.GUARDS) | set(engine.SEPARATIONS) | set(engine.EFFECTS) | set(engine.CONDITIONS)
    body = re.sub(r"<[^>]+>", " ", page)
    assert not [c for c in codes if re.search(rf"\b{re.escape(c)}\b", body)]
