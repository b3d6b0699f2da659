"""One decision text: the portal publishes the issued 决定书 itself, redacted (text and PDF), and
nothing is released before that document exists."""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import re
import shutil
import subprocess

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone

from sanxiang.cases.services import case_open, case_transition
from sanxiang.cases.walkthrough import Cast, walk
from sanxiang.common.exceptions import TransitionNotAllowed
from sanxiang.disclosure.models import Publication
from sanxiang.disclosure.services import publication_publish, redacted_document
from sanxiang.documents import builders
from sanxiang.documents.content import plain_text
from sanxiang.documents.kinds import KINDS
from sanxiang.documents.selectors import decision_text
from sanxiang.documents.services import document_issue
from sanxiang.ledger.models import Entry
from sanxiang.ledger.verification import verify_all
from sanxiang.testing import citizen_party, org_party

TODAY = timezone.localdate()


def decided_case(world, parties=None, name="欧阳明远"):
    party = citizen_party(41, name=name)
    case = case_open(actor=world.alice, item=world.item, parties=parties or [party],
                     officers=[world.alice_officer, world.bob_officer], title="擅自倾倒建筑垃圾",
                     opened_on=TODAY - dt.timedelta(days=30))
    return walk(case, Cast(officer=world.alice, unit_head=world.carol, reviewer=world.dave, head=world.erin),
                fine=800, until="service", decision_document=False,
                facts=f"经查，{name}（身份证号码{party['id_number']}，电话{party['phone']}）于幸福路倾倒建筑垃圾。")


def secrets_of(case) -> list[str]:
    return [v for p in case.parties_in_order() if p.is_citizen for v in (p.name, p.id_number, p.address, p.phone)]


def page_text(body: str, element_id: str) -> str:
    match = re.search(rf'id="{element_id}">(.*?)</pre>', body, re.S)
    return html.unescape(match.group(1))


@pytest.mark.django_db
class TestReleaseNeedsTheIssuedDecision:
    def test_release_before_the_decision_document_is_issued_is_refused_and_changes_nothing(self, world):
        case = decided_case(world)
        publication = Publication.objects.get(case=case)
        assert publication.text == "" and publication.status == "pending"
        with pytest.raises(TransitionNotAllowed) as err:
            publication_publish(publication=publication, actor=world.carol)
        assert err.value.code == "decision_document_missing" and err.value.rule == "行政处罚法第四十八条"
        assert "第四十八条" in err.value.message and case.decision.number in err.value.message
        publication.refresh_from_db()
        assert publication.status == "pending" and publication.text == "" and publication.ledger_index is None

    def test_the_staff_page_says_the_document_is_missing_and_the_release_button_is_refused(self, client, world):
        case = decided_case(world)
        publication = Publication.objects.get(case=case)
        client.force_login(world.carol)
        page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
        assert "决定书尚未制作" in page
        response = client.post(reverse("cases:publish", args=[publication.pk]), HTTP_HX_REQUEST="true")
        assert response.status_code == 409 and "第四十八条" in response.content.decode()


@pytest.mark.django_db
class TestPublishedTextIsTheDocument:
    def test_the_publication_text_is_the_redacted_text_of_the_issued_document(self, world):
        case = decided_case(world)
        document = document_issue(case=case, kind="decision", actor=world.alice)
        publication = publication_publish(publication=Publication.objects.get(case=case), actor=world.carol)
        decision = case.decision
        assert publication.document_id == document.pk and publication.source_sha256 == document.content_sha256
        assert publication.text == plain_text(redacted_document(decision, document))
        original = plain_text(document.content)
        secrets = secrets_of(case)
        assert all(s in original for s in secrets[:2])  # the document itself names the party
        for secret in secrets:
            assert secret not in publication.text
        # Every line of the document that holds nothing private is published unchanged.
        for text_line in original.splitlines():
            if not any(s in text_line for s in secrets) and "欧阳" not in text_line:
                assert text_line in publication.text, text_line
        assert "欧阳某" in publication.text and "本机关决定对你作出如下行政处罚" in publication.text

    def test_the_portal_shows_exactly_that_text_labelled_as_the_decision_and_links_its_redacted_pdf(self, client,
                                                                                                   world):
        case = decided_case(world)
        document_issue(case=case, kind="decision", actor=world.alice)
        publication = publication_publish(publication=Publication.objects.get(case=case), actor=world.carol)
        body = client.get(reverse("portal:decision", args=[publication.pk])).content.decode()
        assert page_text(body, "decision-text") == publication.text
        assert "行政处罚决定书全文（公开版，已脱敏）" in body and "（第1版）" in body
        pdf_url = reverse("portal:decision-pdf", args=[publication.pk])
        assert pdf_url in body
        response = client.get(pdf_url)
        data = b"".join(response.streaming_content)
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
        assert data.startswith(b"%PDF-") and hashlib.sha256(data).hexdigest() == publication.pdf.sha256
        if shutil.which("pdftotext"):
            text = subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True, check=True).stdout.decode()
            flat = re.sub(r"\s+", "", text)
            for secret in secrets_of(case):
                assert secret not in flat
            assert "欧阳某" in flat and re.sub(r"\s+", "", case.decision.number) in flat

    def test_a_reissued_document_is_published_in_its_latest_version(self, world):
        case = decided_case(world)
        document_issue(case=case, kind="decision", actor=world.alice)
        latest = document_issue(case=case, kind="decision", actor=world.alice)
        publication = publication_publish(publication=Publication.objects.get(case=case), actor=world.carol)
        assert latest.version == 2 and publication.document_id == latest.pk

    def test_the_ledger_entry_commits_to_the_text_the_pdf_and_the_source_document(self, world):
        case = decided_case(world)
        document = document_issue(case=case, kind="decision", actor=world.alice)
        publication = publication_publish(publication=Publication.objects.get(case=case), actor=world.carol)
        body = bytes(Entry.objects.get(index=publication.ledger_index).body).decode()
        assert publication.content_sha256 in body and document.content_sha256 in body and publication.pdf.sha256 in body
        assert publication.public_document()["pdf_sha256"] == publication.pdf.sha256
        assert verify_all().ok

    def test_a_joint_case_publishes_each_party_masked_or_named(self, world):
        org = org_party(9)
        case = decided_case(world, parties=[citizen_party(41, name="欧阳明远"), org])
        document_issue(case=case, kind="decision", actor=world.alice)
        publication = publication_publish(publication=Publication.objects.get(case=case), actor=world.carol)
        assert publication.party_name == f"欧阳某、{org['name']}"
        assert [p["name"] for p in publication.content["parties"]] == ["欧阳某", org["name"]]
        assert org["uscc"] in publication.text and "欧阳明远" not in publication.text


@pytest.mark.django_db
def test_one_function_writes_the_decision_for_the_general_and_the_simple_procedure(world):
    assert KINDS["decision"].build is builders.decision is KINDS["on_spot_decision"].build
    case = case_open(actor=world.alice, item=world.item, party=citizen_party(41), title="乱扔烟头",
                     officers=[world.alice_officer, world.bob_officer], opened_on=TODAY, procedure="simple")
    case_transition(case=case, action="decide_on_spot", actor=world.alice, data={
        "facts": "当事人在人行道上乱扔烟头。", "decided_on": TODAY.isoformat(), "penalty_kinds": ["fine"],
        "fine_amount": "50", "reasons": "依据《城市市容和环境卫生管理条例》第三十四条", "statement": "当事人无异议。"})
    case.refresh_from_db()
    assert decision_text(case.decision) == ""  # no text of its own before the document
    document = document_issue(case=case, kind="on_spot_decision", actor=world.alice, extra={"place": "幸福路"})
    case.refresh_from_db()
    text = decision_text(case.decision)
    assert text == plain_text(document.content)
    assert "第五十二条" in text and "幸福路" in text and "伍拾元整" in text and "行政复议" in text
    publication = publication_publish(publication=Publication.objects.get(case=case), actor=world.carol)
    assert publication.text == plain_text(redacted_document(case.decision, document))
    assert default_storage.exists(publication.pdf.storage_name)
