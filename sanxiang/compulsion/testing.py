"""Test helpers of the compulsion flows: the two items, the enforcement power, dates, video."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.files.base import ContentFile
from django.utils import timezone

from sanxiang.common.calendar import current_calendar
from sanxiang.common.services import record_save
from sanxiang.registry.models import EnforcementItem, Flow, Parameter

VIDEO = b"\x00\x00\x00\x18ftypmp42" + b"compulsion"
THINGS = "电动三轮车|1|辆|八成新，车身左侧有划痕|车牌号豫C·12345\n建筑垃圾清运袋|20|个|全新|"


def compulsion_items(agency) -> tuple[EnforcementItem, EnforcementItem]:
    seizure = record_save(EnforcementItem(agency=agency, code="C001", name="扣押非法运输建筑垃圾的车辆", kind="compulsion",
                                          flow=Flow.objects.get(code="compulsion_seizure")), actor="factory")
    enforcement = record_save(EnforcementItem(agency=agency, code="C002", name="罚款及行政决定的强制执行",
                                              kind="compulsion", flow=Flow.objects.get(code="compulsion_enforcement")),
                              actor="factory")
    return seizure, enforcement


def grant_enforcement_power(agency) -> Parameter:
    return record_save(Parameter(agency=agency, key="compulsion_enforcement_power", value=Decimal(1), unit="是/否",
                                 label="本机关依法享有行政强制执行权", source="《行政强制法》第十三条"), actor="factory")


def video(case, actor):
    from sanxiang.records.services import evidence_attach

    case.refresh_from_db()
    return evidence_attach(case=case, actor=actor, uploaded=ContentFile(VIDEO, name="执法记录仪.mp4"), kind="video")


def minute(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def last_working_day(before: dt.date) -> dt.date:
    cal, day = current_calendar(), before - dt.timedelta(days=1)
    while not cal.is_working_day(day):
        day -= dt.timedelta(days=1)
    return day


def last_public_holiday(before: dt.date) -> dt.date:
    """The latest weekday (Mon–Fri) before `before` that is not a working day: a public holiday."""
    cal, day = current_calendar(), before - dt.timedelta(days=1)
    while day.weekday() >= 5 or cal.is_working_day(day):
        day -= dt.timedelta(days=1)
    return day
