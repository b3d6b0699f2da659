"""Fixtures for the document tests: a case of the world's agency, the cast that walks it, and
what an officer enters for each kind of document."""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import subprocess

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone

from sanxiang.cases.services import case_open
from sanxiang.cases.walkthrough import Cast
from sanxiang.testing import OfficerFactory, citizen_party

TODAY = timezone.localdate()


def earlier(days: int, hour: int = 9) -> str:
    moment = timezone.localtime() - dt.timedelta(days=days)
    return moment.replace(hour=hour, minute=30).strftime("%Y-%m-%d %H:%M")


# What the officer enters, per kind (kinds that need nothing are absent).
EXTRA = {
    "filing_approval": {"summary": "巡查发现当事人在幸福路擅自倾倒建筑垃圾约3立方米。"},
    "inspection_record": {"mode": "检查", "started_at": earlier(35), "ended_at": earlier(35, 10),
                          "place": "测试市西工区幸福路与建设路交叉口东北角", "present": "张三丰（当事人）",
                          "recorder": "鲍勃", "record": "现场堆放建筑垃圾约3立方米，未设置围挡。\n执法人员现场拍照6张。"},
    "inquiry_record": {"started_at": earlier(34), "ended_at": earlier(34, 10), "place": "测试市城市管理局询问室",
                       "interviewee": "张三丰", "relation": "当事人", "interviewee_info": "男，41岁，住测试市西工区幸福路8号",
                       "recorder": "鲍勃",
                       "qa": "问：幸福路东北角的建筑垃圾是谁倾倒的？\n答：是我雇的车倒的。\n问：是否办理了处置核准手续？\n答：没有办理。"},
    "evidence_preservation": {"items": "建筑垃圾运输车|豫C12345|1辆|车身蓝色\n铁锹|—|2把|", "storage_place": "本局暂扣场"},
    "prior_notice": {"contact": "执法一中队 王队长 0379-12345678"},
    "hearing_right_notice": {},
    "hearing_notification": {"hearing_at": earlier(-3, 15), "place": "本局三楼听证室", "host": "韩主持", "recorder": "李记录"},
    "hearing_record": {"place": "本局三楼听证室", "recorder": "李记录", "participants": "张三丰（当事人）",
                       "record": "调查人员陈述违法事实、证据及处罚建议。\n当事人承认事实，请求从轻处罚。"},
    "collective_discussion": {"held_at": earlier(1), "place": "本局会议室", "host": "艾琳（局长）",
                              "attendees": "艾琳、卡萝、戴维", "recorder": "鲍勃",
                              "discussion": "与会人员认为本案事实清楚、证据确凿。", "conclusion": "同意按拟处罚意见作出决定。"},
    "service_receipt": {"served": "decision", "remarks": ""},
    "closing_approval": {},
    "on_spot_decision": {"place": "测试市西工区幸福路"},
}


@pytest.fixture
def cast(world):
    host = OfficerFactory(agency=world.agency, name="韩主持")
    return Cast(officer=world.alice, unit_head=world.carol, reviewer=world.dave, head=world.erin,
                hearing_host_officer_id=host.pk)


@pytest.fixture
def open_case(world):
    def make(party=None, opened_on=None, procedure="general"):
        return case_open(actor=world.alice, item=world.item, party=party or citizen_party(),
                         officers=[world.alice_officer, world.bob_officer], title="擅自倾倒建筑垃圾",
                         opened_on=opened_on or TODAY - dt.timedelta(days=40), procedure=procedure,
                         source="日常巡查")
    return make


def stored_bytes(stored_file) -> bytes:
    with default_storage.open(stored_file.storage_name, "rb") as handle:
        return handle.read()


def docx_text(data: bytes) -> str:
    """Every paragraph of the body, the tables and the footer of a .docx (opened with python-docx)."""
    import docx

    document = docx.Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts += [cell.text for cell in row.cells]
    for section in document.sections:
        parts += [p.text for p in section.footer.paragraphs]
    return "\n".join(parts)


def pdf_text(data: bytes) -> str | None:
    """Text of a PDF through poppler's pdftotext, or None when it is not installed."""
    if shutil.which("pdftotext") is None:
        return None
    result = subprocess.run(["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True)
    return result.stdout.decode("utf-8")


def squash(text: str) -> str:
    """Text without any whitespace: PDF lines break anywhere inside Chinese text."""
    return re.sub(r"\s+", "", text)
