"""Import officers and enforcement items from Excel (.xlsx), the way agencies keep them.

Every row is validated first; a file with any bad row imports nothing and the report names the
row, the column and the rule. A good file is saved in one transaction with one ledger entry that
commits to the file's SHA-256 and to every row written.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import IO

from django.core.exceptions import ValidationError
from django.db import transaction
from openpyxl import load_workbook

from sanxiang.common.exceptions import ImportRejected, RoleNotAllowed
from sanxiang.guidance.lawtext import parse_citation
from sanxiang.ledger.services import ledger_append
from sanxiang.registry.choices import ActionKind, CitationRole, OfficerStatus, StaffType
from sanxiang.registry.models import Agency, EnforcementItem, Flow, Officer

OFFICER_COLUMNS = ["姓名", "所属机关", "人员类别", "执法证号", "执法类别", "执法区域", "有效期起", "有效期止", "状态",
                   "身份证号", "联系电话", "法制审核人员", "法律职业资格证书编号"]
ITEM_COLUMNS = ["事项编码", "事项名称", "执法类别", "实施主体", "设定依据", "处罚依据", "处罚种类", "罚款幅度（公民）",
                "罚款幅度（单位）", "适用流程", "说明"]
REQUIRED = {"姓名", "所属机关", "人员类别", "事项编码", "事项名称", "执法类别", "实施主体", "设定依据"}

# Model field → spreadsheet column, so model validation errors name the column the user sees.
OFFICER_FIELD_COLUMNS = {"name": "姓名", "agency": "所属机关", "staff_type": "人员类别", "certificate_no": "执法证号",
                         "enforcement_kinds": "执法类别", "enforcement_area": "执法区域", "valid_from": "有效期起",
                         "valid_to": "有效期止", "status": "状态", "id_number": "身份证号", "phone": "联系电话",
                         "legal_qualification_no": "法律职业资格证书编号"}
ITEM_FIELD_COLUMNS = {"code": "事项编码", "name": "事项名称", "kind": "执法类别", "agency": "实施主体",
                      "legal_basis": "设定依据", "penalty_basis": "处罚依据", "flow": "适用流程", "description": "说明"}


MAX_IMPORT_BYTES = 20 * 1024 * 1024


@dataclass
class RowError:
    row: int
    column: str
    message: str

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "message": self.message}


class _RowFailed(Exception):
    def __init__(self, column: str, message: str):
        self.column, self.message = column, message


def _label_map(choices) -> dict[str, str]:
    out = {}
    for value, label in choices:
        out[label] = value
        out[value] = value
    return out


_KIND_BY_LABEL = _label_map(ActionKind.choices)
_STAFF_BY_LABEL = _label_map(StaffType.choices) | {"协管": StaffType.AUXILIARY, "协管人员": StaffType.AUXILIARY,
                                                   "参公": StaffType.PUBLIC_INSTITUTION, "事业编制": StaffType.PUBLIC_INSTITUTION}
_STATUS_BY_LABEL = _label_map(OfficerStatus.choices) | {"有效": OfficerStatus.ACTIVE, "": OfficerStatus.ACTIVE}


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _date(value, column: str) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = _text(value).replace("/", "-").replace(".", "-").replace("年", "-").replace("月", "-").rstrip("日")
    try:
        return dt.date.fromisoformat("-".join(p.zfill(2) for p in text.split("-")))
    except ValueError as exc:
        raise _RowFailed(column, f"日期格式无效：“{_text(value)}”，应为 YYYY-MM-DD") from exc


def _agency(value, column: str) -> Agency:
    text = _text(value)
    agency = Agency.objects.filter(code=text).first() or Agency.objects.filter(name=text).first()
    if agency is None:
        raise _RowFailed(column, f"机关“{text}”不存在（填写机关代码或全称）")
    return agency


def _kinds(value, column: str) -> list[str]:
    parts = [p for p in _text(value).replace("，", "、").replace(",", "、").replace(";", "、").split("、") if p]
    bad = [p for p in parts if p not in _KIND_BY_LABEL]
    if bad:
        raise _RowFailed(column, f"执法类别“{'、'.join(bad)}”无效，可选：{'、'.join(ActionKind.labels)}")
    return [_KIND_BY_LABEL[p] for p in parts]


def _citations(value, column: str, role: str) -> list[dict]:
    text = _text(value)
    if not text:
        return []
    cites = parse_citation(text)
    if not cites:
        raise _RowFailed(column, f"无法识别法律依据“{text}”，应写作《法律名称》第X条")
    return [{"role": role, "law": c.law_title.strip("《》"), "article": c.article, "suffix": c.suffix,
             "paragraph": c.paragraph, "item_no": c.item} for c in cites]


def _read_rows(file: IO[bytes], columns: list[str]) -> tuple[list[tuple[int, dict]], list[RowError]]:
    try:
        workbook = load_workbook(file, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises several types for non-xlsx input
        raise ImportRejected("文件不是有效的 Excel（.xlsx）文件", errors=[
            {"row": 0, "column": "", "message": f"无法读取：{exc.__class__.__name__}"}]) from exc
    sheet = workbook.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    header = [_text(h) for h in next(rows, ())]
    missing = [c for c in columns if c in REQUIRED and c not in header]
    if missing:
        raise ImportRejected("表头缺少必需的列", errors=[
            {"row": 1, "column": c, "message": f"缺少列“{c}”"} for c in missing])
    out = []
    for number, values in enumerate(rows, start=2):
        record = {h: v for h, v in zip(header, values, strict=False) if h}
        if all(_text(v) == "" for v in record.values()):
            continue
        out.append((number, record))
    workbook.close()
    return out, []


def _model_errors(exc: ValidationError, mapping: dict[str, str]) -> tuple[str, str]:
    field, errors = next(iter(exc.message_dict.items()))
    return mapping.get(field, field if field != "__all__" else ""), errors[0]


def _check_scope(agency: Agency, column: str, actor) -> None:
    visible = actor.registry_agency_ids() if hasattr(actor, "registry_agency_ids") else None
    if visible is not None and agency.pk not in visible:
        raise _RowFailed(column, f"无权导入其他机关（{agency.name}）的数据")


def _officer_from(record: dict, actor=None) -> Officer:
    for column in ("姓名", "所属机关", "人员类别"):
        if not _text(record.get(column)):
            raise _RowFailed(column, f"“{column}”为必填项")
    staff = _text(record.get("人员类别"))
    if staff not in _STAFF_BY_LABEL:
        raise _RowFailed("人员类别", f"人员类别“{staff}”无效，可选：公务员、参公、事业编制、协管")
    status = _text(record.get("状态"))
    if status not in _STATUS_BY_LABEL:
        raise _RowFailed("状态", f"状态“{status}”无效，可选：有效、暂扣、注销/吊销")
    agency = _agency(record.get("所属机关"), "所属机关")
    _check_scope(agency, "所属机关", actor)
    certificate = _text(record.get("执法证号")) or None
    existing = Officer.objects.filter(certificate_no=certificate).first() if certificate else None
    officer = existing or Officer()
    officer.agency = agency
    officer.name = _text(record.get("姓名"))
    officer.staff_type = _STAFF_BY_LABEL[staff]
    officer.certificate_no = certificate
    officer.enforcement_kinds = _kinds(record.get("执法类别"), "执法类别")
    officer.enforcement_area = _text(record.get("执法区域"))
    officer.valid_from = _date(record.get("有效期起"), "有效期起")
    officer.valid_to = _date(record.get("有效期止"), "有效期止")
    officer.status = _STATUS_BY_LABEL[status]
    officer.id_number = _text(record.get("身份证号")).upper()
    officer.phone = _text(record.get("联系电话"))
    officer.is_legal_reviewer = _text(record.get("法制审核人员")) in {"是", "1", "Y", "y", "TRUE", "True"}
    officer.legal_qualification_no = _text(record.get("法律职业资格证书编号"))
    if officer.staff_type == StaffType.AUXILIARY and certificate:
        raise _RowFailed("执法证号", "协管人员不得持有行政执法证、不得从事执法活动")
    if officer.is_legal_reviewer and not officer.legal_qualification_no:
        raise _RowFailed("法律职业资格证书编号", "法制审核人员须填写法律职业资格证书编号")
    return officer


def _item_from(record: dict, actor=None) -> EnforcementItem:
    for column in ("事项编码", "事项名称", "执法类别", "实施主体", "设定依据"):
        if not _text(record.get(column)):
            raise _RowFailed(column, f"“{column}”为必填项")
    kinds = _kinds(record.get("执法类别"), "执法类别")
    if len(kinds) != 1:
        raise _RowFailed("执法类别", "每个事项只能属于一个执法类别")
    agency = _agency(record.get("实施主体"), "实施主体")
    _check_scope(agency, "实施主体", actor)
    flow_text = _text(record.get("适用流程")) or ("penalty_general" if kinds[0] == ActionKind.PENALTY else "")
    flow = Flow.objects.filter(code=flow_text).first() or Flow.objects.filter(name=flow_text).first()
    if flow is None:
        raise _RowFailed("适用流程", f"流程“{flow_text}”不存在（填写流程代码或名称）")
    code = _text(record.get("事项编码"))
    item = EnforcementItem.objects.filter(agency=agency, code=code).first() or EnforcementItem()
    item.agency, item.code, item.name, item.kind, item.flow = agency, code, _text(record.get("事项名称")), kinds[0], flow
    item.description = _text(record.get("说明"))
    violation = _citations(record.get("设定依据"), "设定依据", CitationRole.VIOLATION)
    penalty = _citations(record.get("处罚依据"), "处罚依据", CitationRole.PENALTY)
    # 处罚种类 and 罚款幅度 belong to the provision that sets the penalty: the last 处罚依据 cited.
    extra = _range_columns(record)
    if extra and not penalty:
        raise _RowFailed("处罚依据", "填写了处罚种类或罚款幅度，须同时填写处罚依据")
    if extra:
        penalty[-1].update(extra)
    item._pending_citations = [_checked_citation(item, c, column) for column, c in
                               [*(("设定依据", c) for c in violation), *(("处罚依据", c) for c in penalty)]]
    return item


def _checked_citation(item, citation: dict, column: str) -> dict:
    """Check one citation against the law database now, so a bad row names its column."""
    from sanxiang.common.exceptions import ValidationFailed
    from sanxiang.registry.services import citation_build

    try:
        citation_build(item=None, **citation)
    except ValidationFailed as exc:
        field = (exc.field or "").rsplit(".", 1)[-1]
        column = {"penalty_kinds": "处罚种类", "citizen_min": "罚款幅度（公民）", "citizen_max": "罚款幅度（公民）",
                  "org_min": "罚款幅度（单位）", "org_max": "罚款幅度（单位）"}.get(field, column)
        raise _RowFailed(column, exc.message) from exc
    return citation


def _range_columns(record: dict) -> dict:
    """处罚种类 (labels, 、-separated) and fixed fine ranges written “100-500” / “100000—1000000”."""
    from sanxiang.cases.choices import PenaltyKind

    out: dict = {}
    kinds_text = _text(record.get("处罚种类"))
    if kinds_text:
        by_label = {str(label): value for value, label in PenaltyKind.choices}
        kinds = []
        for part in filter(None, (p.strip() for p in kinds_text.replace("，", "、").replace(",", "、").split("、"))):
            if part not in by_label and part not in PenaltyKind.values:
                raise _RowFailed("处罚种类", f"未知的处罚种类“{part}”（行政处罚法第九条）")
            kinds.append(by_label.get(part, part))
        out["penalty_kinds"] = kinds
    for column, low, high in (("罚款幅度（公民）", "citizen_min", "citizen_max"),
                              ("罚款幅度（单位）", "org_min", "org_max")):
        text = _text(record.get(column)).replace("元", "").replace(",", "").replace("，", "")
        if not text:
            continue
        parts = [p.strip() for p in text.replace("—", "-").replace("~", "-").replace("至", "-").split("-")]
        try:
            values = [Decimal(p) if p else None for p in parts]
        except InvalidOperation as exc:
            raise _RowFailed(column, f"罚款幅度“{text}”应写作“下限-上限”，如“100000-1000000”") from exc
        if len(values) != 2 or values[1] is None:
            raise _RowFailed(column, f"罚款幅度“{text}”应写作“下限-上限”，如“100000-1000000”")
        out[low], out[high] = values
        out["fine_basis"] = "fixed"
    return out


def _import(file: IO[bytes], *, actor, columns, build: Callable[[dict, object], object], field_columns: dict[str, str],
            unique: Callable[[object], tuple], kind: str, label: str) -> list:
    if getattr(actor, "role", None) not in (None, "admin", "agency_head", "unit_head") \
            and not getattr(actor, "is_superuser", False):
        raise RoleNotAllowed("Excel导入须由管理员、机关负责人或承办机构负责人办理", code="role_not_allowed")
    data = file.read()
    if len(data) > MAX_IMPORT_BYTES:
        raise ImportRejected(f"文件超过{MAX_IMPORT_BYTES // (1024 * 1024)}MB上限", errors=[
            {"row": 0, "column": "", "message": "文件过大"}])
    digest = hashlib.sha256(data).hexdigest()
    rows, _ = _read_rows(io.BytesIO(data), columns)
    if not rows:
        raise ImportRejected("文件中没有数据行", errors=[{"row": 2, "column": "", "message": "没有数据行"}])
    errors: list[RowError] = []
    built = []
    seen: dict[tuple, int] = {}
    for number, record in rows:
        try:
            instance = build(record, actor)
            try:
                instance.full_clean(validate_unique=False)
            except ValidationError as exc:
                column, message = _model_errors(exc, field_columns)
                raise _RowFailed(column, message) from exc
            key = unique(instance)
            if key in seen:
                raise _RowFailed(field_columns.get(key[0], ""), f"与第{seen[key]}行重复")
            seen[key] = number
            built.append(instance)
        except _RowFailed as failed:
            errors.append(RowError(number, failed.column, failed.message))
    if errors:
        raise ImportRejected(f"{label}导入失败：{len(errors)}行有错误，未导入任何数据",
                             errors=[e.as_dict() for e in errors])
    with transaction.atomic():
        for instance in built:
            instance.save()
        citations = _save_citations(built)
        ledger_append(kind=kind, actor=actor, subjects=[*built, *citations], content={"file": digest},
                      summary=f"Excel导入{label}{len(built)}条")
    return built


def _save_citations(built: list) -> list:
    """Items carry their checked citations: replace each item's rows with them (logged with the import)."""
    from sanxiang.registry.services import citation_build, citations_retire

    rows = []
    for instance in built:
        pending = getattr(instance, "_pending_citations", None)
        if pending is None:
            continue
        rows.extend(citations_retire(instance))
        for position, citation in enumerate(pending):
            row = citation_build(item=instance, position=position, **citation)
            row.save()
            rows.append(row)
    return rows


def import_officers(file: IO[bytes], *, actor) -> list[Officer]:
    return _import(file, actor=actor, columns=OFFICER_COLUMNS, build=_officer_from, field_columns=OFFICER_FIELD_COLUMNS,
                   unique=lambda o: ("certificate_no", o.certificate_no or f"none:{id(o)}"),
                   kind="registry.import_officers", label="执法人员")


def import_items(file: IO[bytes], *, actor) -> list[EnforcementItem]:
    return _import(file, actor=actor, columns=ITEM_COLUMNS, build=_item_from, field_columns=ITEM_FIELD_COLUMNS,
                   unique=lambda i: ("code", i.agency_id, i.code), kind="registry.import_items", label="执法事项")


def template_workbook(kind: str) -> bytes:
    """A blank workbook with the expected header row (and one example row), for download."""
    from openpyxl import Workbook

    columns = OFFICER_COLUMNS if kind == "officers" else ITEM_COLUMNS
    example = {
        "officers": ["张三", "机关代码或全称", "公务员", "豫A0000001", "行政处罚、行政检查", "本市全域", "2025-01-01",
                     "2027-12-31", "有效", "", "", "否", ""],
        "items": ["CF-0001", "擅自倾倒建筑垃圾", "行政处罚", "机关代码或全称", "《城市市容和环境卫生管理条例》第十六条",
                  "《城市市容和环境卫生管理条例》第三十四条", "警告、罚款", "", "", "penalty_general", ""],
    }[kind]
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "执法人员" if kind == "officers" else "执法事项"
    sheet.append(columns)
    sheet.append(example)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
