"""The structured content of a document, shared by the Word and the PDF renderer.

A document is a plain JSON object (so that it can be hashed canonically and stored):

    {"kind", "title", "agency", "number", "version", "case_number", "layout": "letter" | "form",
     "blocks": [block, ...]}

Blocks, in reading order:

- ``{"type": "fields", "rows": [[[label, value], ...], ...]}`` — a bordered form table; a row holds
  one or two label/value pairs;
- ``{"type": "opinion", "label", "text", "signer", "date"}`` — an approval box of a form
  (审批意见 with signature and date), rendered as a form row;
- ``{"type": "heading", "text"}`` — a section heading;
- ``{"type": "paragraph", "text", "indent": bool}`` — body text, first line indented two characters;
- ``{"type": "line", "text"}`` — one unindented line (e.g. the party block of a letter);
- ``{"type": "qa", "items": [{"q", "a"}, ...]}`` — questions and answers of a 笔录;
- ``{"type": "table", "columns": [...], "rows": [[...], ...]}`` — a list such as preserved goods;
- ``{"type": "signatures", "items": [[label, value], ...]}`` — signature lines;
- ``{"type": "seal", "agency", "date"}`` — the issuing agency and date, right-aligned (盖章处);
- ``{"type": "note", "text"}`` — small print at the end.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime


def fields(*rows) -> dict:
    """A form table; each row is a (label, value) pair or a list of pairs."""
    out = []
    for row in rows:
        if row and isinstance(row[0], str):
            row = [row]
        out.append([[str(label), "" if value is None else str(value)] for label, value in row])
    return {"type": "fields", "rows": out}


def opinion(label: str, text: str = "", signer: str = "", date: str = "") -> dict:
    return {"type": "opinion", "label": label, "text": text or "", "signer": signer or "", "date": date or ""}


def heading(text: str) -> dict:
    return {"type": "heading", "text": text}


def paragraph(text: str, indent: bool = True) -> dict:
    return {"type": "paragraph", "text": text, "indent": indent}


def line(text: str) -> dict:
    return {"type": "line", "text": text}


def qa(items: list[dict]) -> dict:
    return {"type": "qa", "items": [{"q": i["q"], "a": i["a"]} for i in items]}


def table(columns: list[str], rows: list[list[str]]) -> dict:
    return {"type": "table", "columns": list(columns), "rows": [[str(c) for c in r] for r in rows]}


def signatures(*items) -> dict:
    return {"type": "signatures", "items": [[label, value or ""] for label, value in items]}


def seal(agency: str, date: str) -> dict:
    return {"type": "seal", "agency": agency, "date": date}


def note(text: str) -> dict:
    return {"type": "note", "text": text}


# --- text helpers -------------------------------------------------------------------------------


def cn_date(value) -> str:
    """2026年5月1日 (no zero padding, as documents write dates); empty for no date."""
    if not value:
        return ""
    if isinstance(value, str):
        value = parse_datetime(value) or parse_date(value)
        if value is None:
            return ""
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return f"{value.year}年{value.month}月{value.day}日"
    return f"{value.year}年{value.month}月{value.day}日"


def cn_datetime(value) -> str:
    """2026年5月1日9时30分."""
    if not value:
        return ""
    if isinstance(value, str):
        parsed = parse_datetime(value.replace(" ", "T"))
        if parsed is None:
            return cn_date(value)
        value = parsed
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return f"{value.year}年{value.month}月{value.day}日{value.hour}时{value.minute:02d}分"


_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_UNITS = ["", "拾", "佰", "仟"]
_SECTIONS = ["", "万", "亿", "万亿"]


def _four_digits(n: int) -> str:
    out, zero = "", False
    for pos in range(3, -1, -1):
        d = n // 10**pos % 10
        if d == 0:
            zero = bool(out)
        else:
            if zero:
                out += "零"
                zero = False
            out += _DIGITS[d] + _UNITS[pos]
    return out


def money_capital(amount: Decimal) -> str:
    """Amount in capital figures as financial documents write it: 捌佰元整, 壹万零伍拾元伍角."""
    amount = Decimal(amount).quantize(Decimal("0.01"))
    if amount < 0:
        raise ValueError("negative amount")
    yuan = int(amount)
    fen_total = int((amount - yuan) * 100)
    jiao, fen = divmod(fen_total, 10)
    text = ""
    if yuan:
        sections, n = [], yuan
        while n:
            sections.append(n % 10000)
            n //= 10000
        need_zero = False
        for i in range(len(sections) - 1, -1, -1):
            part = sections[i]
            if part == 0:
                need_zero = bool(text)
                continue
            if text and (need_zero or part < 1000):
                text += "零"
            text += _four_digits(part) + _SECTIONS[i]
            need_zero = False
        text += "元"
    if not jiao and not fen:
        return (text or "零元") + "整"
    if jiao:
        text += _DIGITS[jiao] + "角"
    elif yuan:
        text += "零"
    if fen:
        text += _DIGITS[fen] + "分"
    else:
        text += "整"
    return text


def money(amount) -> str:
    """人民币800.00元（大写：捌佰元整）."""
    amount = Decimal(amount)
    return f"人民币{amount:,.2f}元（大写：{money_capital(amount)}）"


def plain_text(content: dict) -> str:
    """All text of a document, in reading order (for search, tests and the HTML preview)."""
    parts = [content.get("agency", ""), content.get("title", ""), content.get("number", "")]
    for block in content.get("blocks", []):
        kind = block["type"]
        if kind == "fields":
            parts += [f"{label}：{value}" for row in block["rows"] for label, value in row]
        elif kind == "opinion":
            parts += [block["label"], block["text"], block["signer"], block["date"]]
        elif kind == "qa":
            parts += [f"问：{i['q']}\n答：{i['a']}" for i in block["items"]]
        elif kind == "table":
            parts += ["　".join(block["columns"])] + ["　".join(r) for r in block["rows"]]
        elif kind == "signatures":
            parts += [f"{label}：{value}" for label, value in block["items"]]
        elif kind == "seal":
            parts += [block["agency"], block["date"]]
        else:
            parts.append(block["text"])
    return "\n".join(p for p in parts if p)
