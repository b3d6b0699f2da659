"""Test support: an inspection world on top of sanxiang.testing.World (services throughout)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from sanxiang.common.idnumbers import make_uscc
from sanxiang.common.services import record_save
from sanxiang.inspections import services
from sanxiang.inspections.models import CheckItem, MarketEntity, Plan
from sanxiang.registry.models import EnforcementItem, Flow

GRADES = ["A", "A", "B", "B", "C", "D"]


@dataclass
class InspectionWorld:
    world: object
    item: EnforcementItem
    check_item: CheckItem
    entities: list[MarketEntity]
    plan: Plan


def entity_uscc(n: int) -> str:
    return make_uscc(f"91410300MA{n:07d}")


def inspection_item(agency, code: str = "JC-001") -> EnforcementItem:
    from sanxiang.registry.services import item_citations_set

    item = record_save(EnforcementItem(agency=agency, code=code, name="市容环境卫生监督检查", kind="inspection",
                                       flow=Flow.objects.get(code="inspection_general")), actor="factory")
    item_citations_set(item=item, citations=[{"role": "violation", "law": "城市市容和环境卫生管理条例",
                                              "article": 16}], actor="factory")
    return item


def build_inspection_world(world, *, entities: int = 6) -> InspectionWorld:
    item = inspection_item(world.agency)
    check_item = services.check_item_create(
        actor=world.erin, agency=world.agency, item=item, name="市容环境卫生责任落实情况检查",
        basis="《城市市容和环境卫生管理条例》第十六条", targets="沿街商户", content="门前三包、垃圾收运",
        ratio="A类50%、其他全部", method="onsite", frequency="每年不少于1次")
    rows = []
    for n in range(entities):
        rows.append(services.entity_add(actor=world.erin, agency=world.agency, name=f"测试商户{n + 1}有限公司",
                                        uscc=entity_uscc(n + 1), address=f"测试市西工区中州路{n + 1}号",
                                        category="餐饮服务", risk_grade=GRADES[n % len(GRADES)],
                                        legal_representative=f"负责人{n + 1}"))
    today = timezone.localdate()
    plan = services.plan_create(actor=world.erin, check_item=check_item, title=f"{today.year}年度市容环境卫生双随机抽查",
                                period_start=today - dt.timedelta(days=10), period_end=today + dt.timedelta(days=80),
                                ratios={"A": "0.5", "B": "1", "C": "1", "D": "1"})
    return InspectionWorld(world, item, check_item, rows, plan)


def inspection_world_for(records_world):
    """The access matrix's inspection objects, built once per RecordsWorld."""
    cached = getattr(records_world, "_inspection", None)
    if cached is None:
        iw = build_inspection_world(records_world.world)
        draw = services.plan_draw(actor=records_world.world.erin, plan=iw.plan)
        cached = records_world._inspection = (iw, draw)
    return cached


SCOPED_MODELS = {"draws.draw", "inspections.checkitem", "inspections.marketentity", "inspections.avoidance",
                 "inspections.plan", "inspections.task", "inspections.referral"}


def inspection_rows_for(records_world):
    """One row of every scoped model of the inspection apps, in the records world's agency: the
    draw, a task walked to 立案查处 (a Referral) and an avoidance declaration."""
    from sanxiang.inspections import walkthrough

    iw, draw = inspection_world_for(records_world)
    w = records_world.world
    row = next(t for t in draw.result["targets"] if w.alice_officer.certificate_no in t["inspectors"])
    case = services.task_open_from_draw(actor=w.alice, plan=iw.plan, uscc=row["id"])
    case = walkthrough.onsite(walkthrough.start(case, w.alice), w.alice)
    walkthrough.conclude(case, w.alice, "violation", penalty_item=w.item)
    other = next(e for e in iw.entities if e.uscc != row["id"])
    services.avoidance_declare(actor=w.carol, officer=w.bob_officer, entity=other, reason="亲属关系")
    return iw, draw
