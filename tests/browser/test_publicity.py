"""公示的全生命周期 in a real browser: a visitor reports an error on a decision, the agency
corrects it, the reporter sees the correction at /progress/; a withdrawn decision shows its
reason while its proof still verifies in the browser; no portal page scrolls sideways at 390 px."""

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
    from sanxiang.testing import build_world

    return build_world()


@pytest.fixture(scope="module")
def browser():
    with launched_chromium() as chromium:
        yield chromium


def _published(world, name="欧阳明远", n=41):
    from sanxiang.cases.services import case_open
    from sanxiang.cases.walkthrough import Cast, walk
    from sanxiang.disclosure.models import Publication
    from sanxiang.disclosure.services import publication_publish
    from sanxiang.testing import citizen_party

    case = case_open(actor=world.alice, item=world.item, party=citizen_party(n, name=name), title="擅自倾倒建筑垃圾",
                     officers=[world.alice_officer, world.bob_officer],
                     opened_on=timezone.localdate() - dt.timedelta(days=30))
    walk(case, Cast(officer=world.alice, unit_head=world.carol, reviewer=world.dave, head=world.erin), fine=800,
         until="service", facts=f"经查，{name}于幸福路88号门前倾倒建筑垃圾。")
    return publication_publish(publication=Publication.objects.get(case=case), actor=world.carol)


def _verified(page, steps: int):
    # Steps: the checkpoint signature, its consistency with the last checkpoint this browser saw,
    # then inclusion and the page check (notice pages: the notice and the original entry as well).
    from playwright.sync_api import expect

    page.click("#verify-button")
    result = page.locator("#verify-result")
    expect(result).to_have_attribute("data-verified", "true")
    expect(result).to_contain_text("核验通过")
    expect(page.locator("#verify-steps li")).to_have_count(steps)


def test_a_visitor_reports_an_error_the_agency_corrects_it_and_the_reporter_sees_it(live_server, tx_world, browser,
                                                                                   settings):
    from playwright.sync_api import expect

    # As deployed: the visitor's pages come from the public page cache, and must not go stale.
    settings.PUBLIC_PAGE_CACHE_SECONDS = 60

    from sanxiang.disclosure.models import Publication

    publication = _published(tx_world)
    session = Session(browser, live_server.url)
    try:
        visitor = session.page()
        visitor.goto(f"/decisions/{publication.pk}/")
        expect(visitor.locator("#decision-text")).to_contain_text("幸福路88号")
        visitor.fill("#report-description", "决定书全文写明了当事人的门牌地址“幸福路88号”，属于个人信息，应当脱敏。")
        visitor.click("#report-form button[type=submit]")
        number = visitor.locator("#receipt-number").inner_text().strip()
        code = visitor.locator("#receipt-code").inner_text().strip()
        assert number.startswith("JC") and len(code) == 8
        shot(visitor, "publicity-01-report-receipt")

        carol = session.page("carol")
        carol.click("text=公示管理")
        form = carol.locator(f"#reports article:has-text('{number}') form")
        form.locator('input[name=outcome][value="correct"]').check()
        form.locator('[name="reply"]').fill("已对当事人门牌地址补充脱敏，更正公示。")
        form.locator('[name="extra_redactions"]').fill("幸福路88号")
        shot(carol, "publicity-02-answer")
        form.locator("button[type=submit]").click()
        expect(carol.locator(".messages")).to_contain_text(f"已答复纠错报告 {number}：已更正")

        visitor.goto("/progress/")
        visitor.fill("#number", number)
        visitor.fill("#code", code)
        visitor.click("#progress-form button[type=submit]")
        result = visitor.locator("#progress-result")
        expect(result).to_contain_text("已更正")
        expect(result).to_contain_text("已对当事人门牌地址补充脱敏")
        shot(visitor, "publicity-03-progress")
        visitor.click("text=查看更正后的公示")
        expect(visitor.locator("#correction")).to_contain_text("第2版")
        expect(visitor.locator("#decision-text")).not_to_contain_text("幸福路88号")
        _verified(visitor, 4)
        new = Publication.objects.get(supersedes=publication)
        assert visitor.url.endswith(f"/decisions/{new.pk}/")

        # the old version: its text is gone from the portal, its logged entry still verifies
        visitor.goto(f"/decisions/{publication.pk}/")
        expect(visitor.locator("#notice")).to_contain_text("本公示已更正")
        assert "幸福路88号" not in visitor.content()
        _verified(visitor, 5)
        shot(visitor, "publicity-04-old-version-verified")
    finally:
        session.close()


def test_a_withdrawn_decision_shows_its_reason_and_its_proof_still_verifies(live_server, tx_world, browser, settings):
    from playwright.sync_api import expect

    settings.PUBLIC_PAGE_CACHE_SECONDS = 60  # as deployed (see the test above)
    publication = _published(tx_world)
    session = Session(browser, live_server.url)
    try:
        visitor = session.page()
        for expected in ("miss", "hit"):  # the second answer is the kept page
            answer = visitor.goto(f"/decisions/{publication.pk}/")
            assert answer.headers.get("x-sanxiang-page-cache") == expected
            expect(visitor.locator("#decision-text")).to_contain_text("幸福路88号")
        erin = session.page("erin")
        erin.goto(f"/staff/publicity/publications/{publication.pk}/")
        form = erin.locator("#withdraw-form")
        form.locator("button[type=submit]").click()  # no ground, no reason: refused with the rule
        expect(erin.locator("#form-error")).to_contain_text("第四十八条")
        form = erin.locator("#withdraw-form")
        form.locator('[name="ground"]').select_option("revoked")
        form.locator('[name="occurred_on"]').fill(timezone.localdate().isoformat())
        form.locator('[name="reason"]').fill("该处罚决定已被行政复议机关依法撤销。")
        form.locator("button[type=submit]").click()
        expect(erin.locator(".messages")).to_contain_text(f"已撤回：{publication.decision_number}")
        expect(erin.locator("#publication-status")).to_have_text("已撤回")

        visitor.goto(f"/decisions/{publication.pk}/")
        notice = visitor.locator("#notice")
        expect(notice).to_contain_text("本决定信息已撤回")
        expect(notice).to_contain_text("决定被依法撤销")
        expect(visitor.locator("#notice-reason")).to_have_text("该处罚决定已被行政复议机关依法撤销。")
        expect(visitor.locator("#decision-text")).to_have_count(0)
        _verified(visitor, 5)
        expect(visitor.locator("#verify-steps")).to_contain_text("撤回理由与日志记录一致")
        shot(visitor, "publicity-05-withdrawn-verified")
        visitor.goto("/decisions/")
        expect(visitor.locator("main")).not_to_contain_text(publication.decision_number)
    finally:
        session.close()


def test_no_portal_page_scrolls_sideways_at_390_px(live_server, tx_world, browser):
    from sanxiang.disclosure.lifecycle import publication_withdraw

    current = _published(tx_world)
    withdrawn = _published(tx_world, name="司马相如", n=42)
    publication_withdraw(publication=withdrawn, actor=tx_world.erin, ground="unlawful",
                         reason="人民法院判决确认该行政处罚决定违法，依法撤回公示信息并说明理由。",
                         occurred_on=timezone.localdate())
    w = tx_world
    paths = ["/", "/agencies/", f"/agencies/{w.agency.code}/", "/officers/",
             f"/officers/?q={w.alice_officer.certificate_no}", "/items/", f"/items/{w.item.pk}/",
             "/flows/penalty_general/", "/decisions/", f"/decisions/?q={current.decision_number}",
             f"/decisions/{current.pk}/", f"/decisions/{withdrawn.pk}/", "/credit-repair/", "/progress/", "/complaints/",
             "/accounts/login/"]
    context = browser.new_context(base_url=live_server.url, locale="zh-CN", viewport={"width": 390, "height": 844},
                                  device_scale_factor=1, is_mobile=True, has_touch=True)
    try:
        page = context.new_page()
        wide = {}
        for path in paths:
            response = page.goto(path)
            assert response is not None and response.status < 400, path
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > 390:
                wide[path] = width
                shot(page, "publicity-390-" + path.strip("/").replace("/", "-").replace("?", "-")[:40])
        # the receipt of an error report, too
        page.goto(f"/decisions/{current.pk}/")
        shot(page, "publicity-390-decision")
        page.fill("#report-description", "当事人名称有误，请核对。")
        page.click("#report-form button[type=submit]")
        page.wait_for_selector("#receipt-number")
        if page.evaluate("document.documentElement.scrollWidth") > 390:
            wide["receipt"] = page.evaluate("document.documentElement.scrollWidth")
        assert wide == {}, wide
    finally:
        context.close()
