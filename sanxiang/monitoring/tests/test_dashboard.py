"""监督驾驶舱: figures per scope, the list behind each figure, Excel, the API and the tallies."""

from __future__ import annotations

import datetime as dt
from io import BytesIO

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook
from rest_framework.test import APIClient

from sanxiang.cases.models import Case
from sanxiang.common.exceptions import RoleNotAllowed
from sanxiang.monitoring import complaints, selectors, tally
from sanxiang.monitoring.export import TABLES
from sanxiang.monitoring.models import CaseTally, DueTally, MonthTally, PublicationTally
from sanxiang.monitoring.tests.conftest import TODAY

pytestmark = pytest.mark.django_db


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def _tally_state():
    cases = sorted((r.agency_id, r.kind, r.state, r.final, r.decided, r.hearing_requested, r.hearing_held,
                    r.n, r.fined, r.fine_sum) for r in CaseTally.objects.filter(n__gt=0))
    dues = sorted((r.agency_id, r.kind, r.due, r.n) for r in DueTally.objects.filter(n__gt=0))
    months = sorted((r.agency_id, r.month, r.n) for r in MonthTally.objects.filter(n__gt=0))
    pubs = sorted((r.agency_id, r.status, r.late, r.due, r.n) for r in PublicationTally.objects.filter(n__gt=0))
    return cases, dues, months, pubs


def test_hooks_keep_the_tallies_equal_to_a_full_recount(scene):
    from sanxiang.cases.walkthrough import Cast, walk
    from sanxiang.disclosure.services import publication_publish

    w = scene.world
    case = walk(scene.overdue, Cast(w.alice, w.carol, w.dave, w.erin), until="service")
    incremental = _tally_state()
    assert [p[1] for p in incremental[3]] == ["pending"]
    tally.rebuild()
    assert _tally_state() == incremental
    assert sum(r[7] for r in incremental[0]) == Case.objects.count()
    publication_publish(publication=case.publications.get(), actor=w.erin)
    published = _tally_state()
    assert [p[1] for p in published[3]] == ["published"]
    tally.rebuild()
    assert _tally_state() == published
    f = selectors.dashboard(w.sam)
    # Decided months ago and published today: past the seven working days, so late.
    assert [r.n for r in f["publications"]] == [0, 1, 0, 0]
    assert selectors.case_drilldown(w.sam, {"publication": "late"}).get() == case


def test_supervisor_sees_every_agency_head_their_tree_other_head_only_theirs(scene):
    w = scene.world
    sam = selectors.dashboard(w.sam)
    erin = selectors.dashboard(w.erin)
    hank = selectors.dashboard(scene.hank)
    assert sam["totals"]["n"] == 4
    assert erin["totals"]["n"] == 3  # the city agency and its district office
    assert {r.label for r in erin["by_agency"]} == {w.agency.name, scene.district.name}
    assert hank["totals"]["n"] == 1 and [r.label for r in hank["by_agency"]] == [w.other_agency.name]
    assert selectors.dashboard(scene.district_head)["totals"]["n"] == 1
    assert sam["overdue"] == 1 and erin["overdue"] == 1 and hank["overdue"] == 0
    with pytest.raises(RoleNotAllowed):
        selectors.dashboard(w.alice)


def test_every_figure_drills_down_to_a_list_of_the_same_length(scene):
    w = scene.world
    for user in (w.sam, w.erin, scene.hank):
        f = selectors.dashboard(user)
        rows = [*f["by_agency"], *f["by_kind"], *f["by_state"], *f["by_month"], *f["reviews"], *f["publications"]]
        for row in rows:
            assert selectors.case_drilldown(user, row.link).count() == row.n, (user, row.label)
        assert selectors.case_drilldown(user, {"overdue": "1"}).count() == f["overdue"]
        assert selectors.case_drilldown(user, {"due_soon": str(f["due_days"])}).count() == f["due_soon"]
        assert selectors.case_drilldown(user, {"final": "0"}).count() == f["totals"]["open"]


def test_due_soon_counts_a_deadline_within_the_window(scene):
    # The overdue case's decision deadline lies 120-90 days back; one opened 88 days ago is due soon.
    from sanxiang.monitoring.tests.conftest import open_case

    case = open_case(scene.world, days_ago=88)
    f = selectors.dashboard(scene.world.sam, due_days=7)
    assert case.decision_due >= TODAY and f["due_soon"] == 1
    listed = list(selectors.case_drilldown(scene.world.sam, {"due_soon": "7"}))
    assert listed == [case]


def test_dashboard_page_links_and_charts(scene):
    w = scene.world
    page = _client(w.sam).get(reverse("monitoring:dashboard"))
    assert page.status_code == 200
    body = page.content.decode()
    assert 'id="dashboard-charts"' in body and "vendor/echarts/echarts.min.js" in body
    assert f'href="{reverse("monitoring:cases")}?overdue=1"' in body
    assert "<script>" not in body.replace('<script id="dashboard-charts" type="application/json">', "")
    listed = _client(w.sam).get(reverse("monitoring:cases"), {"overdue": "1"})
    assert listed.status_code == 200 and scene.overdue.number in listed.content.decode()
    assert scene.fresh.number not in listed.content.decode()
    # Out of the tree: hank's list of all cases names none of the city's.
    others = _client(scene.hank).get(reverse("monitoring:cases")).content.decode()
    assert scene.other_case.number in others and scene.overdue.number not in others
    assert _client(w.alice).get(reverse("monitoring:dashboard")).status_code == 403


def test_bad_filter_is_a_400_with_the_rule(scene):
    page = _client(scene.world.sam).get(reverse("monitoring:cases"), {"month": "2026-13"})
    assert page.status_code == 400 and "YYYY-MM" in page.content.decode()


def test_each_table_exports_to_excel(scene):
    client = _client(scene.world.erin)
    for table in TABLES:
        response = client.get(reverse("monitoring:export", kwargs={"table": table}))
        assert response.status_code == 200, table
        sheet = load_workbook(BytesIO(response.content)).active
        assert sheet.max_row >= 2
    agency = load_workbook(BytesIO(client.get(reverse("monitoring:export", kwargs={"table": "agency"})).content)).active
    names = [row[0].value for row in agency.iter_rows(min_row=3)]
    assert scene.world.agency.name in names and scene.world.other_agency.name not in names
    assert client.get(reverse("monitoring:export", kwargs={"table": "nope"})).status_code == 404


def test_api_figures_and_drilldown(scene):
    api = APIClient()
    api.force_login(scene.world.sam)
    data = api.get("/api/monitoring/dashboard/").json()
    assert data["overdue"] == {"n": 1, "filter": {"overdue": "1"}}
    listed = api.get("/api/monitoring/dashboard/cases/", {"overdue": "1"}).json()
    assert listed["count"] == 1 and listed["results"][0]["number"] == scene.overdue.number
    api.force_login(scene.world.alice)
    refused = api.get("/api/monitoring/dashboard/")
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "role_not_allowed"


def test_complaint_count_is_pluggable(scene, monkeypatch):
    assert selectors.dashboard(scene.world.sam)["complaints"] == 0
    monkeypatch.setattr(complaints, "COUNTERS", [lambda user, on: 3])
    assert selectors.dashboard(scene.world.sam)["complaints"] == 3


def test_certificates_expiring(scene):
    w = scene.world
    from sanxiang.registry.models import Officer

    Officer.objects.filter(pk=w.bob_officer.pk).update(valid_to=TODAY + dt.timedelta(days=10))
    f = selectors.dashboard(w.erin)
    assert [r.n for r in f["certificates"]] == [0, 1]
    page = _client(w.erin).get(reverse("monitoring:certificates"), {"cert": "expiring"}).content.decode()
    assert w.bob_officer.name in page
    assert selectors.dashboard(scene.hank)["certificates"][1].n == 0


def test_menu_reaches_every_supervisor_page(scene):
    w = scene.world
    home = _client(w.sam).get(reverse("cases:my_cases")).content.decode()
    for name in ("monitoring:dashboard", "monitoring:alerts", "supervision:access_log", "ledger_staff:integrity"):
        assert f'href="{reverse(name)}"' in home, name
    head = _client(w.erin).get(reverse("cases:my_cases")).content.decode()
    assert f'href="{reverse("monitoring:dashboard")}"' in head and f'href="{reverse("supervision:access_log")}"' in head
    assert f'href="{reverse("ledger_staff:integrity")}"' not in head
    officer = _client(w.alice).get(reverse("cases:my_cases")).content.decode()
    assert f'href="{reverse("monitoring:dashboard")}"' not in officer
    assert f'href="{reverse("monitoring:alerts")}"' in officer


def test_menu_is_one_list_and_skips_pages_not_installed(scene, monkeypatch):
    from sanxiang.common import menu

    monkeypatch.setattr(menu, "MENU", [*menu.MENU, menu.MenuEntry("未安装的页面", "no_such_app:home", roles=("supervisor",))])
    labels = [e["label"] for e in menu.entries_for(scene.world.sam)]
    assert "监督驾驶舱" in labels and "调阅记录" in labels and "未安装的页面" not in labels
    # The supervisor reaches every supervision page from the menu.
    for label in ("预警", "监督案件", "投诉举报", "执法人员资格", "案卷评查", "完整性检查", "公示管理", "年度报告"):
        assert label in labels, label
    assert "审计记录" not in labels and "立案登记" not in labels
