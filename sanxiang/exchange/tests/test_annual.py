"""Annual report (年度行政执法数据): figures against a built world, the head's review before
publication, the PDF and the public page, the figures logged in the ledger, the January alert."""

import base64
import datetime as dt
import json

import pytest
from django.utils import timezone

from sanxiang.cases.services import case_open
from sanxiang.cases.walkthrough import Cast, walk
from sanxiang.common.canonical import canonical_bytes, sha256_hex
from sanxiang.common.exceptions import NotFound, RoleNotAllowed, TransitionNotAllowed, ValidationFailed
from sanxiang.exchange import figures as figures_module
from sanxiang.exchange.alerts import annual_report_unpublished
from sanxiang.exchange.figures import compute_figures
from sanxiang.exchange.models import ReportStatus
from sanxiang.exchange.services import annual_report_generate, annual_report_publish, annual_report_review
from sanxiang.exchange.tests.conftest import publish_org_case
from sanxiang.testing import OfficerFactory, citizen_party

pytestmark = pytest.mark.django_db

YEAR = timezone.localdate().year
NEXT_JANUARY = dt.date(YEAR + 1, 1, 10)


@pytest.fixture
def annual_world(rw):
    """The records world (a citizen fined 800 元, published) plus an organisation fined 20,000 元
    (published) and a citizen fined 15,000 元 after a hearing (reviewed, decided, not published)."""
    w = rw.world
    rw.org_publication = publish_org_case(w)
    case = case_open(actor=w.alice, item=w.item, party=citizen_party(11, name="王小明"), title="擅自倾倒建筑垃圾",
                     officers=[w.alice_officer, w.bob_officer], opened_on=timezone.localdate() - dt.timedelta(days=45))
    host = OfficerFactory(agency=w.agency, name="韩主持")
    rw.heard = walk(case, Cast(w.alice, w.carol, w.dave, w.erin, hearing_host_officer_id=host.pk), fine=15000,
                    hearing=True, until="execution", documents=False, start=timezone.localdate() - dt.timedelta(days=38))
    return rw


def test_figures_match_the_built_world(annual_world):
    w = annual_world
    figures = compute_figures(w.world.agency, YEAR, on=NEXT_JANUARY)
    print(json.dumps(figures, ensure_ascii=False, indent=1))
    assert figures["cases"]["total"] == 3 and figures["cases"]["by_kind"] == {"行政处罚": 3}
    assert figures["decisions"]["count"] == 3 and figures["decisions"]["fined"] == 3
    assert figures["decisions"]["fine_total"] == "35800.00"
    assert figures["decisions"]["by_penalty_kind"] == {"罚款": 3}
    assert figures["hearings"] == {"held": 1, "requested": 1}
    pubs = figures["publications"]
    assert pubs["total"] == 3 and pubs["on_time"] + pubs["late"] == 2
    assert pubs["pending"] + pubs["pending_overdue"] == 1
    assert figures["complaints"]["count"] == 0 and figures["complaints"]["recorded"]  # the supervision app's
    assert figures["reconsideration"]["count"] == 0 and figures["reconsideration"]["note"]
    # Another agency has none of it; the deployment has all of it.
    assert compute_figures(w.world.other_agency, YEAR)["cases"]["total"] == 0
    assert compute_figures(None, YEAR)["decisions"]["fine_total"] == "35800.00"
    assert compute_figures(w.world.agency, YEAR - 1)["cases"]["total"] == 0


def test_reviews_are_counted_by_opinion(annual_world):
    from sanxiang.reviews.models import LegalReview

    expected = {}
    for review in LegalReview.objects.filter(case__agency=annual_world.world.agency):
        expected[review.get_opinion_display()] = expected.get(review.get_opinion_display(), 0) + 1
    figures = compute_figures(annual_world.world.agency, YEAR)
    assert expected and figures["reviews"]["by_opinion"] == expected
    assert figures["reviews"]["count"] == sum(expected.values())


def test_a_registered_source_replaces_the_zero(rw):
    saved = dict(figures_module.FIGURE_SOURCES)
    try:
        figures_module.FIGURE_SOURCES.pop("complaints", None)
        assert compute_figures(rw.world.agency, YEAR)["complaints"] == {
            "label": "投诉举报", "count": 0, "by_outcome": {}, "recorded": False, "note": "投诉举报模块尚未启用，计为0"}

        @figures_module.figure_source("complaints")
        def complaints(agency_ids, year):
            return {"count": 4, "by_outcome": {"已办结": 3, "办理中": 1}}

        got = compute_figures(rw.world.agency, YEAR)["complaints"]
        assert got["count"] == 4 and got["recorded"] and got["by_outcome"]["已办结"] == 3
    finally:
        figures_module.FIGURE_SOURCES.clear()
        figures_module.FIGURE_SOURCES.update(saved)


def test_head_review_is_required_before_publication(rw, client):
    w = rw.world
    report = annual_report_generate(agency=w.agency, year=YEAR, actor=w.dave, on=NEXT_JANUARY)
    assert report.status == ReportStatus.DRAFT and report.version == 1
    assert report.figures_sha256 == sha256_hex(canonical_bytes(report.figures))
    with pytest.raises(TransitionNotAllowed) as refused:
        annual_report_publish(report=report, actor=w.erin)
    assert refused.value.code == "report_not_reviewed" and "118号" in refused.value.message
    with pytest.raises(RoleNotAllowed):
        annual_report_review(report=report, actor=w.dave)  # the legal reviewer is not the head
    with pytest.raises(RoleNotAllowed):
        annual_report_review(report=report, actor=w.carol)
    report = annual_report_review(report=report, actor=w.erin, note="数据核对无误")
    with pytest.raises(RoleNotAllowed):
        annual_report_publish(report=report, actor=w.alice)
    report = annual_report_publish(report=report, actor=w.erin)
    assert report.status == ReportStatus.PUBLISHED and report.pdf.sha256 and report.ledger_index is not None
    with pytest.raises(TransitionNotAllowed):
        annual_report_publish(report=report, actor=w.erin)

    # The figures are provable: the public ledger entry holds them and their hash.
    entry = client.get(f"/transparency/v1/entries/{report.ledger_index}")
    assert entry.status_code == 200
    raw = entry.content if not entry["Content-Type"].startswith("application/json") else None
    body = json.loads(base64.b64decode(raw or entry.json().get("body") or entry.json().get("entry")))
    logged = body["data"]["annual_report"]
    assert logged["figures"] == report.figures and logged["figures_sha256"] == report.figures_sha256
    assert sha256_hex(canonical_bytes(logged["figures"])) == report.figures_sha256
    assert logged["pdf_sha256"] == report.pdf.sha256

    page = client.get(f"/annual/{report.pk}/")
    text = page.content.decode()
    assert page.status_code == 200 and report.figures_sha256 in text
    assert 'id="annual-data"' in text and "vendor/echarts/echarts.min.js" in text and "exchange/annual.js" in text
    assert "<script>" not in text  # no inline script (CSP): the data is a json_script block
    assert w.agency.name in client.get("/annual/").content.decode()
    pdf = client.get(f"/annual/{report.pk}/pdf/")
    assert pdf.status_code == 200 and b"".join(pdf.streaming_content).startswith(b"%PDF")
    api = client.get("/api/exchange/annual/").json()["reports"]
    assert [r["figures_sha256"] for r in api] == [report.figures_sha256]

    from sanxiang.ledger.verification import verify_all

    verified = verify_all(jobs=1)
    assert verified.ok, [p.message for p in verified.problems]  # the report row matches its logged state


def test_refusals_of_generation(rw):
    w = rw.world
    with pytest.raises(ValidationFailed) as early:
        annual_report_generate(agency=w.agency, year=YEAR, actor=w.erin, on=dt.date(YEAR, 12, 31))
    assert early.value.code == "year_not_over"
    with pytest.raises(RoleNotAllowed):
        annual_report_generate(agency=w.agency, year=YEAR, actor=w.alice, on=NEXT_JANUARY)
    with pytest.raises(RoleNotAllowed):
        annual_report_generate(agency=w.other_agency, year=YEAR, actor=w.erin, on=NEXT_JANUARY)
    with pytest.raises(RoleNotAllowed):
        annual_report_generate(agency=None, year=YEAR, actor=w.erin, on=NEXT_JANUARY)
    # The deployment's report: generated, reviewed and published by a supervisor.
    report = annual_report_generate(agency=None, year=YEAR, actor=w.sam, on=NEXT_JANUARY)
    with pytest.raises(NotFound):  # the deployment's report is not in an agency head's scope
        annual_report_review(report=report, actor=w.erin)
    annual_report_publish(report=annual_report_review(report=report, actor=w.sam), actor=w.sam)
    # A new version supersedes the draft: the old one can no longer be reviewed.
    first = annual_report_generate(agency=w.agency, year=YEAR, actor=w.erin, on=NEXT_JANUARY)
    second = annual_report_generate(agency=w.agency, year=YEAR, actor=w.erin, on=NEXT_JANUARY)
    assert second.version == first.version + 1
    with pytest.raises(TransitionNotAllowed):
        annual_report_review(report=first, actor=w.erin)


def test_january_alert_until_published(rw):
    w = rw.world
    findings = list(annual_report_unpublished(31, NEXT_JANUARY))
    mine = [f for f in findings if f.agency_id == w.agency.pk]
    assert len(mine) == 1 and "1月31日" not in mine[0].text and f"{YEAR + 1}-01-31" in mine[0].text
    assert mine[0].due == dt.date(YEAR + 1, 1, 31) and "agency_head" in mine[0].roles
    # The threshold says how early in January the warning starts (here: 10 days before the 31st).
    assert list(annual_report_unpublished(10, dt.date(YEAR + 1, 1, 15))) == []
    assert list(annual_report_unpublished(10, dt.date(YEAR + 1, 1, 22)))
    late = [f for f in annual_report_unpublished(31, dt.date(YEAR + 1, 2, 3)) if f.agency_id == w.agency.pk]
    assert "已逾期3日" in late[0].text
    report = annual_report_generate(agency=w.agency, year=YEAR, actor=w.erin, on=NEXT_JANUARY)
    annual_report_publish(report=annual_report_review(report=report, actor=w.erin), actor=w.erin)
    assert [f for f in annual_report_unpublished(31, NEXT_JANUARY) if f.agency_id == w.agency.pk] == []
    assert any(f.agency_id == w.other_agency.pk for f in annual_report_unpublished(31, NEXT_JANUARY))


def test_rule_is_registered():
    from sanxiang.common.alerts import ALERT_RULES

    assert ALERT_RULES["annual_report_unpublished"].basis.startswith("国办发")


def test_staff_pages(rw, client):
    w = rw.world
    client.force_login(w.erin)
    assert "生成报告" in client.get("/staff/exchange/annual/").content.decode()
    response = client.post("/staff/exchange/annual/generate/", {"year": str(YEAR - 1), "scope": "own"})
    assert response.status_code == 302
    report = w.agency.annual_reports.get()
    page = client.get(f"/staff/exchange/annual/{report.pk}/").content.decode()
    assert 'id="review-button"' in page and 'id="publish-button"' not in page
    client.post(f"/staff/exchange/annual/{report.pk}/review/", {"note": "同意"})
    client.post(f"/staff/exchange/annual/{report.pk}/publish/")
    report.refresh_from_db()
    assert report.status == ReportStatus.PUBLISHED
    client.force_login(w.alice)
    assert client.get("/staff/exchange/annual/").status_code == 403


def test_management_command_generates_a_draft(world):
    from django.core.management import CommandError, call_command

    call_command("annual_report", "--year", str(YEAR - 1), "--user", "erin", "--agency", world.agency.code)
    report = world.agency.annual_reports.get()
    assert report.status == ReportStatus.DRAFT and report.generated_by == world.erin
    with pytest.raises(CommandError, match="尚未结束"):
        call_command("annual_report", "--year", str(YEAR), "--user", "erin", "--agency", world.agency.code)
    with pytest.raises(CommandError):
        call_command("annual_report", "--year", str(YEAR - 1), "--user", "alice", "--agency", world.agency.code)


def test_complaints_are_counted_from_the_supervision_app(world):
    from sanxiang.supervision.complaints import complaint_accept, complaint_submit

    first, _ = complaint_submit(content="执法人员在检查时态度恶劣，未出示执法证件。", category="conduct", agency=world.agency)
    complaint_submit(content="举报某路段长期占道经营无人处理。", category="inaction", agency=world.agency)
    complaint_submit(content="另一机关的执法程序问题需要反映。", category="procedure", agency=world.other_agency)
    complaint_accept(complaint=first, actor=world.erin)
    got = compute_figures(world.agency, YEAR)["complaints"]
    assert got["count"] == 2 and got["by_outcome"] == {"已受理": 1, "待受理": 1} and got["recorded"]
    assert compute_figures(None, YEAR)["complaints"]["count"] == 3
