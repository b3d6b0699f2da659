"""Licensing services: an application filed online or at the counter, registered for handling (a
case on the licensing flow), materials added (补正); fee lists and guides are saved through
common.services.record_save (logged). Every write is logged in its transaction."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from sanxiang.accounts.models import Role
from sanxiang.cases.parties import validate_party_fields
from sanxiang.common.exceptions import NotFound, RoleNotAllowed, TransitionNotAllowed, ValidationFailed
from sanxiang.common.models import next_number
from sanxiang.common.tracking import new_query_code, normalise_query_code, query_code_hash, query_code_matches
from sanxiang.ledger.services import ledger_append
from sanxiang.licensing.models import Application, ApplicationMaterial, Channel, ServiceGuide
from sanxiang.records.services import _hashes_of, blob_put, check_size, file_store

PUBLIC_ACTOR = "public:online-application"
PUBLIC_SUPPLEMENT_ACTOR = "public:online-supplement"
ART32 = "行政许可法第三十二条"
MAX_MATERIALS = 20


def _item_open(item) -> ServiceGuide:
    if item.kind != "licensing" or not item.is_active:
        raise NotFound("许可事项不存在或已停用")
    guide = ServiceGuide.objects.filter(item=item).first()
    if guide is None:
        raise TransitionNotAllowed("该许可事项尚未公布服务指南，暂不能申请（《行政许可法》第三十条）", code="guide_missing",
                                   rule="行政许可法第三十条")
    return guide


def _store_materials(application: Application, guide: ServiceGuide, files: dict, *, supplement: bool) -> list:
    """files: material key -> uploaded file. Unknown keys are refused (the guide lists the materials)."""
    known = {m["key"]: m["label"] for m in guide.materials}
    if len(files) > MAX_MATERIALS:
        raise ValidationFailed(f"一次最多上传{MAX_MATERIALS}份材料", field="materials", code="too_many_files")
    rows = []
    for key, uploaded in files.items():
        if key not in known:
            raise ValidationFailed(f"“{key}”不在服务指南的申请材料目录内", field=f"materials.{key}", code="material_unknown")
        check_size(uploaded.size, field=f"materials.{key}")
        sha256, sm3 = _hashes_of(uploaded)
        blob_put(uploaded, sha256)
        stored, new = file_store(sha256=sha256, size=uploaded.size, sm3=sm3)
        name = (getattr(uploaded, "name", "") or key)[-200:]
        rows.append(ApplicationMaterial.objects.create(application=application, key=key, label=known[key], file=stored,
                                                       original_name=name, supplement=supplement))
        if new:
            rows.append(stored)
    return rows


def _applicant(data: dict) -> dict:
    if not isinstance(data, dict):
        raise ValidationFailed("申请人信息格式错误", field="applicant.name", code="applicant_format")
    clean = validate_party_fields(data, "applicant")
    return {k: clean.get(k, "") for k in ("kind", "name", "id_number", "uscc", "legal_representative", "address",
                                          "phone")}


@transaction.atomic
def application_submit(*, item, applicant: dict, request: str, files: dict, actor=None,
                       received_on: dt.date | None = None, query_code: str | None = None) -> tuple[Application, str]:
    """提出申请: online (actor None; returns the query code, shown once) or at the counter (an officer).

    `query_code` is for the demo only (a documented code the README can name); otherwise a random one."""
    guide = _item_open(item)
    channel = Channel.ONLINE if actor is None else Channel.COUNTER
    if actor is not None:
        if actor.role != Role.OFFICER:
            raise RoleNotAllowed("窗口申请须由执法人员登记", code="role_not_allowed")
        visible = actor.visible_agency_ids()
        if visible is not None and item.agency_id not in visible:
            raise NotFound("许可事项不存在或无权办理")
    elif not guide.online:
        raise TransitionNotAllowed("该许可事项暂不支持网上申请，请到窗口申请", code="online_not_available")
    party = _applicant(applicant)
    if not (request or "").strip():
        raise ValidationFailed("请填写申请事项及内容（《行政许可法》第二十九条）", field="request", code="request_required",
                               rule="行政许可法第二十九条")
    received_on = received_on or timezone.localdate()
    if received_on > timezone.localdate():
        raise ValidationFailed("收到申请日期不能晚于今天", field="received_on", code="date_in_future")
    agency = item.agency
    year = received_on.year
    number = f"XK{agency.code.upper().replace('-', '')}{year}{next_number(f'application:{agency.code}:{year}'):05d}"
    code = query_code or new_query_code()
    application = Application.objects.create(
        agency=agency, item=item, number=number, channel=channel, applicant=party, applicant_name=party["name"],
        request=request.strip()[:4000], received_on=received_on, query_code_hash=query_code_hash(code),
        submitted_by=actor)
    rows = _store_materials(application, guide, files or {}, supplement=False)
    ledger_append(kind="licensing.apply", actor=actor or PUBLIC_ACTOR, agency=agency, subjects=[application, *rows],
                  files=[m.file.sha256 for m in rows if isinstance(m, ApplicationMaterial)],
                  summary=f"{channel.label} {number}：{item.name}")
    return application, code


@transaction.atomic
def application_register(*, application: Application, actor, officers: list):
    """登记办理: open the case on the item's flow, the applicant as its party, dated the day the
    application was received (the 5-working-day 补正 period runs from it)."""
    from sanxiang.cases.services import case_open

    application = Application.objects.select_for_update().get(pk=application.pk)
    if application.case_id is not None:
        raise TransitionNotAllowed(f"申请{application.number}已登记办理（{application.case.number}）", code="already_registered")
    case = case_open(actor=actor, item=application.item, officers=officers, parties=[application.applicant],
                     title=f"{application.applicant_name}申请{application.item.name}"[:200],
                     source=application.get_channel_display(), opened_on=application.received_on)
    application.case = case
    application.save(update_fields=["case"])
    ledger_append(kind="licensing.register", actor=actor, agency=application.agency, subjects=[application],
                  summary=f"申请{application.number}登记办理：{case.number}")
    return case


@transaction.atomic
def materials_add(*, application: Application, actor, files: dict) -> list:
    """补正材料: the officer adds what the applicant brought (scanned) while the case waits for it."""
    application = Application.objects.select_for_update().get(pk=application.pk)
    case = application.case
    if actor.role != Role.OFFICER:
        raise RoleNotAllowed("补正材料须由执法人员登记", code="role_not_allowed")
    if case is None or case.state not in ("intake", "supplement"):
        raise TransitionNotAllowed("只有在申请材料审查或补正环节才能补充申请材料", code="materials_closed")
    officer = getattr(actor, "officer", None)
    if officer is None or not case.officers.filter(pk=officer.pk).exists():
        raise RoleNotAllowed("补正材料须由本案承办人员登记", code="not_assigned")
    return _supplement_store(application, files, actor=actor, summary="补充材料")


def _supplement_store(application: Application, files: dict, *, actor, summary: str) -> list:
    """Store 补正 materials (the online application's validation and storage) and log them."""
    rows = _store_materials(application, _item_open(application.item), files, supplement=True)
    if not rows:
        raise ValidationFailed("请选择要上传的材料", field="materials", code="materials_required")
    count = len([r for r in rows if isinstance(r, ApplicationMaterial)])
    ledger_append(kind="licensing.materials", actor=actor, agency=application.agency, subjects=[application, *rows],
                  files=[m.file.sha256 for m in rows if isinstance(m, ApplicationMaterial)],
                  summary=f"申请{application.number}{summary}{count}份")
    return rows


def application_by_code(number: str, code: str) -> Application:
    """The application an applicant names by number and query code. A wrong code and an unknown
    number get the same answer, so the form tells a guesser nothing."""
    application = (Application.objects.select_related("case", "item", "agency")
                   .filter(number=(number or "").strip()).first())
    if application is None or not query_code_matches(normalise_query_code(code), application.query_code_hash):
        raise ValidationFailed("申请编号或查询码不正确（查询码在提交申请时显示一次）", field="query_code",
                               code="query_code_wrong")
    return application


def requested_materials(application: Application) -> list[dict]:
    """The materials the 补正材料通知书 listed ({"key", "label", "done"}), in the guide's order."""
    case = application.case
    asked = set((case.data or {}).get("missing_materials") or []) if case is not None else set()
    guide = ServiceGuide.objects.filter(item=application.item).first()
    have = application.material_keys()
    return [{"key": m["key"], "label": m["label"], "done": m["key"] in have}
            for m in (guide.materials if guide else []) if m["key"] in asked]


def supplement_application(number: str, code: str) -> Application:
    """The application, when the applicant may supplement it online: its case waits for 补正."""
    application = application_by_code(number, code)
    case = application.case
    if case is None or case.state != "supplement":
        raise TransitionNotAllowed("该申请当前不在补正环节（未收到补正材料通知书，或补正已登记），无须在线补正",
                                   code="not_in_supplement", rule=ART32)
    return application


@transaction.atomic
def materials_supplement_online(*, number: str, code: str, files: dict) -> tuple[Application, list]:
    """网上补正: the applicant (number + query code, no login) uploads the materials the 补正材料通知书
    listed while the case waits for them; the officer then records the 补正 (登记补正材料) and the
    examination for 受理 resumes. Only listed materials are taken."""
    application = supplement_application(number, code)
    # Only the application's row is locked (of=self): PostgreSQL refuses FOR UPDATE on the nullable
    # side of the LEFT JOIN to the case, and locking the joined rows would serialise unrelated writes.
    application = Application.objects.select_for_update(of=("self",)).select_related("case", "item").get(pk=application.pk)
    asked = {m["key"]: m for m in requested_materials(application)}
    for key in files:
        if key not in asked:
            raise ValidationFailed(f"“{key}”不在补正材料通知书所列需补正的材料内（《行政许可法》第三十二条）",
                                   field=f"materials.{key}", code="material_not_requested", rule=ART32)
    rows = _supplement_store(application, files, actor=PUBLIC_SUPPLEMENT_ACTOR, summary="网上补正材料")
    return application, rows
