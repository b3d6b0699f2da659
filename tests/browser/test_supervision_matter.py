"""监督案件 end to end in headless Chromium: a citizen complains (anonymously) on the portal about an
overdue case; the supervisor drills into the dashboard's overdue count, opens that case and opens a
supervision matter on it from the case page; the agency head answers; the supervisor closes it with a conclusion; the complainant
sees the conclusion through /progress/ with the number and query code."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tests.browser.helpers import HAVE_CHROMIUM, Session, launched_chromium, shot

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not HAVE_CHROMIUM, reason="Debian's Chromium is not installed"),
]


@pytest.fixture
def tx_world(transactional_db):
    from sanxiang.supervision.testing import ensure_calendar_years
    from sanxiang.testing import build_world

    world = build_world()
    ensure_calendar_years()
    return world


@pytest.fixture(scope="module")
def browser():
    with launched_chromium() as chromium:
        yield chromium


def test_supervisor_opens_agency_answers_supervisor_closes_complainant_sees(live_server, tx_world, browser):
    from playwright.sync_api import expect

    from sanxiang.cases.services import case_open, case_transition
    from sanxiang.supervision.matters import Matter
    from sanxiang.testing import citizen_party

    world = tx_world
    # Opened 100 days ago and never decided: past the 90-day decision period (行政处罚法第六十条).
    case = case_open(actor=world.alice, item=world.item, party=citizen_party(), title="擅自倾倒建筑垃圾",
                     officers=[world.alice_officer, world.bob_officer],
                     opened_on=timezone.localdate() - dt.timedelta(days=100))
    case_transition(case=case, action="approve_filing", actor=world.carol, data={"filing_opinion": "同意立案。"})
    session = Session(browser, live_server.url)
    try:
        # 1. The complaint, anonymous, on the portal.
        citizen = session.page()
        citizen.goto("/complaints/")
        citizen.select_option("#category", "inaction")
        citizen.select_option("#agency", str(world.agency.pk))
        citizen.fill("#content", "我被立案调查已经三个多月，至今没有处理结果，多次询问无人答复。")
        citizen.click("#complaint-form button[type=submit]")
        number = citizen.locator("#complaint-number").inner_text()
        code = citizen.locator("#complaint-code").inner_text()
        assert number.startswith("TS") and len(code) == 8
        shot(citizen, "supervision-01-complaint")

        # 2. The supervisor finds the case from the dashboard's overdue figure and opens a matter on
        # it from the case page.
        sam = session.page("sam")
        sam.get_by_role("link", name="监督驾驶舱").click()
        sam.wait_for_url("**/staff/monitoring/dashboard/")
        expect(sam.locator("#fig-overdue b")).to_have_text("1")
        sam.click("#fig-overdue")
        sam.wait_for_url("**/staff/monitoring/dashboard/cases/?overdue=1")
        sam.get_by_role("link", name=case.number).click()
        sam.wait_for_url(f"**/staff/cases/{case.pk}/")
        expect(sam.locator(".badge.overdue").first).to_be_visible()
        sam.click("#open-matter-link")
        sam.select_option("#source", "complaint")
        sam.fill("#complaint_number", number)
        sam.fill("#title", "立案后超过九十日未作出处理决定")
        sam.fill("#description", "该案立案已逾法定期限，请核查原因并依法处理。")
        sam.fill("#due_on", (timezone.localdate() + dt.timedelta(days=20)).isoformat())
        sam.click("#matter-form button[type=submit]")
        expect(sam.locator("#matter-status")).to_have_text("已交办，待反馈")
        matter = Matter.objects.get()
        assert matter.case_id == case.pk and matter.complaint.number == number
        shot(sam, "supervision-02-opened")

        # 3. The agency head finds it in the menu and answers.
        erin = session.page("erin")
        erin.click("nav >> text=监督案件")
        erin.click(f"text={matter.number}")
        erin.fill("#answer-text", "经核查，承办人员病休导致延误；已于今日作出决定并送达，对相关人员进行了批评教育。")
        erin.click("#action-answer button[type=submit]")
        expect(erin.locator("#matter-status")).to_have_text("已反馈，待审查")

        # 4. The supervisor closes it: refused without a conclusion, then with one.
        sam.reload()
        sam.locator("#close-conclusion").evaluate("el => el.removeAttribute('required')")
        sam.click("#action-close form:first-of-type button[type=submit]")
        expect(sam.locator("#error")).to_contain_text("监督结论")
        sam.fill("#close-conclusion", "经督办，该局已依法作出处理决定，并对延误责任人进行了批评教育，予以办结。")
        sam.click("#action-close form:first-of-type button[type=submit]")
        expect(sam.locator("#matter-status")).to_have_text("已办结")
        shot(sam, "supervision-03-closed")

        # 5. The complainant sees the outcome.
        citizen.goto("/progress/")
        citizen.fill("#number", number)
        citizen.fill("#code", code)
        citizen.click("#progress-form button[type=submit]")
        result = citizen.locator("#progress-result")
        expect(result).to_contain_text("已办结")
        expect(result).to_contain_text("经督办，该局已依法作出处理决定")
        expect(result).to_contain_text("已转为行政执法监督案件办理")
        assert "艾琳" not in result.inner_text() and "erin" not in result.inner_text()
        shot(citizen, "supervision-04-progress")

        sam.goto(f"/staff/supervision/cases/{case.pk}/accountability/")
        expect(sam.locator("#all-verified")).to_be_visible()
        expect(sam.locator("#stage-filed")).to_contain_text("卡萝")
        shot(sam, "supervision-05-accountability")

        # 6. On a phone (390 px) neither the portal form nor the staff pages scroll sideways.
        for page, url in ((citizen, "/complaints/"), (citizen, "/progress/"), (sam, f"/staff/supervision/matters/{matter.pk}/"),
                          (sam, "/staff/supervision/matters/"), (sam, f"/staff/supervision/cases/{case.pk}/accountability/")):
            page.set_viewport_size({"width": 390, "height": 844})
            page.goto(url)
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= 390, f"{url} is {width} px wide at 390 px"
    finally:
        session.close()
