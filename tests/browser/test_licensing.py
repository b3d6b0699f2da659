"""行政许可 in headless Chromium: a citizen applies on the portal (no login) with the materials of
the 服务指南, an officer registers and accepts the application, the agency head grants it, the
licence is issued, and the citizen follows the progress with the query code up to the publication."""

from __future__ import annotations

import pytest
from django.utils import timezone

from tests.browser.helpers import HAVE_CHROMIUM, Session, act, launched_chromium, shot

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not HAVE_CHROMIUM, reason="Debian's Chromium is not installed"),
]


@pytest.fixture
def tx_worlds(transactional_db, settings, tmp_path):
    from sanxiang.licensing.testing import build_licensing_world
    from sanxiang.testing import build_world

    settings.EVIDENCE_UPLOAD_DIR = str(tmp_path / "uploads")
    world = build_world()
    return world, build_licensing_world(world)


@pytest.fixture(scope="module")
def browser():
    with launched_chromium() as chromium:
        yield chromium


def _issue(page, kind: str, text: str):
    from playwright.sync_api import expect

    documents = page.locator("#documents")
    documents.locator(f"#document-{kind} summary").click()
    documents.locator(f"#document-{kind} button[type=submit]").click()
    # Rendering Word and PDF takes a while on a busy machine.
    try:
        # A full-page post answers with the message on top; an htmx one inside the panel.
        expect(page.locator(".messages, #documents .notice").first).to_contain_text(f"已制作{text}", timeout=120_000)
    finally:
        shot(page, f"lic-doc-{kind}")


def _progress(visitor, number: str, code: str):
    visitor.goto("/progress/")
    visitor.fill("#number", number)
    visitor.fill("#code", code)
    visitor.click("#progress-form button[type=submit]")


def test_citizen_applies_online_and_follows_to_publication(live_server, tx_worlds, browser):
    from playwright.sync_api import expect

    from sanxiang.cases.models import Case
    from sanxiang.licensing.testing import applicant

    world, lw = tx_worlds
    today = timezone.localdate().isoformat()
    party = applicant()
    session = Session(browser, live_server.url)
    slow = 120_000  # documents are rendered to Word and PDF by a serial live server on a busy machine
    try:
        # --- the citizen reads the 服务指南 and applies (no login) -----------------------------
        citizen = session.page()
        citizen.set_viewport_size({"width": 390, "height": 844})
        citizen.goto(f"/items/{lw.item.pk}/")
        expect(citizen.locator("#service-guide")).to_contain_text("设置方案及效果图")
        assert citizen.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scroll
        citizen.click("#apply-link")
        citizen.select_option("#applicant_kind", "citizen")
        citizen.fill("#applicant_name", party["name"])
        citizen.fill("#applicant_id_number", party["id_number"])
        citizen.fill("#applicant_address", party["address"])
        citizen.fill("#applicant_phone", party["phone"])
        citizen.fill("#request", "在中州路12号楼顶设置户外广告牌一块")
        for key in ("form", "id", "plan"):
            citizen.set_input_files(f"#material_{key}", files=[{"name": f"{key}.pdf", "mimeType": "application/pdf",
                                                                "buffer": f"%PDF-1.4 {key}".encode()}])
        shot(citizen, "lic-01-apply")
        citizen.click("#apply-submit")
        number = citizen.locator("#application-number").inner_text().strip()
        code = citizen.locator("#query-code").inner_text().strip()
        assert number.startswith("XK") and len(code) == 8
        shot(citizen, "lic-02-submitted")
        _progress(citizen, number, code)
        expect(citizen.locator("#progress-result")).to_contain_text("已提交，等待登记办理")

        # --- the officer registers it and accepts it -----------------------------------------
        officer = session.page("lina")
        officer.set_default_timeout(slow)
        officer.click("text=行政许可申请")
        row = officer.locator(f'tr[data-number="{number}"]')
        row.locator("select[name=officers]").select_option(str(lw.mike_officer.pk))
        row.locator("button[type=submit]").click()
        expect(officer.locator("#case-state")).to_have_text("申请材料审查")
        case = Case.objects.get(licence_application__number=number)
        act(officer, "accept", {"accepted_on": today})
        expect(officer.locator("#case-state")).to_have_text("审查（必要时现场核查）")
        _issue(officer, "acceptance_notice", "行政许可受理通知书")
        officer.locator('form[data-action="record_examination"] [name="recommendation"]').select_option("grant")
        act(officer, "record_examination", {"examined_on": today, "examination_opinion": "材料齐全，符合设置规划"})
        expect(officer.locator("#case-state")).to_have_text("作出行政许可决定")

        # --- the agency head grants it -----------------------------------------------------
        head = session.page("erin")
        head.set_default_timeout(slow)
        head.goto(f"/staff/cases/{case.pk}/")
        act(head, "grant", {"decided_on": today, "licence_scope": "中州路12号楼顶广告牌一块，6米×3米",
                            "valid_until": "三年", "decision_reasons": "符合《城市市容和环境卫生管理条例》第十一条"})
        expect(head.locator("#case-state")).to_have_text("颁发、送达许可证件")
        shot(head, "lic-03-granted")

        # --- the officer issues the decision and the licence --------------------------------
        officer.goto(f"/staff/cases/{case.pk}/")
        case.refresh_from_db()
        _issue(officer, "licence_grant_decision", f"准予行政许可决定书 {case.decision.number}")
        _issue(officer, "licence_certificate", "行政许可证件")
        act(officer, "issue_licence", {"certificate_on": today})
        expect(officer.locator("#case-state")).to_have_text("已准予许可并颁发证件")

        _progress(citizen, number, code)
        result = citizen.locator("#progress-result")
        expect(result).to_contain_text("已准予许可并颁发证件")
        expect(result).to_contain_text("准予行政许可")
        expect(result.locator("a", has_text="决定公示")).to_have_count(0)  # not released yet

        # --- the head releases the publication; the citizen follows the link ------------------
        head.goto(f"/staff/cases/{case.pk}/")
        head.locator(".publish-form button[type=submit]").click()
        try:
            expect(head.locator(".messages, .notice").first).to_contain_text(f"已公示：{case.decision.number}",
                                                                          timeout=120_000)
        finally:
            shot(head, "lic-04-released")
        _progress(citizen, number, code)
        citizen.click("text=决定公示")
        expect(citizen.locator("#decision-number")).to_have_text(case.decision.number)
        expect(citizen.locator("main")).to_contain_text("准予行政许可")
        assert party["id_number"] not in citizen.content()
        shot(citizen, "lic-05-publication")
    finally:
        session.close()
