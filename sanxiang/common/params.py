"""Query-parameter readers for views and APIs: bad input is a field error, never a server error.

`"²".isdigit()` is true and `int("95167734569403285504")` does not fit a database key, and
`parse_date("2026-13-45")` raises; each of these was a 500. These readers refuse such values
with ValidationFailed naming the parameter and the rule.
"""

from __future__ import annotations

import datetime as dt
import re

from django.utils.dateparse import parse_date, parse_datetime

from sanxiang.common.exceptions import ValidationFailed

#: The largest primary key a database column holds (signed 64-bit: PostgreSQL bigint, SQLite INTEGER).
MAX_DB_INT = (1 << 63) - 1
_ASCII_DIGITS = re.compile(r"[0-9]+")


def is_db_id(raw) -> bool:
    """True for an ASCII non-negative integer that fits a database key (form values, ids in posts)."""
    text = str(raw or "").strip()
    return bool(_ASCII_DIGITS.fullmatch(text)) and int(text) <= MAX_DB_INT


def parse_db_id(raw: str, *, field: str) -> int:
    """An ASCII non-negative integer that fits a database key."""
    text = (raw or "").strip()
    if not _ASCII_DIGITS.fullmatch(text) or int(text) > MAX_DB_INT:
        raise ValidationFailed(f"参数 {field} 须为不超过 {MAX_DB_INT} 的非负整数（编号），收到“{text[:40]}”",
                               field=field, code="invalid_integer", rule="编号须为 64 位非负整数")
    return int(text)


def query_id(params, name: str, *, required: bool = False) -> int | None:
    """?name=ID as an int, None when absent (or ValidationFailed when required)."""
    raw = params.get(name)
    if raw is None or raw == "":
        if required:
            raise ValidationFailed(f"请指定参数 {name}（?{name}=编号）", field=name, code="required",
                                   rule="必填参数")
        return None
    return parse_db_id(raw, field=name)


def safe_parse_date(text: str) -> dt.date | None:
    """Django's parse_date, with None also for a well-formed but impossible date (2026-13-45),
    for which parse_date raises ValueError."""
    try:
        return parse_date(text)
    except ValueError:
        return None


def safe_parse_datetime(text: str) -> dt.datetime | None:
    """Django's parse_datetime, with None also for an impossible one (2026-02-30T25:61)."""
    try:
        return parse_datetime(text)
    except ValueError:
        return None


def query_date(params, name: str) -> dt.date | None:
    """?name=YYYY-MM-DD as a date, None when absent; a malformed or impossible date is refused."""
    raw = (params.get(name) or "").strip()
    if not raw:
        return None
    value = safe_parse_date(raw)
    if value is None:
        raise ValidationFailed(f"参数 {name} 须为有效日期（YYYY-MM-DD），收到“{raw[:40]}”", field=name,
                               code="invalid_date", rule="日期格式 YYYY-MM-DD")
    return value
