"""The engine owns the registries; apps register into them from AppConfig.ready()."""

import ast
from pathlib import Path

import pytest

from sanxiang.cases import engine

ENGINE_SOURCE = Path(engine.__file__).read_text(encoding="utf-8")


def test_engine_imports_no_app():
    imported = {node.module for node in ast.walk(ast.parse(ENGINE_SOURCE))
                if isinstance(node, ast.ImportFrom) and node.module}
    # Only the foundation (sanxiang.common: exceptions, parsing helpers) that every app stands on.
    assert not {m for m in imported if m.startswith("sanxiang.") and not m.startswith("sanxiang.common.")}, imported


@pytest.mark.parametrize("registry", [engine.GUARDS, engine.CONDITIONS, engine.EFFECTS, engine.SEPARATIONS])
def test_every_registered_rule_has_a_chinese_label(registry):
    assert registry, "apps registered nothing"
    for name, rule in registry.items():
        assert rule.name == name
        assert any("\u4e00" <= ch <= "\u9fff" for ch in rule.label), name


def test_apps_register_their_own_rules():
    assert engine.GUARDS["review_passed"].func.__module__ == "sanxiang.reviews.guards"
    assert engine.GUARDS["dossier_complete"].func.__module__ == "sanxiang.dossier.guards"
    assert engine.EFFECTS["create_publication"].func.__module__ == "sanxiang.disclosure.effects"
    assert engine.GUARDS["officers_qualified"].func.__module__ == "sanxiang.cases.guards"


def test_apps_register_their_document_kinds_parameters_evidence_kinds_and_roles():
    from sanxiang.accounts.models import Role
    from sanxiang.documents.kinds import KINDS
    from sanxiang.records.models import EvidenceKind
    from sanxiang.registry.params import DEFAULTS

    assert set(engine.DOCUMENT_KINDS) == set(KINDS)
    assert set(engine.PARAMETERS) == set(DEFAULTS)
    assert set(engine.EVIDENCE_KINDS) == set(EvidenceKind.values)
    assert set(engine.ROLES) == set(Role.values)


def test_a_second_rule_under_a_taken_name_is_refused():
    with pytest.raises(engine.FlowDefinitionError):
        engine.guard("review_passed", label="冒名规则")(lambda ctx: None)
    assert engine.GUARDS["review_passed"].func.__module__ == "sanxiang.reviews.guards"


def test_rule_text_names_the_article_once():
    assert engine.GUARDS["review_passed"].text == "属于审核目录的，须经法制审核且审核通过（行政处罚法第五十八条）"
