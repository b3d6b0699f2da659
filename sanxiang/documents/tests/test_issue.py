"""Issuing: who may, when, what the decision must contain, and what the ledger keeps."""

from __future__ import annotations

import json

import pytest

from sanxiang.cases.walkthrough import walk
from sanxiang.common.canonical import canonical_bytes, sha256_hex
from sanxiang.common.exceptions import NotFound, RoleNotAllowed, TransitionNotAllowed, ValidationFailed
from sanxiang.documents.content import plain_text
from sanxiang.documents.selectors import decision_text
from sanxiang.documents.services import available_kinds, document_issue
from sanxiang.documents.tests.conftest import EXTRA, docx_text, pdf_text, squash, stored_bytes
from sanxiang.ledger.models import Entry
from sanxiang.ledger.verification import verify_all
from sanxiang.testing import org_party


@pytest.mark.django_db
class TestWhoAndWhen:
    def test_officer_of_another_agency_gets_not_found(self, world, cast, open_case):
        case = walk(open_case(), cast, until="notice")
        with pytest.raises(NotFound):
            document_issue(case=case, kind="prior_notice", actor=world.mallory)
        assert not case.documents.exists()

    def test_supervisor_reads_but_does_not_make_documents(self, world, cast, open_case):
        case = walk(open_case(), cast, until="notice")
        with pytest.raises(RoleNotAllowed):
            document_issue(case=case, kind="prior_notice", actor=world.sam)

    def test_legal_review_opinion_is_made_by_the_legal_unit(self, world, cast, open_case):
        case = walk(open_case(), cast, fine=20000, until="decision")
        with pytest.raises(RoleNotAllowed, match="法制审核人员"):
            document_issue(case=case, kind="legal_review_opinion", actor=world.alice)
        assert document_issue(case=case, kind="legal_review_opinion", actor=world.dave).version == 1

    def test_decision_document_needs_a_decision(self, world, cast, open_case):
        case = walk(open_case(), cast, until="decision")
        with pytest.raises(TransitionNotAllowed, match="尚未作出行政处罚决定"):
            document_issue(case=case, kind="decision", actor=world.alice)

    def test_document_of_a_later_step_is_refused_with_the_step_named(self, world, open_case):
        case = open_case()
        with pytest.raises(TransitionNotAllowed, match="尚未进入“事先告知与陈述申辩”环节"):
            document_issue(case=case, kind="prior_notice", actor=world.alice)
        assert [k.code for k in available_kinds(case, world.alice)] == ["filing_approval"]

    def test_hearing_notice_only_where_the_party_has_a_hearing_right(self, world, cast, open_case):
        case = walk(open_case(), cast, fine=500, until="notice")
        with pytest.raises(TransitionNotAllowed, match="不属于听证范围"):
            document_issue(case=case, kind="hearing_right_notice", actor=world.alice)
        assert "hearing_right_notice" not in {k.code for k in available_kinds(case, world.alice)}

    def test_missing_officer_entry_names_the_field(self, world, cast, open_case):
        case = walk(open_case(), cast, until="investigation")
        with pytest.raises(ValidationFailed) as err:
            document_issue(case=case, kind="inquiry_record", actor=world.alice,
                           extra={**EXTRA["inquiry_record"], "interviewee": ""})
        assert err.value.field == "interviewee" and "被询问人姓名" in err.value.message

    def test_unknown_kind_is_refused(self, world, open_case):
        with pytest.raises(ValidationFailed):
            document_issue(case=open_case(), kind="nonsense", actor=world.alice)


@pytest.mark.django_db
def test_issued_files_and_content_are_in_one_ledger_entry(world, cast, open_case):
    case = walk(open_case(), cast, until="notice")
    doc = document_issue(case=case, kind="prior_notice", actor=world.alice, extra=EXTRA["prior_notice"])
    entry = Entry.objects.get(index=doc.ledger_index)
    body = json.loads(bytes(entry.body))
    assert entry.kind == "document.issue" and body["actor"] == "alice"
    assert sorted(body["files"]) == sorted([doc.docx.sha256, doc.pdf.sha256])
    assert body["content"] == {"document": doc.content_sha256}
    assert doc.content_sha256 == sha256_hex(canonical_bytes(doc.content))
    assert body["subjects"][doc.ledger_ref()] == doc.ledger_state_hash()
    for stored in (doc.docx, doc.pdf):
        assert sha256_hex(stored_bytes(stored)) == stored.sha256
        assert stored.ledger_ref() in body["subjects"]
    # A reissue is a new entry pointing at the one it supersedes; the ledger still verifies.
    second = document_issue(case=case, kind="prior_notice", actor=world.alice)
    assert json.loads(bytes(Entry.objects.get(index=second.ledger_index).body))["supersedes"] == doc.ledger_index
    assert verify_all().ok


ART_59 = {
    "当事人的姓名或者名称、地址": lambda case: [case.party.name, case.party.address],
    "违反法律、法规、规章的事实和证据": lambda case: [case.facts, "证据"],
    "行政处罚的种类和依据": lambda case: ["罚款", "《城市市容和环境卫生管理条例》第三十四条"],
    "行政处罚的履行方式和期限": lambda case: ["日内", "缴纳罚款"],
    "申请行政复议、提起行政诉讼的途径和期限": lambda case: [
        "六十日内", case.agency.reconsideration_body, "行政复议", "六个月内", case.agency.litigation_court, "行政诉讼"],
    "作出行政处罚决定的行政机关名称和作出决定的日期": lambda case: [
        case.agency.name, f"{case.decided_on.year}年{case.decided_on.month}月{case.decided_on.day}日"],
}


@pytest.mark.django_db
@pytest.mark.parametrize("party", ["citizen", "organisation"])
def test_decision_contains_every_item_of_article_59(world, cast, open_case, party):
    case = walk(open_case(party=org_party() if party == "organisation" else None), cast, fine=800, until="service",
                decision_document=False)
    doc = document_issue(case=case, kind="decision", actor=world.alice)
    case.refresh_from_db()
    text_of_decision = decision_text(case.decision)
    texts = {"content": squash(plain_text(doc.content)), "docx": squash(docx_text(stored_bytes(doc.docx)))}
    pdf = pdf_text(stored_bytes(doc.pdf))
    if pdf is not None:
        texts["pdf"] = squash(pdf)
    for item, expected in ART_59.items():
        for needle in expected(case):
            for where, text in texts.items():
                assert squash(needle) in text, f"{item}：{needle} missing from the {where}"
    # One decision text: the Decision row's text is the issued document's text, nothing else.
    assert text_of_decision == plain_text(doc.content)
    if party == "organisation":
        assert case.party.uscc in texts["content"] and "你单位" in texts["content"]
