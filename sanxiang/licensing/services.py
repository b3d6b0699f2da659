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
from sanxiang.common.tracking import new_query_code, query_code_hash
from sanxiang.ledger.services import ledger_append
from sanxiang.licensing.models import Application, ApplicationMaterial, Channel, ServiceGuide
from sanxiang.records.services import _hashes_of, blob_put, check_size, file_store

PUBLIC_ACTOR = "public:online-application"
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
    rows = _store_materials(application, _item_open(application.item), files, supplement=True)
    if not rows:
        raise ValidationFailed("请选择要上传的材料", field="materials", code="materials_required")
    ledger_append(kind="licensing.materials", actor=actor, agency=application.agency, subjects=[application, *rows],
                  files=[m.file.sha256 for m in rows if isinstance(m, ApplicationMaterial)],
                  summary=f"申请{application.number}补充材料{len([r for r in rows if isinstance(r, ApplicationMaterial)])}份")
    return rows
