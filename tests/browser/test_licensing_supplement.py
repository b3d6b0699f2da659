"""网上补正 in headless Chromium: an applicant whose online application got a 补正材料通知书 follows
the link from the progress result, uploads the listed material with the query code, and the
officer sees it on the case, records the 补正 and accepts the application."""

from __future__ import annotations

import pytest
from django.utils import timezone

from tests.browser.helpers import HAVE_CHROMIUM, Session, act, launched_chromium, shot

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not HAVE_CHROMIUM, reason="Debian's Chromium is not installed"),
]


@pytest.fixture
def waiting(transactional_db, settings, tmp_path):
    """Filed online without 设置方案; registered; 补正 requested and its notice issued (through the API)."""
    from sanxiang.licensing.testing import build_licensing_world
    from sanxiang.licensing.tests.test_licensing_api import _act, _issue, apply_online, register
    from sanxiang.testing import build_world

    settings.EVIDENCE_UPLOAD_DIR = str(tmp_path / "uploads")
    world = build_world()
    lw = build_licensing_world(world)
    filed = apply_online(lw)
    lina, case_id = register(lw, filed["number"])
    _act(lina, case_id, "request_supplement", {"supplement_on": timezone.localdate().isoformat(),
                                               "missing_materials": ["plan"]})
    _issue(lina, case_id, "supplement_notice")
    return lw, filed, case_id


def test_the_applicant_supplements_online_and_the_officer_accepts(live_server, waiting):
    from playwright.sync_api import expect

    lw, filed, case_id = waiting
    today = timezone.localdate().isoformat()
    with launched_chromium() as browser:
        session = Session(browser, live_server.url)
        try:
            citizen = session.page()
            citizen.set_viewport_size({"width": 390, "height": 844})
            citizen.goto("/progress/")
            citizen.fill("#number", filed["number"])
            citizen.fill("#code", filed["query_code"])
            citizen.click("#progress-form button[type=submit]")
            expect(citizen.locator("#progress-result")).to_contain_text("请按补正材料通知书补正")
            citizen.click("text=在线补正材料")
            expect(citizen.locator("#number")).to_have_value(filed["number"])
            citizen.fill("#query_code", filed["query_code"])
            citizen.click("#supplement-open")
            expect(citizen.locator("#supplement-form")).to_contain_text("设置方案及效果图")
            assert citizen.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scroll
            citizen.set_input_files("#material_plan", files=[{"name": "plan.pdf", "mimeType": "application/pdf",
                                                              "buffer": b"%PDF-1.4 plan"}])
            shot(citizen, "lic-supplement-01-form")
            citizen.click("#supplement-submit")
            expect(citizen.locator("#supplement-done")).to_contain_text("已收到补正材料1份")
            shot(citizen, "lic-supplement-02-done")

            officer = session.page("lina")
            officer.set_default_timeout(120_000)
            officer.click("text=行政许可申请")
            expect(officer.locator(f'tr[data-number="{filed["number"]}"]')).to_contain_text("设置方案及效果图（补正）")
            officer.goto(f"/staff/cases/{case_id}/")
            act(officer, "record_supplement", {"supplemented_on": today})
            expect(officer.locator("#case-state")).to_have_text("申请材料审查")
            act(officer, "accept", {"accepted_on": today})
            expect(officer.locator("#case-state")).to_have_text("审查（必要时现场核查）")
            shot(officer, "lic-supplement-03-accepted")
        finally:
            session.close()
