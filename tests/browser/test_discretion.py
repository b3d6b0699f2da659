"""Statutory range and discretion benchmark in the staff UI, in headless Chromium: a fine below the
provision's minimum is refused at 调查取证 with the range shown beside the field, and ticking a
circumstance shows the tier the agency's benchmark suggests before anything is submitted."""

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
    from sanxiang.testing import build_world

    return build_world()


@pytest.fixture(scope="module")
def browser():
    with launched_chromium() as chromium:
        yield chromium


def test_fine_below_statutory_minimum_is_refused_and_tier_is_suggested(live_server, tx_world, browser):
    from playwright.sync_api import expect

    from sanxiang.cases.models import Case
    from sanxiang.cases.services import case_open, case_transition
    from sanxiang.testing import construction_waste_item, org_party, standard_benchmark

    world = tx_world
    item = construction_waste_item(world.agency)
    standard_benchmark(item)
    case = case_open(actor=world.alice, item=item, party=org_party(), officers=[world.alice_officer, world.bob_officer],
                     title="擅自倾倒建筑垃圾", opened_on=timezone.localdate() - dt.timedelta(days=10))
    case_transition(case=case, action="approve_filing", actor=world.carol, data={"filing_opinion": "同意立案。"})

    session = Session(browser, live_server.url)
    try:
        page = session.page("alice")
        page.goto(f"/staff/cases/{case.pk}/")
        expect(page.locator("#case-state")).to_have_text("调查取证")
        expect(page.locator("#discretion")).to_contain_text("对法人或者其他组织处100,000元以上1,000,000元以下的罚款")

        # 5,000 yuan for an organisation under a provision whose range is 100,000–1,000,000
        form = page.locator('form[data-action="submit_investigation"]')
        act(page, "submit_investigation", {
            "facts": "经查，当事人将施工产生的建筑垃圾约三十立方米倾倒于空地。",
            "investigation_report": "调查终结，建议罚款。",
            "proposed_fine": "5000",
        }, check=('input[name=proposed_penalty_kinds][value="fine"]',))
        error = form.locator(".field-error")
        expect(error).to_contain_text("罚款5,000元不在法定幅度内")
        expect(error).to_contain_text("《固体废物污染环境防治法》第一百一十一条第二款")
        expect(error).to_contain_text("100,000元以上1,000,000元以下")
        expect(form.locator('[name="proposed_fine"]')).to_have_value("5000")  # nothing typed is lost
        assert Case.objects.get(pk=case.pk).state == "investigation"
        shot(page, "discretion-01-below-minimum")

        # No circumstance ticked: the benchmark suggests 一般处罚; ticking one changes the tier at once.
        hint = form.locator(".discretion")
        expect(hint).to_contain_text("一般处罚")
        form.locator('input[name=circumstances][value="eliminated_harm"]').check()
        expect(hint).to_contain_text("从轻处罚")
        expect(hint).to_contain_text("罚款100,000元以上370,000元以下")
        shot(page, "discretion-02-tier-suggested")

        form.locator('[name="proposed_fine"]').fill("150000")
        form.locator("button[type=submit]").click()
        expect(page.locator("#case-state")).to_have_text("案件审查")
        case.refresh_from_db()
        assert case.benchmark_tier == "lenient" and not case.outside_benchmark
        expect(page.locator("#discretion")).to_contain_text("阶次“从轻处罚”")
        shot(page, "discretion-03-recorded")
    finally:
        session.close()
