"""Facts of compulsion cases shared by the rules, the documents, the alerts and the pages."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from django.utils import timezone
from django.utils.dateparse import parse_date

from sanxiang.common.exceptions import ValidationFailed

SEIZURE_FLOW = "compulsion_seizure"
ENFORCEMENT_FLOW = "compulsion_enforcement"


def parse_moment(raw, *, label: str, field: str) -> dt.datetime:
    """A local date and time typed as YYYY-MM-DD HH:MM (or ISO), aware, or a refusal naming the field."""
    text = str(raw or "").strip().replace("T", " ")
    match = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})\s+(\d{1,2}):(\d{2})(?::\d{2}(?:\.\d+)?)?(?:[+-]\d{2}:\d{2})?", text)
    value = None
    if match:
        try:
            value = dt.datetime(*(int(g) for g in match.groups()))
        except ValueError:
            value = None
    if value is None:
        raise ValidationFailed(f"“{label}”须为有效的日期时间（YYYY-MM-DD HH:MM）", field=field, code="datetime_invalid")
    return timezone.make_aware(value)


def data_date(case, name: str) -> dt.date | None:
    raw = (case.data or {}).get(name)
    return parse_date(raw) if isinstance(raw, str) else None


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later (the month's last day when it has no such day)."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def parse_things(raw) -> list[dict]:
    """The 清单: one thing a line, 名称|数量|单位|状况|备注 (also tab or ｜ as separator)."""
    rows = []
    for text in str(raw or "").splitlines():
        if not text.strip():
            continue
        cells = [c.strip() for c in re.split(r"\s*[|｜\t]\s*", text.strip())] + ["", "", "", "", ""]
        name, quantity, unit, condition, remark = cells[:5]
        where = f"查封扣押清单第{len(rows) + 1}行"
        if not name:
            raise ValidationFailed(f"{where}缺少物品名称（《行政强制法》第二十四条）", field="things", code="thing_name_missing",
                                   rule="行政强制法第二十四条")
        try:
            amount = Decimal(quantity)
        except InvalidOperation:
            amount = None
        if amount is None or amount <= 0 or amount != amount.quantize(Decimal("0.001")):
            raise ValidationFailed(f"{where}（{name}）的数量“{quantity}”须为大于零的数字（《行政强制法》第二十四条：清单载明数量）",
                                   field="things", code="thing_quantity_invalid", rule="行政强制法第二十四条")
        if not unit or not condition:
            raise ValidationFailed(f"{where}（{name}）须写明单位和状况（完好程度、新旧等）（《行政强制法》第二十四条）",
                                   field="things", code="thing_condition_missing", rule="行政强制法第二十四条")
        rows.append({"name": name[:100], "quantity": amount, "unit": unit[:20], "condition": condition[:200],
                     "remark": remark[:200]})
    return rows


def seizure_ends_on(case) -> dt.date | None:
    return data_date(case, "seizure_ends_on")


def seizure_days_left(case, on: dt.date) -> int | None:
    ends = seizure_ends_on(case)
    return None if ends is None else (ends - on).days
