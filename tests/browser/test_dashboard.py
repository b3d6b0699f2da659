"""监督驾驶舱 in headless Chromium: the supervisor reaches the dashboard from the menu, the charts
draw under the CSP (no inline script or style), and the overdue figure opens the list of the
cases behind it, where the overdue case is listed. At 390 px the page does not scroll sideways."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tests.browser.helpers import HAVE_CHROMIUM, Session, launched_chromium, shot

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not HAVE_CHROMIUM, reason="Debian's Chromium is not installed"),
]

COLLECT_VIOLATIONS = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__csp.push(e.violatedDirective + " " + e.blockedURI);
});
"""


@pytest.fixture
def tx_world(transactional_db):
    from sanxiang.testing import build_world

    return build_world()


@pytest.fixture(scope="module")
def browser():
    with launched_chromium() as chromium:
        yield chromium


def test_supervisor_drills_into_the_overdue_count(live_server, tx_world, browser):
    from playwright.sync_api import expect

    from sanxiang.cases.services import case_open
    from sanxiang.testing import citizen_party

    w = tx_world
    today = timezone.localdate()
    overdue = case_open(actor=w.alice, item=w.item, party=citizen_party(), title="擅自倾倒建筑垃圾（超期）",
                        officers=[w.alice_officer, w.bob_officer], opened_on=today - dt.timedelta(days=120))
    fresh = case_open(actor=w.alice, item=w.item, party=citizen_party(8, "李四"), title="擅自倾倒建筑垃圾（新案）",
                      officers=[w.alice_officer, w.bob_officer], opened_on=today)
    session = Session(browser, live_server.url)
    try:
        page = session.page("sam")
        page.add_init_script(COLLECT_VIOLATIONS)
        errors = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.get_by_role("link", name="监督驾驶舱").click()
        page.wait_for_url("**/staff/monitoring/dashboard/")
        page.wait_for_load_state("networkidle")
        expect(page.locator('[data-chart="agency"] canvas')).to_have_count(1)
        expect(page.locator("#fig-overdue b")).to_have_text("1")
        shot(page, "dashboard-supervisor")
        assert page.evaluate("window.__csp") == [] and errors == []
        page.click("#fig-overdue")
        page.wait_for_url("**/staff/monitoring/dashboard/cases/?overdue=1")
        expect(page.locator("#drilldown-total")).to_have_text("1")
        expect(page.get_by_role("link", name=overdue.number)).to_be_visible()
        expect(page.get_by_role("link", name=fresh.number)).to_have_count(0)
        shot(page, "dashboard-drilldown-overdue")
        page.get_by_role("link", name=overdue.number).click()
        page.wait_for_url(f"**/staff/cases/{overdue.pk}/")
        # Narrow screen: nothing scrolls sideways.
        page.set_viewport_size({"width": 390, "height": 844})
        page.goto("/staff/monitoring/dashboard/")
        page.wait_for_load_state("networkidle")
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
        shot(page, "dashboard-390")
    finally:
        session.close()
