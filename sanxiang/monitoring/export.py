"""Excel (openpyxl) of each dashboard table."""

from __future__ import annotations

from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Font

TABLES = {
    "agency": ("按机关", ["机关", "案件数", "办理中", "罚款金额（元）"]),
    "kind": ("按执法类别", ["执法类别", "案件数"]),
    "state": ("按环节", ["环节", "案件数"]),
    "month": ("按月份（立案）", ["月份", "案件数"]),
    "reviews": ("法制审核意见", ["审核意见", "件数"]),
    "publications": ("公示及时性", ["情况", "件数"]),
    "certificates": ("执法证件到期", ["情况", "人数"]),
    "deadlines": ("期限", ["情况", "案件数"]),
}


def table_rows(figures: dict, table: str) -> list[list]:
    if table == "agency":
        return [[r.label, r.n, r.extra["open"], float(r.extra["fines"])] for r in figures["by_agency"]]
    if table == "deadlines":
        return [["已超期", figures["overdue"]], [f"{figures['due_days']}日内届满", figures["due_soon"]]]
    key = {"kind": "by_kind", "state": "by_state", "month": "by_month"}.get(table, table)
    return [[r.label, r.n] for r in figures[key]]


def workbook(figures: dict, table: str) -> bytes:
    title, header = TABLES[table]
    wb = Workbook()
    ws = wb.active
    ws.title = title[:31]
    ws.append([f"{title}（截至 {figures['on']}）"])
    ws["A1"].font = Font(bold=True)
    ws.append(header)
    for cell in ws[2]:
        cell.font = Font(bold=True)
    for row in table_rows(figures, table):
        ws.append(row)
    ws.column_dimensions["A"].width = 28
    out = BytesIO()
    wb.save(out)
    return out.getvalue()
