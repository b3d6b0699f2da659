"""双随机 on the staff pages in headless Chromium: the agency head makes a plan from the 随机抽查事项清单,
opens its page (pools and hashes; no sideways scroll at 390 px), commits the seed and draws, and
reads the result: targets with their inspector pairs and the 回避 exclusions with reasons."""

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
def iw(transactional_db, settings, tmp_path):
    from sanxiang.accounts.models import Role
    from sanxiang.inspections import services
    from sanxiang.inspections.testing import build_inspection_world
    from sanxiang.testing import build_world, officer_user

    settings.EVIDENCE_UPLOAD_DIR = str(tmp_path / "uploads")
    iw = build_inspection_world(build_world())
    officer_user(iw.world.agency, Role.OFFICER, "charlie", "查理")  # a third inspector: the avoided target is staffed
    services.avoidance_declare(actor=iw.world.alice, officer=iw.world.alice_officer, entity=iw.entities[5],
                               reason="其配偶为该公司股东")
    return iw


def test_plan_commit_draw_result(live_server, iw):
    from playwright.sync_api import expect

    from sanxiang.draws import selectors as draw_selectors
    from sanxiang.inspections.models import Plan

    today = timezone.localdate()
    with launched_chromium() as browser:
        session = Session(browser, live_server.url)
        try:
            head = session.page("erin")
            head.click("nav >> text=制定抽查计划")
            head.select_option("#check_item", str(iw.check_item.pk))
            head.fill("#title", "浏览器测试双随机抽查")
            head.fill("#period_start", today.isoformat())
            head.fill("#period_end", (today + dt.timedelta(days=30)).isoformat())
            for grade, ratio in (("A", "0.5"), ("B", "1"), ("C", "1"), ("D", "1")):
                head.fill(f"#ratio_{grade}", ratio)
            head.fill("#team_size", "2")
            shot(head, "draw-01-plan-form")
            head.click("#plan-form button[type=submit]")
            plan = Plan.objects.get(title="浏览器测试双随机抽查")
            head.wait_for_url(f"**/staff/inspections/plans/{plan.pk}/")
            expect(head.locator("#pools")).to_contain_text("检查对象 6户")

            head.set_viewport_size({"width": 390, "height": 844})
            assert head.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scroll
            shot(head, "draw-02-plan-390")
            head.set_viewport_size({"width": 1360, "height": 900})

            head.click("#commit-form button[type=submit]")
            expect(head.locator(".messages")).to_contain_text("种子承诺已记入日志第")
            held = draw_selectors.waiting_commitment(plan.draw_subject)
            expect(head.locator("#waiting-commitment")).to_have_text(held.commitment)
            assert held.seed not in head.content()  # secret until the draw
            shot(head, "draw-03-committed")
            head.click("#reveal-form button[type=submit]")
            expect(head.locator(".messages")).to_contain_text("种子与结果已公开")
            draw = draw_selectors.current_draw(plan.draw_subject)
            expect(head.locator("#commitment")).to_have_text(draw.commitment)
            result = head.locator("#result")
            for row in draw.result["targets"]:
                expect(result).to_contain_text(row["id"])
            expect(head.locator("#excluded")).to_contain_text("回避申报：其配偶为该公司股东")
            head.set_viewport_size({"width": 390, "height": 844})
            assert head.evaluate("document.documentElement.scrollWidth") <= 390  # the result too
            shot(head, "draw-04-result")
        finally:
            session.close()
