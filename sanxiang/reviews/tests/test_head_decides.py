"""Opinions advise; the agency head decides: 建议移送司法机关 and 建议不予处罚/撤销案件 go to the head."""

from __future__ import annotations

import datetime as dt

import pytest

from sanxiang.cases.models import Case
from sanxiang.common.exceptions import RoleNotAllowed, ValidationFailed
from sanxiang.documents.content import plain_text
from sanxiang.ledger.models import Entry
from sanxiang.ledger.verification import verify_all
from sanxiang.reviews.tests.conftest import TODAY, act, review

pytestmark = pytest.mark.django_db

TRANSFER = {"judicial_organ": "测试市公安局", "transfer_reasons": "倾倒数量巨大，涉嫌污染环境罪。",
            "procuratorate": "测试市人民检察院"}


def test_transfer_opinion_goes_to_the_agency_head_and_does_not_end_the_case(world, in_review):
    case = review(in_review(), world.dave, "transfer", "涉嫌污染环境罪，建议移送公安机关。")
    assert case.state == "transfer_review"
    assert not case.documents.filter(kind="crime_transfer").exists()
    # 《行政执法机关移送涉嫌犯罪案件的规定》第五条: the head decides within 3 days (a parameter).
    assert case.step_due == TODAY + dt.timedelta(days=3)
    with pytest.raises(RoleNotAllowed):
        act(case, "approve_transfer", world.dave, **TRANSFER, transferred_on=TODAY.isoformat())
    case.refresh_from_db()
    assert case.state == "transfer_review"


def test_head_approves_the_transfer_and_the_transfer_notice_is_issued(world, in_review):
    case = review(in_review(), world.dave, "transfer", "涉嫌犯罪")
    case = act(case, "approve_transfer", world.erin, **TRANSFER, transferred_on=TODAY.isoformat())
    assert case.state == "transferred"
    notice = case.documents.get(kind="crime_transfer")
    text = plain_text(notice.content)
    assert notice.title == "涉嫌犯罪案件移送书" and notice.number.startswith("测城管罚移〔")
    assert "测试市公安局" in text and "第二十七条" in text and "《行政执法机关移送涉嫌犯罪案件的规定》" in text
    assert "涉嫌犯罪案件情况的调查报告" in text and "抄送：测试市人民检察院" in text
    event = case.events.get(action="approve_transfer")
    assert event.actor == world.erin and Entry.objects.filter(index=event.ledger_index).exists()
    assert verify_all().ok


def test_transfer_without_the_receiving_organ_is_refused_and_nothing_changes(world, in_review):
    case = review(in_review(), world.dave, "transfer", "涉嫌犯罪")
    before = Entry.objects.count()
    with pytest.raises(ValidationFailed) as err:
        act(case, "approve_transfer", world.erin, transfer_reasons="涉嫌犯罪", transferred_on=TODAY.isoformat())
    assert err.value.field == "judicial_organ"
    assert Case.objects.get(pk=case.pk).state == "transfer_review" and Entry.objects.count() == before
    assert not case.documents.filter(kind="crime_transfer").exists()


def test_head_refusing_the_transfer_records_reasons_and_returns_the_case_to_examination(world, in_review):
    case = review(in_review(), world.dave, "transfer", "涉嫌犯罪")
    with pytest.raises(ValidationFailed) as err:
        act(case, "refuse_transfer", world.erin, no_transfer_reasons="")
    assert err.value.field == "no_transfer_reasons"
    case = act(case, "refuse_transfer", world.erin, no_transfer_reasons="涉案数量未达到追诉标准，依法给予行政处罚。")
    assert case.state == "examination"
    assert case.data["no_transfer_reasons"].startswith("涉案数量未达到追诉标准")
    assert not case.documents.filter(kind="crime_transfer").exists()


def test_dismissal_opinion_goes_to_the_head_who_may_decide_no_penalty(world, in_review):
    case = review(in_review(), world.dave, "dismiss", "初次违法且危害后果轻微并及时改正（第三十三条）。")
    assert case.state == "dismissal_review"
    with pytest.raises(RoleNotAllowed):
        act(case, "decide_no_penalty", world.carol, dismissal_reasons="x")
    case = act(case, "decide_no_penalty", world.erin,
               dismissal_reasons="依据《中华人民共和国行政处罚法》第三十三条第一款，不予行政处罚，并对当事人进行教育。")
    assert case.state == "not_penalised"
    from sanxiang.cases.engine import flow_spec

    assert flow_spec(case.flow).step_name(case.state) == "不予行政处罚"
    assert not hasattr(case, "decision") or Case.objects.get(pk=case.pk).decided_on is None


def test_head_may_withdraw_the_case_or_decline_the_dismissal(world, in_review):
    first = review(in_review(7), world.dave, "dismiss", "违法事实不能成立")
    assert act(first, "withdraw_case", world.erin, dismissal_reasons="违法事实不能成立，撤销案件。").state == "withdrawn"
    second = review(in_review(8), world.dave, "dismiss", "违法事实不能成立")
    second = act(second, "refuse_dismissal", world.erin, dismissal_reasons="现有证据足以认定违法事实。")
    assert second.state == "examination"
