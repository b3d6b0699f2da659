"""建议纠正 not accepted → 审核意见协调; unresolved, or major per the catalogue → 集体讨论 (Art. 57)."""

from __future__ import annotations

import datetime as dt

import pytest

from sanxiang.cases.models import Case
from sanxiang.common.exceptions import DomainError, ReviewRequired, RoleNotAllowed, ValidationFailed
from sanxiang.common.services import record_save
from sanxiang.dossier.checklist import dossier_checklist
from sanxiang.reviews.models import CatalogueEntry
from sanxiang.reviews.tests.conftest import TODAY, act, review
from sanxiang.testing import OfficerFactory

pytestmark = pytest.mark.django_db

DECIDE = {"penalty_kinds": ["fine"], "fine_amount": "20000", "reasons": "依据……"}


def discussion(world, participants, conclusion="penalise", **kw):
    return {"discussed_on": TODAY.isoformat(), "discussion_place": "局三楼会议室", "participants": participants,
            "discussion": "承办人、法制审核人员分别汇报，与会人员逐一发表意见。", "conclusion": conclusion,
            "conclusion_text": "事实清楚，证据确凿，按拟处罚意见作出决定。", **kw}


def into_coordination(world, case):
    case = review(case, world.dave, "correct", "罚款数额裁量偏重，建议纠正。")
    assert case.state == "correction_response"
    return act(case, "reject_correction", world.carol, unit_reasons="当事人拒不改正，按裁量基准属从重情形。")


def test_unit_accepting_the_correction_goes_back_to_examination(world, in_review):
    case = review(in_review(), world.dave, "correct", "建议纠正")
    case = act(case, "accept_correction", world.carol, correction_note="按审核意见调整拟罚款数额。")
    assert case.state == "examination" and not case.review_coordinations.exists()


def test_coordination_records_both_positions_before_its_outcome(world, in_review):
    case = into_coordination(world, in_review())
    assert case.state == "review_coordination"
    with pytest.raises(DomainError) as err:
        act(case, "conclude_coordination", world.carol, unit_position="维持", coordination_outcome="unresolved")
    assert err.value.code == "coordination_position_missing" and "协调" in err.value.message
    assert Case.objects.get(pk=case.pk).state == "review_coordination"
    with pytest.raises(RoleNotAllowed):
        act(case, "state_review_position", world.carol, reviewer_position="x", reviewer_stance="maintain")
    due_before = case.step_due
    case = act(case, "state_review_position", world.dave, reviewer_position="裁量明显不当，维持纠正意见。",
               reviewer_stance="maintain")
    assert case.state == "review_coordination" and case.step_due == due_before
    case = act(case, "conclude_coordination", world.carol, unit_position="维持拟处罚意见。",
               coordination_outcome="unresolved")
    assert case.state == "collective_discussion"
    row = case.review_coordinations.get()
    assert (row.unit_reasons, row.reviewer_position, row.unit_position, row.outcome) == (
        "当事人拒不改正，按裁量基准属从重情形。", "裁量明显不当，维持纠正意见。", "维持拟处罚意见。", "unresolved")
    assert row.reviewer == world.dave and row.unit_head == world.carol


def test_reviewer_revising_the_opinion_sends_the_case_back_to_review(world, in_review):
    case = into_coordination(world, in_review())
    case = act(case, "state_review_position", world.dave, reviewer_position="采纳承办机构理由。", reviewer_stance="revise")
    assert case.state == "legal_review"
    case = review(case, world.dave, "agree", "同意")
    assert case.state == "decision"


def test_unresolved_disagreement_needs_a_discussion_before_the_decision(world, in_review):
    case = into_coordination(world, in_review())
    case = act(case, "state_review_position", world.dave, reviewer_position="维持", reviewer_stance="maintain")
    case = act(case, "conclude_coordination", world.carol, unit_position="维持", coordination_outcome="unresolved")
    Case.objects.filter(pk=case.pk).update(state="decision")  # as if the discussion had been skipped
    case.refresh_from_db()
    with pytest.raises(ReviewRequired):
        act(case, "decide", world.erin, decided_on=TODAY.isoformat(), **DECIDE)
    Case.objects.filter(pk=case.pk).update(state="collective_discussion")
    case.refresh_from_db()
    case = act(case, "record_discussion", world.erin, **discussion(world, [world.dave_officer.pk, world.alice_officer.pk]))
    assert case.state == "decision"
    record = case.collective_discussions.get()
    assert record.presided_by == world.erin and record.participant_names() == "戴维、艾丽"
    assert "协调未果" in "".join(record.reasons)
    # The 集体讨论笔录 is issued with the record and satisfies the step's dossier requirement.
    doc = case.documents.get(kind="collective_discussion")
    assert doc.issued_by == world.erin
    need = [r for r in dossier_checklist(case) if r.step == "collective_discussion"]
    assert need and all(r.satisfied for r in need)
    case = act(case, "decide", world.erin, decided_on=TODAY.isoformat(), **DECIDE)
    assert case.state == "service"
    from sanxiang.ledger.verification import verify_all

    assert verify_all().ok  # the discussion, its 笔录 and every row of the rounds are in the log


def test_major_case_per_catalogue_goes_to_discussion_and_decision_is_refused_without_it(world, in_review):
    entry = CatalogueEntry.objects.get(agency=world.agency, criterion="fine_at_least", party_scope="citizen")
    entry.requires_collective_discussion = True
    record_save(entry, actor="test")
    case = review(in_review(), world.dave, "agree", "同意")
    assert case.state == "collective_discussion"
    Case.objects.filter(pk=case.pk).update(state="decision")
    case.refresh_from_db()
    with pytest.raises(DomainError) as err:
        act(case, "decide", world.erin, decided_on=TODAY.isoformat(), **DECIDE)
    assert err.value.code == "collective_discussion_required"
    assert "第五十七条第二款" in err.value.message and err.value.rule == "行政处罚法第五十七条第二款"
    assert Case.objects.get(pk=case.pk).decided_on is None


def test_discussion_needs_enough_staff_of_the_agency_and_the_head_presiding(world, in_review):
    entry = CatalogueEntry.objects.get(agency=world.agency, criterion="fine_at_least", party_scope="citizen")
    entry.requires_collective_discussion = True
    record_save(entry, actor="test")
    case = review(in_review(), world.dave, "agree", "同意")
    with pytest.raises(ValidationFailed) as err:
        act(case, "record_discussion", world.erin, **discussion(world, [world.dave_officer.pk]))
    assert err.value.code == "too_few_participants" and err.value.field == "participants" and "不得少于3人" in err.value.message
    aux = OfficerFactory(agency=world.agency, name="协管员", staff_type="auxiliary", certificate_no=None,
                         valid_from=None, valid_to=None, enforcement_kinds=[])
    for bad in ([world.dave_officer.pk, aux.pk], [world.dave_officer.pk, world.mallory_officer.pk]):
        with pytest.raises(ValidationFailed) as err:
            act(case, "record_discussion", world.erin, **discussion(world, bad))
        assert err.value.code == "participant_invalid"
    with pytest.raises(RoleNotAllowed):
        act(case, "record_discussion", world.carol, **discussion(world, [world.dave_officer.pk, world.alice_officer.pk]))
    assert not case.collective_discussions.exists() and not case.documents.filter(kind="collective_discussion").exists()
    assert Case.objects.get(pk=case.pk).state == "collective_discussion"


def test_discussion_may_conclude_no_penalty_or_transfer(world, in_review):
    people = [world.dave_officer.pk, world.alice_officer.pk]
    for n, (conclusion, state) in enumerate((("no_penalty", "not_penalised"), ("transfer", "transfer_review"),
                                             ("investigate", "investigation"))):
        case = into_coordination(world, in_review(20 + n))
        case = act(case, "state_review_position", world.dave, reviewer_position="维持", reviewer_stance="maintain")
        case = act(case, "conclude_coordination", world.carol, unit_position="维持", coordination_outcome="unresolved")
        case = act(case, "record_discussion", world.erin, **discussion(world, people, conclusion))
        assert case.state == state


def test_an_earlier_discussion_does_not_cover_a_later_review(world, in_review):
    entry = CatalogueEntry.objects.get(agency=world.agency, criterion="fine_at_least", party_scope="citizen")
    entry.requires_collective_discussion = True
    record_save(entry, actor="test")
    case = review(in_review(), world.dave, "agree", "同意")
    people = [world.dave_officer.pk, world.alice_officer.pk]
    case = act(case, "record_discussion", world.erin, **discussion(world, people, "correct"))
    assert case.state == "examination"
    Case.objects.filter(pk=case.pk).update(state="legal_review", step_entered_at=case.step_entered_at)
    case.refresh_from_db()
    case = review(case, world.dave, "agree", "纠正后同意")
    assert case.state == "collective_discussion"  # the discussion before the new review does not count
    Case.objects.filter(pk=case.pk).update(state="decision")
    case.refresh_from_db()
    with pytest.raises(DomainError) as err:
        act(case, "decide", world.erin, decided_on=(TODAY - dt.timedelta(days=0)).isoformat(), **DECIDE)
    assert err.value.code == "collective_discussion_required"
