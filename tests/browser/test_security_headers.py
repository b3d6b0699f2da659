"""The Content-Security-Policy holds in a real browser: the main staff and portal pages, htmx
actions and the in-browser proof check run with script-src 'self' and no inline style, and
Chromium reports no violation (console messages and securitypolicyviolation events)."""

from __future__ import annotations

import pytest

from tests.browser.helpers import HAVE_CHROMIUM, Session, act, launched_chromium

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not HAVE_CHROMIUM, reason="Debian's Chromium is not installed"),
]

# Runs before any page script; the CSP does not apply to scripts injected by the browser driver.
COLLECT_VIOLATIONS = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__csp.push(e.violatedDirective + " " + e.blockedURI + " " + (e.sourceFile || "") + ":" + e.lineNumber);
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


class Watch:
    """Console messages and CSP violation events of one page."""

    def __init__(self, page):
        self.page = page
        self.console = []
        page.add_init_script(COLLECT_VIOLATIONS)
        page.on("console", lambda msg: self.console.append(f"{msg.type}: {msg.text}"))
        page.on("pageerror", lambda exc: self.console.append(f"pageerror: {exc}"))
        page.on("response", lambda r: r.status >= 400 and self.console.append(f"response: {r.status} {r.url}"))

    def visit(self, path: str):
        response = self.page.goto(path)
        assert response is not None and response.status < 400, (path, response and response.status)
        assert "script-src 'self'" in response.headers["content-security-policy"]
        self.page.wait_for_load_state("networkidle")
        self.check(path)
        return response

    def check(self, where: str):
        events = self.page.evaluate("window.__csp || []")
        reported = [m for m in self.console if "Content Security Policy" in m or "Refused to" in m]
        assert events == [] and reported == [], (where, events, reported)
        errors = [m for m in self.console if m.startswith(("error", "pageerror"))]
        assert errors == [], (where, self.console)


def _published_case(world):
    from sanxiang.cases.models import Case
    from sanxiang.cases.services import case_open
    from sanxiang.cases.walkthrough import Cast, walk
    from sanxiang.disclosure.models import Publication
    from sanxiang.disclosure.services import publication_publish
    from sanxiang.testing import citizen_party

    cast = Cast(officer=world.alice, unit_head=world.carol, reviewer=world.dave, head=world.erin)
    import datetime as dt

    from django.utils import timezone

    decided = case_open(actor=world.alice, item=world.item, party=citizen_party(), title="擅自倾倒建筑垃圾",
                        officers=[world.alice_officer, world.bob_officer],
                        opened_on=timezone.localdate() - dt.timedelta(days=60))
    walk(decided, cast, until="service")
    publication = Publication.objects.get(case=decided)
    publication_publish(publication=publication, actor=world.carol)
    fresh = case_open(actor=world.alice, item=world.item, party=citizen_party(8, "李四"), title="占道经营",
                      officers=[world.alice_officer, world.bob_officer])
    return Case.objects.get(pk=decided.pk), fresh, publication


def test_no_csp_violation_on_the_main_staff_and_portal_pages(live_server, tx_world, browser):
    decided, fresh, publication = _published_case(tx_world)
    session = Session(browser, live_server.url)
    try:
        # --- the public portal, including the decision page whose script checks the proof ------
        public = Watch(session.page())
        for path in ("/", "/agencies/", f"/agencies/{tx_world.agency.code}/", "/officers/?q=艾", "/items/",
                     f"/items/{tx_world.item.pk}/", "/decisions/", "/accounts/login/"):
            public.visit(path)
        public.visit(f"/decisions/{publication.pk}/")
        public.page.click("#verify-button")  # fetch() to the transparency API and WebCrypto hashing
        public.page.wait_for_selector("#verify-result[data-verified]", state="attached")
        assert public.page.get_attribute("#verify-result", "data-verified") == "true"
        public.check("decision proof")

        # --- staff: work list, case page with the uploader, an htmx action, documents, dossier ----
        carol = session.page("carol")
        staff = Watch(carol)
        staff.visit("/staff/")
        staff.visit(f"/staff/cases/{fresh.pk}/")
        # htmx posts the form and swaps the panel
        act(carol, "approve_filing", {"filing_opinion": "经审查，符合立案条件，同意立案。"})
        carol.wait_for_load_state("networkidle")
        staff.check("htmx action")
        staff.visit(f"/staff/cases/{decided.pk}/")
        staff.visit(f"/staff/cases/{decided.pk}/dossier/")
        staff.visit("/staff/parties/")

        alice = Watch(session.page("alice"))
        alice.visit("/staff/cases/new/")
        alice.visit(f"/staff/cases/{fresh.pk}/")

        sam = Watch(session.page("sam"))
        sam.visit("/staff/supervision/access-log/")
    finally:
        session.close()
