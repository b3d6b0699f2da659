"""Every kind of document renders to a Word file and a PDF that hold its title, number and text."""

from __future__ import annotations

import datetime as dt

import pytest

from sanxiang.cases.services import case_transition
from sanxiang.cases.walkthrough import walk
from sanxiang.common.services import record_save
from sanxiang.documents.content import money_capital, plain_text
from sanxiang.documents.kinds import KINDS
from sanxiang.documents.models import Document
from sanxiang.documents.services import document_issue
from sanxiang.documents.tests.conftest import EXTRA, TODAY, docx_text, pdf_text, squash, stored_bytes
from sanxiang.reviews.models import CatalogueEntry
from sanxiang.testing import citizen_party

ALL_GENERAL = [
    ("filing", "filing_approval"),
    ("investigation", "inspection_record"), ("investigation", "inquiry_record"),
    ("investigation", "evidence_preservation"),
    ("notice", "prior_notice"), ("notice", "hearing_right_notice"),
    ("hearing", "hearing_notification"),
    ("legal_review", "hearing_record"),
    # The 意见书 right after the review (before the discussion moves the case on), as the flow declares.
    ("collective_discussion", "legal_review_opinion"), ("decision", "collective_discussion"),
    ("transferred", "crime_transfer"),
    ("service", "decision"), ("service", "service_receipt"),
    ("closing", "closing_approval"),
]


def issue_along_the_flow(world, cast, case) -> dict[str, Document]:
    """Walk a hearing case (fine 20,000: hearing right, legal review) and make every document of
    the general procedure at the step it belongs to."""
    # Hearing cases are major in this catalogue: the walk passes the head's collective discussion,
    # whose 笔录 is issued when the discussion is recorded.
    entry = CatalogueEntry.objects.get(agency=world.agency, criterion="hearing_held")
    entry.requires_collective_discussion = True
    record_save(entry, actor="test")
    docs = {}
    for stop, kind in ALL_GENERAL:
        if kind == "crime_transfer":
            docs[kind] = _transferred(world, cast)
            continue
        case = walk(case, cast, fine=20000, hearing=True, until=stop, start=TODAY - dt.timedelta(days=30),
                    decision_document=False)
        assert case.state == stop
        if kind == "collective_discussion":
            docs[kind] = case.documents.get(kind=kind)
            continue
        actor = world.dave if kind == "legal_review_opinion" else world.alice
        docs[kind] = document_issue(case=case, kind=kind, actor=actor, extra=EXTRA.get(kind))
    return docs


def _transferred(world, cast) -> Document:
    """A second case the reviewer proposes to transfer and the head transfers: its 移送书."""
    from sanxiang.cases.services import case_open
    from sanxiang.cases.walkthrough import checklist_all

    case = case_open(actor=world.alice, item=world.item, party=citizen_party(55), title="擅自倾倒建筑垃圾",
                     officers=[world.alice_officer, world.bob_officer], opened_on=TODAY - dt.timedelta(days=40))
    case = walk(case, cast, fine=20000, until="legal_review")
    case_transition(case=case, action="submit_review", actor=world.dave, data={
        "checklist": {**checklist_all(case), "crime": False}, "opinion": "transfer", "opinion_text": "涉嫌犯罪"})
    case_transition(case=case, action="approve_transfer", actor=world.erin, data={
        "judicial_organ": "测试市公安局", "transfer_reasons": "涉嫌污染环境罪", "transferred_on": TODAY.isoformat()})
    return case.documents.get(kind="crime_transfer")


def check_files(doc: Document) -> None:
    content = doc.content
    docx_data, pdf_data = stored_bytes(doc.docx), stored_bytes(doc.pdf)
    assert docx_data[:2] == b"PK", doc.kind
    word = docx_text(docx_data)
    assert content["title"] in word and doc.number in word, doc.kind
    body = [b for b in content["blocks"] if b["type"] in ("paragraph", "line")]
    for block in body[:3]:
        assert block["text"] in word, (doc.kind, block["text"])
    assert pdf_data.startswith(b"%PDF-"), doc.kind
    text = pdf_text(pdf_data)
    if text is None:  # poppler-utils not installed: at least the CJK font must be embedded
        assert b"Noto" in pdf_data or b"CJK" in pdf_data, doc.kind
        return
    flat = squash(text)
    assert squash(content["title"]) in flat and squash(doc.number) in flat, doc.kind
    for block in body[:3]:
        assert squash(block["text"]) in flat, (doc.kind, block["text"])


@pytest.mark.django_db
def test_every_general_procedure_document_renders_to_docx_and_pdf(world, cast, open_case):
    docs = issue_along_the_flow(world, cast, open_case())
    assert set(docs) == {k for _, k in ALL_GENERAL}
    for doc in docs.values():
        check_files(doc)
        assert doc.version == 1 and doc.title == KINDS[doc.kind].name
    year = TODAY.year
    assert docs["prior_notice"].number == f"测城管罚告〔{year}〕第1号"
    assert docs["inquiry_record"].number == f"测城管罚询〔{year}〕第1号"
    # 立案审批表 and 决定书 carry the numbers the case and the decision already have.
    assert docs["filing_approval"].number == docs["filing_approval"].case.number
    assert docs["decision"].number == docs["decision"].case.decision.number
    # The decision lists the records made during the investigation as its evidence.
    decision_text = plain_text(docs["decision"].content)
    assert docs["inquiry_record"].number in decision_text and docs["inspection_record"].number in decision_text
    # The legal-review opinion carries the reviewer's qualification; the receipt names what it serves.
    assert "A20151100000001" in plain_text(docs["legal_review_opinion"].content)
    assert docs["decision"].number in plain_text(docs["service_receipt"].content)


@pytest.mark.django_db
def test_on_spot_decision_renders_for_the_simple_procedure(world, open_case):
    case = open_case(party=citizen_party(41), opened_on=TODAY, procedure="simple")
    case_transition(case=case, action="decide_on_spot", actor=world.alice, data={
        "facts": "当事人在人行道上乱扔烟头。", "decided_on": TODAY.isoformat(), "penalty_kinds": ["fine"],
        "fine_amount": "50", "reasons": "依据《城市市容和环境卫生管理条例》第三十四条", "statement": "当事人无异议。"})
    doc = document_issue(case=case, kind="on_spot_decision", actor=world.alice, extra=EXTRA["on_spot_decision"])
    check_files(doc)
    assert "当" in doc.number and doc.number == case.decision.number
    text = plain_text(doc.content)
    assert "伍拾元整" in text and "行政复议" in text and "行政诉讼" in text


def test_capital_amounts_read_as_financial_documents_write_them():
    assert money_capital(800) == "捌佰元整"
    assert money_capital(20000) == "贰万元整"
    assert money_capital(10050) == "壹万零伍拾元整"
    assert money_capital(100000) == "壹拾万元整"
    assert money_capital(1000050) == "壹佰万零伍拾元整"
    assert money_capital("12.05") == "壹拾贰元零伍分"
    assert money_capital("0.50") == "伍角整"
