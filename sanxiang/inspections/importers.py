"""Import the 检查对象名录库 from Excel, with the registry's importer (all rows or none, one entry)."""

from __future__ import annotations

from typing import IO

from sanxiang.inspections.models import MarketEntity, RiskGrade
from sanxiang.registry import importers as base

ENTITY_COLUMNS = ["名称", "统一社会信用代码", "住所", "类别", "风险等级", "法定代表人", "监管机关"]
ENTITY_FIELD_COLUMNS = {"name": "名称", "uscc": "统一社会信用代码", "address": "住所", "category": "类别",
                        "risk_grade": "风险等级", "legal_representative": "法定代表人", "agency": "监管机关"}
_GRADES = {g: g for g in RiskGrade.values} | {label: value for value, label in RiskGrade.choices} | {
    "低风险": "A", "一般风险": "B", "较高风险": "C", "高风险": "D"}

base.REQUIRED.update({"名称", "统一社会信用代码", "风险等级", "监管机关"})


def _entity_from(record: dict, actor=None) -> MarketEntity:
    for column in ("名称", "统一社会信用代码", "住所", "类别", "风险等级", "监管机关"):
        if not base._text(record.get(column)):
            raise base._RowFailed(column, f"“{column}”为必填项")
    grade = base._text(record.get("风险等级")).upper().replace("类", "") or ""
    grade = _GRADES.get(base._text(record.get("风险等级")), _GRADES.get(grade))
    if grade is None:
        raise base._RowFailed("风险等级", "风险等级须为 A、B、C、D（低风险、一般风险、较高风险、高风险）")
    agency = base._agency(record.get("监管机关"), "监管机关")
    base._check_scope(agency, "监管机关", actor)
    uscc = base._text(record.get("统一社会信用代码")).upper()
    entity = MarketEntity.objects.filter(agency=agency, uscc=uscc).first() or MarketEntity(agency=agency, uscc=uscc)
    entity.name = base._text(record.get("名称"))
    entity.address = base._text(record.get("住所"))
    entity.category = base._text(record.get("类别"))
    entity.risk_grade = grade
    entity.legal_representative = base._text(record.get("法定代表人"))
    entity.is_active = True
    return entity


def import_entities(file: IO[bytes], *, actor) -> list[MarketEntity]:
    """检查对象名录库 import: a file with any bad row imports nothing (row, column, rule)."""
    return base._import(file, actor=actor, columns=ENTITY_COLUMNS, build=_entity_from,
                        field_columns=ENTITY_FIELD_COLUMNS, unique=lambda e: ("uscc", e.agency_id, e.uscc),
                        kind="inspections.import_entities", label="检查对象")


def template_workbook() -> bytes:
    import io

    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "检查对象名录库"
    sheet.append(ENTITY_COLUMNS)
    sheet.append(["某某餐饮管理有限公司", "91410300MA00000000", "某区某路1号", "餐饮服务", "B", "张三", "机关代码或全称"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
