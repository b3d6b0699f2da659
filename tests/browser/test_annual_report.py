"""The annual report's public page in a real browser at phone width: ECharts draws its charts from the
json_script data under the CSP (no violation), and no page of the exchange app scrolls sideways at 390 px."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.browser.helpers import HAVE_CHROMIUM, Session, shot
from tests.browser.test_security_headers import Watch, _published_case

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not HAVE_CHROMIUM, reason="Debian's Chromium is not installed"),
]


@pytest.fixture
def tx_world(transactional_db):
    from sanxiang.testing import build_world

    return build_world()


@pytest.fixture(scope="module")
def browser():
    from tests.browser.helpers import launched_chromium

    with launched_chromium() as chromium:
        yield chromium


def _no_sideways_scroll(page, where: str) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, (where, width)


def test_annual_report_charts_draw_on_a_phone(live_server, tx_world, browser):
    from django.utils import timezone

    from sanxiang.exchange.services import annual_report_generate, annual_report_publish, annual_report_review

    _published_case(tx_world)
    year = timezone.localdate().year
    erin = tx_world.erin
    report = annual_report_generate(agency=tx_world.agency, year=year, actor=erin, on=dt.date(year + 1, 1, 10))
    report = annual_report_publish(report=annual_report_review(report=report, actor=erin), actor=erin)
    session = Session(browser, live_server.url)
    try:
        public = Watch(session.page())
        public.page.set_viewport_size({"width": 390, "height": 844})
        public.visit("/annual/")
        _no_sideways_scroll(public.page, "/annual/")
        public.visit(f"/annual/{report.pk}/")
        public.page.wait_for_selector("#chart-cases canvas")
        assert public.page.locator(".annual-chart canvas").count() == 4
        _no_sideways_scroll(public.page, "annual report")
        shot(public.page, "annual-report-390")

        staff = Watch(session.page("erin"))
        staff.page.set_viewport_size({"width": 390, "height": 844})
        for path in ("/staff/exchange/", "/staff/exchange/annual/", f"/staff/exchange/annual/{report.pk}/"):
            staff.visit(path)
            _no_sideways_scroll(staff.page, path)
        staff.page.wait_for_selector("#chart-publication canvas")
    finally:
        session.close()
