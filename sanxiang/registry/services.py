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
    done = []
    for path in sorted(FLOW_DIR.glob("*.json")):
        definition = json.loads(path.read_text(encoding="utf-8"))
        if not Flow.objects.filter(code=definition["code"]).exists():
            record_save(Flow(code=definition["code"], name=definition["name"], kind=definition["kind"],
                             definition=definition), actor=actor)
            done.append(f"流程 {definition['name']}")
    for key, (value, unit, label, source) in DEFAULTS.items():
        if not Parameter.objects.filter(agency__isnull=True, key=key).exists():
            record_save(Parameter(key=key, value=Decimal(value), unit=unit, label=label, source=source), actor=actor)
            done.append(f"参数 {label}")
    return done
