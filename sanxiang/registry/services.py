"""Registry services: defaults, and the writes behind the admin, the API and the importers."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

from django.db import transaction

from sanxiang.common.services import record_save
from sanxiang.registry.models import Flow, Parameter
from sanxiang.registry.params import DEFAULTS

FLOW_DIR = Path(__file__).resolve().parent.parent / "cases" / "flows"


@transaction.atomic
def defaults_install(*, actor="system") -> list[str]:
    """Install the shipped flows and default statutory figures that are not there yet."""
    from sanxiang.cases.engine import FlowDefinitionError, validate_definition

    done = []
    for path in sorted(FLOW_DIR.glob("*.json")):
        definition = json.loads(path.read_text(encoding="utf-8"))
        existing = Flow.objects.filter(code=definition["code"]).first()
        if existing is None:
            record_save(Flow(code=definition["code"], name=definition["name"], kind=definition["kind"],
                             definition=definition), actor=actor)
            done.append(f"流程 {definition['name']}")
            continue
        # A flow stored by an earlier release that names rules this engine no longer has cannot
        # run at all: it is replaced by the shipped definition (logged). A flow that still parses
        # is the administrator's and is kept as it is.
        try:
            validate_definition(existing.definition)
        except FlowDefinitionError as exc:
            existing.definition = definition
            record_save(existing, actor=actor, summary=f"更新流程定义 {definition['name']}（原定义无法执行：{exc}）")
            done.append(f"流程 {definition['name']}（已更新）")
    for key, (value, unit, label, source) in DEFAULTS.items():
        if not Parameter.objects.filter(agency__isnull=True, key=key).exists():
            record_save(Parameter(key=key, value=Decimal(value), unit=unit, label=label, source=source), actor=actor)
            done.append(f"参数 {label}")
    return done


# The standard 音像记录事项清单 (指导意见: 查封扣押、强制拆除等直接涉及人身自由、生命健康、重大财产权益的
# 现场执法活动和执法办案场所，要推行全程音像记录；现场检查、抽样取证、听证、留置送达和公告送达等
# 容易引发争议的环节，应当根据实际情况进行音像记录). Step codes refer to the shipped flows.
AV_DEFAULTS = [
    {"name": "现场检查、抽样取证、证据先行登记保存", "flow_code": "penalty_general", "step_code": "investigation",
     "description": "调查取证环节须上传执法记录仪音像记录"},
    {"name": "听证", "flow_code": "penalty_general", "step_code": "hearing", "description": "听证过程全程录音录像"},
    {"name": "留置送达、公告送达", "flow_code": "penalty_general", "step_code": "service",
     "when_field": "service_method", "when_values": ["lien", "public_notice"],
     "description": "留置送达、公告送达过程须音像记录"},
    {"name": "当场处罚（现场执法）", "flow_code": "penalty_simple", "step_code": "on_spot",
     "description": "当场作出处罚决定的现场执法活动须音像记录"},
]


@transaction.atomic
def av_list_install(*, agency, actor="system") -> list:
    """Give an agency the standard audio-video recording list (entries it already has are kept)."""
    from sanxiang.registry.models import AvRequirement

    created = []
    for spec in AV_DEFAULTS:
        if AvRequirement.objects.filter(agency=agency, flow_code=spec["flow_code"], step_code=spec["step_code"],
                                        name=spec["name"]).exists():
            continue
        created.append(record_save(AvRequirement(agency=agency, **spec), actor=actor, agency=agency))
    return created
