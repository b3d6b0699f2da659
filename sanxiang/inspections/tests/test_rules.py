"""Each rule of 行政检查与双随机 refused when broken (and only then)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.utils import timezone
from openpyxl import Workbook

from sanxiang.accounts.models import Role
from sanxiang.common.exceptions import (
    ImportRejected,
    OfficerNotQualified,
    RoleNotAllowed,
    TransitionNotAllowed,
    ValidationFailed,
)
from sanxiang.draws.models import Draw
from sanxiang.inspections import services, walkthrough
from sanxiang.inspections.importers import ENTITY_COLUMNS, import_entities
from sanxiang.inspections.models import MarketEntity
from sanxiang.inspections.testing import build_inspection_world, entity_uscc
from sanxiang.testing import OfficerFactory, build_world, officer_user


@pytest.fixture
def iw(db, settings, tmp_path):
    settings.EVIDENCE_UPLOAD_DIR = str(tmp_path / "uploads")
    return build_inspection_world(build_world())


def test_one_officer_alone_cannot_inspect(iw):
    w = iw.world
    with pytest.raises(OfficerNotQualified) as exc:
        services.task_open_ad_hoc(actor=w.alice, check_item=iw.check_item, entity=iw.entities[0],
                                  officers=[w.alice_officer])
    assert exc.value.code == "too_few_officers" and "第四十二条" in exc.value.message


def test_an_officer_without_the_inspection_certificate_cannot_inspect_nor_be_drawn(iw):
    w = iw.world
    _, penalty_only = officer_user(w.agency, Role.OFFICER, "pat", "帕特", enforcement_kinds=["penalty"])
    with pytest.raises(OfficerNotQualified) as exc:
        services.task_open_ad_hoc(actor=w.alice, check_item=iw.check_item, entity=iw.entities[0],
                                  officers=[w.alice_officer, penalty_only])
    assert exc.value.code == "certificate_invalid" and "行政检查" in exc.value.message
    pool = services.inspector_pool(w.agency, timezone.localdate())
    assert penalty_only not in pool and w.alice_officer in pool
    assert w.dave_officer not in pool  # the legal reviewer is no inspector
    no_account = OfficerFactory(agency=w.agency, name="无账号人员")
    assert no_account not in services.inspector_pool(w.agency, timezone.localdate())


def test_an_officer_is_never_drawn_onto_a_target_he_must_avoid(iw):
    w = iw.world
    officer_user(w.agency, Role.OFFICER, "charlie", "查理")  # a third inspector, so the target can still be staffed
    target = iw.entities[5]  # grade D: always drawn (ratio 1)
    services.avoidance_declare(actor=w.carol, officer=w.alice_officer, entity=target, reason="其配偶为该公司股东")
    draw = services.plan_draw(actor=w.erin, plan=iw.plan)
    row = next(t for t in draw.result["targets"] if t["id"] == target.uscc)
    assert w.alice_officer.certificate_no not in row["inspectors"] and len(row["inspectors"]) == 2
    assert {"inspector": w.alice_officer.certificate_no, "target": target.uscc,
            "reason": "回避申报：其配偶为该公司股东"} in draw.parameters["exclusions"]
    # Assigned by hand instead: refused, at the task and at every step of the flow.
    with pytest.raises(OfficerNotQualified) as exc:
        services.task_open_ad_hoc(actor=w.alice, check_item=iw.check_item, entity=target,
                                  officers=[w.alice_officer, w.bob_officer])
    assert exc.value.code == "officer_must_avoid" and "第四十三条" in exc.value.message


def test_avoidance_declared_after_the_task_stops_the_flow(iw):
    w = iw.world
    case = services.task_open_ad_hoc(actor=w.alice, check_item=iw.check_item, entity=iw.entities[0],
                                     officers=[w.alice_officer, w.bob_officer])
    services.avoidance_declare(actor=w.bob, officer=w.bob_officer, entity=iw.entities[0], reason="近亲属任该公司负责人")
    with pytest.raises(OfficerNotQualified) as exc:
        walkthrough.start(case, w.alice)
    assert exc.value.code == "officer_must_avoid"


def test_the_same_officer_is_not_drawn_onto_the_same_target_twice_running(iw):
    w = iw.world
    officer_user(w.agency, Role.OFFICER, "charlie", "查理")
    officer_user(w.agency, Role.OFFICER, "daisy", "黛西")
    first = services.plan_draw(actor=w.erin, plan=iw.plan)
    today = timezone.localdate()
    second_plan = services.plan_create(actor=w.erin, check_item=iw.check_item, title="下一轮抽查",
                                       period_start=today + dt.timedelta(days=1), period_end=today + dt.timedelta(days=60),
                                       ratios={"A": "1", "B": "1", "C": "1", "D": "1"})
    second = services.plan_draw(actor=w.erin, plan=second_plan)
    before = {(i, t["id"]) for t in first.result["targets"] for i in t["inspectors"]}
    after = {(i, t["id"]) for t in second.result["targets"] for i in t["inspectors"]}
    assert before and not before & after
    assert all("上一次抽查" in e["reason"] for e in second.parameters["exclusions"])


def test_a_redraw_needs_a_reason_and_the_draw_is_never_edited(iw):
    w = iw.world
    draw = services.plan_draw(actor=w.erin, plan=iw.plan)
    with pytest.raises(TransitionNotAllowed) as exc:
        services.plan_draw(actor=w.erin, plan=iw.plan)
    assert exc.value.code == "already_drawn"
    with pytest.raises(ValidationFailed) as exc:
        services.plan_draw(actor=w.erin, plan=iw.plan, redraw_of=draw, reason="")
    assert exc.value.code == "redraw_reason_required"
    draw.parameters = {**draw.parameters, "team_size": 1}
    with pytest.raises(TransitionNotAllowed) as exc:
        draw.save()
    assert exc.value.code == "draw_immutable"
    redraw = services.plan_draw(actor=w.erin, plan=iw.plan, redraw_of=Draw.objects.get(pk=draw.pk),
                                reason="名录库补录两户后重新抽取")
    assert redraw.reason == "名录库补录两户后重新抽取"
    services.task_open_from_draw(actor=w.alice, plan=iw.plan, uscc=redraw.result["targets"][0]["id"])
    with pytest.raises(TransitionNotAllowed) as exc:
        services.plan_draw(actor=w.erin, plan=iw.plan, redraw_of=redraw, reason="再抽")
    assert exc.value.code == "redraw_after_tasks"


def test_only_heads_organise_the_draw_and_only_drawn_officers_take_the_task(iw):
    w = iw.world
    with pytest.raises(RoleNotAllowed):
        services.plan_draw(actor=w.alice, plan=iw.plan)
    draw = services.plan_draw(actor=w.carol, plan=iw.plan)
    _, other = officer_user(w.agency, Role.OFFICER, "quinn", "奎因")
    with pytest.raises(ValidationFailed) as exc:
        services.task_open_from_draw(actor=other.user, plan=iw.plan, uscc=draw.result["targets"][0]["id"])
    assert exc.value.code == "actor_not_assigned"
    with pytest.raises(ValidationFailed) as exc:
        services.task_open_from_draw(actor=w.alice, plan=iw.plan, uscc=entity_uscc(99))
    assert exc.value.code == "not_drawn_target"


def test_recheck_waits_for_the_deadline_unless_reported_early(iw):
    w = iw.world
    case = services.task_open_ad_hoc(actor=w.alice, check_item=iw.check_item, entity=iw.entities[0],
                                     officers=[w.alice_officer, w.bob_officer])
    case = walkthrough.onsite(walkthrough.start(case, w.alice), w.alice, signature="refused")
    case = walkthrough.conclude(case, w.alice, "rectify", deadline=timezone.localdate() + dt.timedelta(days=10))
    with pytest.raises(ValidationFailed) as exc:
        walkthrough.recheck(case, w.alice, rectified=True)
    assert exc.value.code == "recheck_before_deadline"
    case = walkthrough.recheck(case, w.alice, rectified=True, early=True)
    assert case.state == "closed"


def _workbook(rows) -> io.BytesIO:
    book = Workbook()
    book.active.append(ENTITY_COLUMNS)
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    return buffer


def test_target_pool_import_all_or_nothing(iw):
    w = iw.world
    good = [[f"导入商户{n}", entity_uscc(50 + n), "中州路", "零售", "C类（较高风险）", "张某", w.agency.code] for n in range(3)]
    bad = [*good, ["坏行", "91410300MA0000000X", "中州路", "零售", "E", "", w.agency.code]]
    with pytest.raises(ImportRejected) as exc:
        import_entities(_workbook(bad), actor=w.erin)
    columns = {e["column"] for e in exc.value.errors}
    assert columns & {"统一社会信用代码", "风险等级"} and exc.value.errors[0]["row"] == 5
    assert not MarketEntity.objects.filter(name__startswith="导入商户").exists()
    assert len(import_entities(_workbook(good), actor=w.erin)) == 3
    assert MarketEntity.objects.get(uscc=entity_uscc(50)).risk_grade == "C"
    with pytest.raises(RoleNotAllowed):
        import_entities(_workbook(good), actor=w.alice)
