"""抽查结果公示 by the monthly job, and the portal and staff pages."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone

from sanxiang.cases.walkthrough import record_time
from sanxiang.inspections import services, walkthrough
from sanxiang.inspections.models import ResultNotice
from sanxiang.inspections.tasks import monthly, publish_inspection_results
from sanxiang.inspections.testing import build_inspection_world
from sanxiang.ledger.models import Entry
from sanxiang.testing import build_world

SCRIPT = Path(__file__).resolve().parents[3] / "scripts" / "recompute_draw.py"


@pytest.fixture
def drawn(db, settings, tmp_path):
    settings.EVIDENCE_UPLOAD_DIR = str(tmp_path / "uploads")
    iw = build_inspection_world(build_world())
    draw = services.plan_draw(actor=iw.world.erin, plan=iw.plan)
    return iw, draw


def test_the_monthly_job_publishes_each_plan_once_with_findings_and_follow_up(drawn):
    iw, draw = drawn
    w = iw.world
    first, second = draw.result["targets"][:2]
    case = services.task_open_from_draw(actor=w.alice, plan=iw.plan, uscc=first["id"])
    case = walkthrough.conclude(walkthrough.onsite(walkthrough.start(case, w.alice), w.alice,
                                                   findings="门前堆放杂物"), w.alice, "rectify")
    walkthrough.recheck(case, w.alice, rectified=True)
    other = services.task_open_from_draw(actor=w.bob, plan=iw.plan, uscc=second["id"])
    walkthrough.conclude(walkthrough.onsite(walkthrough.start(other, w.bob), w.bob), w.bob, "violation",
                         penalty_item=w.item)
    next_month = (timezone.localdate().replace(day=28) + dt.timedelta(days=5)).replace(day=1)
    done = services.results_publish_due(today=next_month)
    assert len(done) == 1
    notice = done[0]
    rows = {r["uscc"]: r for r in notice.content["rows"]}
    assert rows[first["id"]]["result"] == "发现问题，责令限期改正" and "复查合格" in rows[first["id"]]["followed"]
    assert rows[second["id"]]["result"] == "发现违法行为" and "已立案查处" in rows[second["id"]]["followed"]
    assert notice.content["drawn"] == len(draw.result["targets"]) and notice.content["problems"] == 2
    assert Entry.objects.get(index=notice.ledger_index).public
    assert services.results_publish_due(today=next_month) == []  # once per plan and month
    long_after = iw.plan.period_end + dt.timedelta(days=70)
    assert services.results_publish_due(today=long_after) == []  # not after the plan's period
    page = Client().get(f"/spot-checks/plans/{iw.plan.pk}/")
    assert page.status_code == 200 and "复查合格" in page.content.decode() and "已立案查处" in page.content.decode()


def test_the_job_is_scheduled_monthly_and_runs_the_service(drawn):
    # huey passes a naive UTC time; 03:00 on the 1st in Asia/Shanghai is 19:00 UTC the day before.
    assert monthly(dt.datetime(2026, 11, 30, 19, 0))
    assert not monthly(dt.datetime(2026, 11, 30, 20, 0)) and not monthly(dt.datetime(2026, 11, 15, 19, 0))
    publish_inspection_results.call_local()
    assert ResultNotice.objects.count() in (0, 1)  # this month's plan began this month: nothing or last month


def test_portal_lists_the_check_items_and_publishes_the_draw_for_recomputation(drawn, tmp_path):
    iw, draw = drawn
    client = Client()
    page = client.get("/spot-checks/").content.decode()
    for text in (iw.check_item.name, iw.check_item.basis, iw.check_item.ratio, iw.check_item.frequency, iw.plan.title):
        assert text in page
    detail = client.get(f"/draws/{draw.pk}/").content.decode()
    assert draw.commitment in detail and draw.seed in detail
    assert all(h in detail for h in draw.pool_hashes.values())
    body = client.get(f"/draws/{draw.pk}/draw.json").content
    path = tmp_path / "draw.json"
    path.write_bytes(body)
    done = subprocess.run([sys.executable, "-S", "-I", str(SCRIPT), str(path)], capture_output=True, text=True,
                          timeout=60, env={})
    assert done.returncode == 0, done.stdout + done.stderr
    published = json.loads(body)
    assert published["seed"] == draw.seed and published["result"] == draw.result
    assert client.get("/api/inspections/public/check-items/").json()[0]["name"] == iw.check_item.name


def test_staff_page_draws_and_opens_tasks(drawn):
    iw, draw = drawn
    w = iw.world
    head = Client()
    head.force_login(w.erin)
    page = head.get("/staff/inspections/").content.decode()
    assert iw.plan.title in page and "重新抽取" in page
    refused = head.post(f"/staff/inspections/plans/{iw.plan.pk}/draw/", {"redraw_of": draw.pk, "reason": ""},
                        follow=True)
    assert "重新抽取须说明理由" in refused.content.decode()
    officer = Client()
    officer.force_login(w.alice)
    mine = officer.get("/staff/inspections/").content.decode()
    assert "生成检查任务" in mine and "重新抽取" not in mine
    uscc = draw.result["targets"][0]["id"]
    opened = officer.post(f"/staff/inspections/plans/{iw.plan.pk}/task/", {"uscc": uscc})
    assert opened.status_code == 302 and "/staff/cases/" in opened["Location"]


def test_the_portal_flowchart_is_the_flow_the_engine_runs(drawn):
    page = Client().get("/flows/inspection_general/").content.decode()
    for text in ("现场检查", "检查结果处理", "限期改正与复查", "已移送立案查处", "现场检查一律全程录像"):
        assert text in page
    from sanxiang import demo

    assert not hasattr(demo, "DEMO_FLOWS")  # no display-only flow of any kind is installed by the demo


def test_the_agency_av_list_names_the_onsite_inspection_and_audio_is_not_enough(drawn, settings):
    from django.core.files.base import ContentFile

    from sanxiang.common.exceptions import EvidenceMissing
    from sanxiang.records.services import evidence_attach
    from sanxiang.registry.models import AvRequirement
    from sanxiang.registry.services import av_list_install

    iw, draw = drawn
    w = iw.world
    av_list_install(agency=w.agency)
    assert AvRequirement.objects.filter(agency=w.agency, flow_code="inspection_general", step_code="onsite").exists()
    case = walkthrough.start(services.task_open_from_draw(actor=w.alice, plan=iw.plan,
                                                          uscc=draw.result["targets"][0]["id"]), w.alice)
    evidence_attach(case=case, actor=w.alice, kind="audio", description="录音",
                    uploaded=ContentFile(b"ID3\x03\x00\x00\x00\x00\x00\x00" + b"\x00" * 200, name="现场.mp3"))
    from sanxiang.documents.services import document_issue

    document_issue(case=case, kind="inspection_record", actor=w.alice, extra={
        "mode": "检查", "started_at": record_time(timezone.localdate(), 9), "place": "现场", "record": "检查情况"})
    from sanxiang.cases.services import case_transition

    with pytest.raises(EvidenceMissing) as exc:
        case_transition(case=case, action="record_onsite", actor=w.alice, data={
            "inspected_on": timezone.localdate().isoformat(), "certificates_shown": True,
            "party_signature": "signed", "findings": "检查情况"})
    assert exc.value.code == "onsite_video_missing"
