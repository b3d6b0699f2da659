"""A whole general-procedure case through the staff UI in headless Chromium, then the public
decision page with its in-browser proof verification.

Screenshots of the key steps go to var/screenshots/ (gitignored) for a human to look at.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tests.browser.helpers import HAVE_CHROMIUM, Session, act, launched_chromium, shot

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not HAVE_CHROMIUM, reason="Debian's Chromium is not installed"),
]


@pytest.fixture
def tx_world(transactional_db):
    """The personas, committed so that the live server's thread sees them."""
    from sanxiang.testing import build_world

    return build_world()


@pytest.fixture(scope="module")
def browser():
    with launched_chromium() as chromium:
        yield chromium


def test_general_case_from_filing_to_public_proof(live_server, tx_world, browser):
    from playwright.sync_api import expect

    from sanxiang.cases.models import Case
    from sanxiang.testing import citizen_id

    today = timezone.localdate()
    session = Session(browser, live_server.url)
    try:
        # --- alice logs in and opens a case against a citizen --------------------------------
        page = session.page()
        page.goto("/accounts/login/")
        shot(page, "01-login")
        page.fill("#id_username", "alice")
        page.fill("#id_password", "pass12345")
        page.click("button[type=submit]")
        page.wait_for_url("**/staff/")
        expect(page.locator("h1")).to_have_text("我的工作台")
        page.click("text=＋ 立案登记")
        page.select_option("#f-item", str(tx_world.item.pk))
        page.fill("#f-title", "擅自倾倒建筑垃圾")
        page.fill("#f-opened_on", (today - dt.timedelta(days=20)).isoformat())
        page.fill("#f-source", "日常巡查")
        page.check(f'input[name=officers][value="{tx_world.bob_officer.pk}"]')
        page.select_option("#f-party_kind", "citizen")
        expect(page.locator("#f-party_uscc")).to_be_hidden()  # only the ID number applies to a citizen
        page.fill("#f-party_name", "张三丰")
        page.fill("#f-party_id_number", citizen_id(7))
        page.fill("#f-party_address", "测试市西工区幸福路8号")
        page.fill("#f-party_phone", "13912345678")
        shot(page, "02-case-new")
        page.click("text=提交立案")
        expect(page.locator("#case-state")).to_have_text("立案")
        case = Case.objects.get()
        expect(page.locator(".messages")).to_contain_text(case.number)
        # evidence, through the resumable chunked uploader (SHA-256 computed while streaming)
        page.set_input_files("#cu-file", files=[{"name": "现场照片.jpg", "mimeType": "image/jpeg",
                                                 "buffer": b"\xff\xd8\xff\xe0 scene photo"}])
        page.select_option("#cu-kind", "photo")
        page.fill("#cu-description", "现场照片，拍摄于幸福路")
        page.click("#chunked-upload button[type=submit]")
        expect(page.locator("#evidence")).to_contain_text("现场照片.jpg")
        shot(page, "03-case-opened")

        # --- carol approves the filing -------------------------------------------------------
        carol = session.page("carol")
        expect(carol.locator("#queue")).to_contain_text(case.number)
        shot(carol, "04-carol-queue")
        carol.click(f"text={case.number}")
        act(carol, "approve_filing", {"filing_opinion": "经审查，符合立案条件，同意立案。"})
        expect(carol.locator("#case-state")).to_have_text("调查取证")

        # --- alice submits the investigation; a missing field is refused and nothing is lost --
        page.reload()
        act(page, "submit_investigation", {
            "facts": "经查，当事人于幸福路倾倒建筑垃圾约三立方米，有现场检查笔录、照片为证。",
            "investigation_report": "调查终结，事实清楚，证据确凿，建议罚款。",
            "proposed_fine": "800",
        })
        error = page.locator('form[data-action="submit_investigation"] .field-error')
        expect(error).to_have_text("“拟处罚种类”为必填项（调查取证·提交调查终结报告）")
        expect(page.locator('form[data-action="submit_investigation"] [name="facts"]')).to_have_value(
            "经查，当事人于幸福路倾倒建筑垃圾约三立方米，有现场检查笔录、照片为证。")
        expect(page.locator('form[data-action="submit_investigation"] [name="proposed_fine"]')).to_have_value("800")
        shot(page, "05-investigation-error")
        act(page, "submit_investigation", check=('input[name=proposed_penalty_kinds][value="fine"]',))
        expect(page.locator("#case-state")).to_have_text("案件审查")

        # --- carol approves the proposal ---------------------------------------------------
        carol.reload()
        act(carol, "approve_proposal", {"examination_opinion": "同意承办人意见，拟罚款800元。"})
        expect(carol.locator("#case-state")).to_have_text("事先告知与陈述申辩")

        # --- alice records the notice, served a week ago (no hearing right for 800 yuan) ----
        page.reload()
        act(page, "complete_notice", {
            "notice_served_on": (today - dt.timedelta(days=7)).isoformat(),
            "statement": "当事人未提出陈述申辩意见。",
        })
        expect(page.locator("#case-state")).to_have_text("决定")

        # --- erin decides --------------------------------------------------------------------
        erin = session.page("erin")
        erin.goto(f"/staff/cases/{case.pk}/")
        decide = erin.locator('form[data-action="decide"]')
        expect(decide.locator('input[name=penalty_kinds][value="fine"]')).to_be_checked()  # from the proposal
        expect(decide.locator('[name="fine_amount"]')).to_have_value("800.00")
        act(erin, "decide", {
            "decided_on": today.isoformat(),
            "reasons": "依据《城市市容和环境卫生管理条例》第三十四条，决定给予上述行政处罚。",
        })
        expect(erin.locator("#case-state")).to_have_text("送达")
        case.refresh_from_db()
        decision_number = case.decision.number
        expect(erin.locator("#decision")).to_contain_text(decision_number)
        shot(erin, "06-decided")

        # --- carol releases the publication ---------------------------------------------------
        carol.goto("/staff/")
        expect(carol.locator("#pending-publications")).to_contain_text(decision_number)
        shot(carol, "07-pending-publication")
        carol.goto(f"/staff/cases/{case.pk}/")
        # No release before the 决定书 is issued (行政处罚法第四十八条): the portal publishes the document.
        expect(carol.locator("#decision-document-missing")).to_be_visible()
        carol.locator(".publish-form button[type=submit]").click()
        expect(carol.locator("#decision .form-error")).to_contain_text("第四十八条")
        # --- alice issues the 行政处罚决定书; carol releases it ------------------------------------
        page.goto(f"/staff/cases/{case.pk}/")
        documents = page.locator("#documents")
        documents.locator("#document-decision summary").click()
        documents.locator("#document-decision button[type=submit]").click()
        expect(documents.locator(".notice")).to_contain_text(f"已制作行政处罚决定书 {decision_number}")
        carol.goto(f"/staff/cases/{case.pk}/")
        carol.locator(".publish-form button[type=submit]").click()
        expect(carol.locator(".notice")).to_contain_text(f"已公示：{decision_number}")
        publication = case.publications.get()
        assert publication.status == "published" and publication.ledger_index is not None
        shot(carol, "08-published")

        # --- an anonymous visitor reads the decision and verifies its proof ------------------
        visitor = session.page()
        visitor.goto("/")
        shot(visitor, "09-portal-home")
        visitor.click("text=执法决定公开")
        visitor.click(f"text={decision_number}")
        expect(visitor.locator("#decision-number")).to_have_text(decision_number)
        expect(visitor.locator("#party-name")).to_have_text("张某")
        expect(visitor.locator("#ledger-index")).to_have_text(str(publication.ledger_index))
        # The page shows the issued 决定书's redacted text, labelled so, with its redacted PDF.
        publication.refresh_from_db()
        expect(visitor.locator("#decision-text")).to_have_text(publication.text)
        expect(visitor.locator("#decision-text")).to_contain_text("本机关决定对你作出如下行政处罚")
        expect(visitor.locator("#decision-pdf")).to_be_visible()
        expect(visitor.locator("main")).to_contain_text("行政处罚决定书全文（公开版，已脱敏）")
        body = visitor.content()
        assert "张三丰" not in body and citizen_id(7) not in body and "13912345678" not in body
        visitor.click("#verify-button")
        result = visitor.locator("#verify-result")
        expect(result).to_have_attribute("data-verified", "true")
        expect(result).to_contain_text("核验通过")
        expect(visitor.locator("#verify-steps li")).to_have_count(4)
        shot(visitor, "10-portal-decision-verified")

        # the item page shows the legal basis and the steps the engine ran
        visitor.goto(f"/items/{tx_world.item.pk}/")
        expect(visitor.locator("#flow")).to_contain_text("事先告知与陈述申辩")
        shot(visitor, "11-portal-item")
        visitor.goto(f"/officers/?q={tx_world.alice_officer.certificate_no}")
        expect(visitor.locator("#officer-results")).to_contain_text("有效")
        shot(visitor, "12-portal-officer")
    finally:
        session.close()
