"""The data migration: each case's party becomes its first CaseParty, rows registered twice under
one number are merged into the first, each decision gets its party's penalty row, and the new
states are logged."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("cases", "0002_case_step_due_note")]
AFTER = [("cases", "0004_one_party_per_number_decision_text_from_document")]


def _migrate(targets):
    """Migrate `targets` and return the models as they are then."""
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    # The models as the database now is: every migration still applied. Other apps' newest
    # migrations may depend on later cases migrations and have been unapplied with them.
    return executor.loader.project_state(list(executor.loader.applied_migrations)).apps


@pytest.fixture(autouse=True)
def _back_to_the_latest_schema():
    """Leave the database at every app's newest migration: AFTER is this branch's node, and
    migrations merged beside it (e.g. the discretion columns on Case) must be re-applied."""
    yield
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_existing_cases_keep_their_party_and_duplicate_numbers_are_merged():
    apps = _migrate(BEFORE)
    try:
        Agency = apps.get_model("registry", "Agency")
        Flow = apps.get_model("registry", "Flow")
        Item = apps.get_model("registry", "EnforcementItem")
        User = apps.get_model("accounts", "User")
        Party = apps.get_model("cases", "Party")
        Case = apps.get_model("cases", "Case")
        Decision = apps.get_model("cases", "Decision")
        agency = Agency.objects.create(code="m-agency", name="迁移测试局", uscc="11410300000000001X",
                                       authority_basis="—", jurisdiction="—", reconsideration_body="—",
                                       litigation_court="—", doc_prefix="迁测罚")
        flow = Flow.objects.create(code="m-flow", name="流程", kind="penalty", definition={})
        item = Item.objects.create(agency=agency, code="M1", name="事项", kind="penalty", flow=flow)
        user = User.objects.create(username="m-user", role="officer", agency=agency)
        number = "410302198506120077"
        first = Party.objects.create(agency=agency, kind="citizen", name="张三丰", id_number=number)
        again = Party.objects.create(agency=agency, kind="citizen", name="张三", id_number=number)
        other = Party.objects.create(agency=agency, kind="legal_person", name="某公司", uscc="91410300MA00000091")
        now = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)
        cases = [Case.objects.create(agency=agency, item=item, flow=flow, number=f"迁测罚立〔2026〕{i}号", party=p,
                                     state="service", title="案", opened_on=dt.date(2026, 1, 5), step_entered_at=now,
                                     created_by=user)
                 for i, p in enumerate((first, again, other), 1)]
        Decision.objects.create(case=cases[1], number="迁测罚〔2026〕第1号", decided_on=dt.date(2026, 1, 9),
                                penalty_kinds=["fine"], fine_amount=Decimal("300"), reasons="依据", text="旧正文",
                                decided_by=user)
    finally:
        apps = _migrate(AFTER)
    Party = apps.get_model("cases", "Party")
    CaseParty = apps.get_model("cases", "CaseParty")
    DecisionParty = apps.get_model("cases", "DecisionParty")
    first, again = Party.objects.filter(id_number="410302198506120077").order_by("pk")
    assert first.merged_into_id is None and again.merged_into_id == first.pk  # kept, pointing at the first
    links = {link.case.number: link.party_id for link in CaseParty.objects.select_related("case")}
    assert links["迁测罚立〔2026〕1号"] == links["迁测罚立〔2026〕2号"] == first.pk
    assert CaseParty.objects.filter(order=0).count() == 3
    row = DecisionParty.objects.get()
    assert row.party_id == first.pk and row.penalty_kinds == ["fine"] and row.fine_amount == Decimal("300")
    from sanxiang.ledger.models import Entry

    entry = Entry.objects.filter(kind="schema.migrate").order_by("-index").first()
    body = bytes(entry.body).decode()
    assert f"cases.party:{first.pk}" in body and "cases.caseparty:" in body and "cases.decisionparty:" in body
