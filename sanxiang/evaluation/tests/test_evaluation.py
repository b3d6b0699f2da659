"""案卷评查: a verifiable sample, scoring item by item against the template, rectification the
agency must answer, and the published summary."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone

from sanxiang.accounts.models import Role
from sanxiang.cases.models import CaseEvent
from sanxiang.common.exceptions import NotFound, RoleNotAllowed, TransitionNotAllowed, ValidationFailed
from sanxiang.draws import algorithm
from sanxiang.evaluation import services, standard
from sanxiang.evaluation.models import Grade, RectificationState, RoundState
from sanxiang.ledger.models import Entry
from sanxiang.supervision.models import AccessLog
from sanxiang.testing import UserFactory, build_records_world, force_login_verified, token_client

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def w():
    return build_records_world()


def open_round(w, **kw):
    today = timezone.localdate()
    args = {"actor": w.world.sam, "title": "2026年度行政处罚案卷评查", "year": today.year,
            "agencies": [w.world.agency, w.world.other_agency], "period_start": today - dt.timedelta(days=400),
            "period_end": today, "ratio": "1", "evaluators": [w.world.sam], **kw}
    return services.round_create(**args)


def full_marks(file, override=None):
    scores = {}
    for item in file.round.template.items.all():
        scores[item.pk] = {"triggered": ""} if item.is_veto else {"points": str(item.points)}
    scores.update(override or {})
    return scores


def test_the_sample_is_drawn_verifiably_and_recomputes(w):
    round_ = open_round(w)
    draw = round_.draw
    assert round_.files.count() == 1 and round_.files.get().case == w.case
    assert round_.files.get().evaluator == w.world.sam
    # The commitment is in the ledger before the result; the published draw recomputes.
    assert draw.commit_index < draw.ledger_index
    commit = Entry.objects.get(index=draw.commit_index)
    assert commit.kind == "draw.commit" and draw.commitment.encode() in bytes(commit.body)
    published = draw.published()
    assert algorithm.check(published) == []
    script = ROOT / "scripts" / "recompute_draw.py"
    path = ROOT / "var" / f"evaluation-draw-{draw.pk}.json"
    path.parent.mkdir(exist_ok=True)
    path.write_text(json.dumps(published, ensure_ascii=False), encoding="utf-8")
    ok = subprocess.run([sys.executable, str(script), str(path)], capture_output=True, text=True)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    published["pools"]["targets"][0]["number"] = "篡改"
    path.write_text(json.dumps(published, ensure_ascii=False), encoding="utf-8")
    tampered = subprocess.run([sys.executable, str(script), str(path)], capture_output=True, text=True)
    assert tampered.returncode != 0
    path.unlink()


def test_round_refusals(w):
    with pytest.raises(RoleNotAllowed):
        open_round(w, actor=w.world.erin)
    for ratio in ("0", "1.5", "abc"):
        with pytest.raises(ValidationFailed) as exc:
            open_round(w, ratio=ratio)
        assert exc.value.field == "ratio"
    with pytest.raises(ValidationFailed) as exc:
        open_round(w, evaluators=[w.world.dave])
    assert exc.value.code == "evaluator_role"
    with pytest.raises(ValidationFailed) as exc:
        open_round(w, agencies=[w.world.other_agency])
    assert exc.value.code == "pool_empty"
    with pytest.raises(ValidationFailed) as exc:
        open_round(w, period_start=timezone.localdate(), period_end=timezone.localdate() - dt.timedelta(days=1))
    assert exc.value.field == "period_end"


def test_an_evaluator_who_took_part_in_the_case_avoids_it(w):
    vera = UserFactory(username="vera", role=Role.SUPERVISOR, agency=None, display_name="薇拉")
    CaseEvent.objects.create(case=w.case, action="supervise", action_name="监督检查", to_state=w.case.state,
                             actor=vera, actor_role=Role.SUPERVISOR, at=timezone.now())
    alone = open_round(w, evaluators=[vera])
    # Her only dossier gets nobody: she must avoid it, and the draw says so.
    assert alone.files.count() == 0 and alone.draw.result["unstaffed"] == [f"case:{w.case.pk}"]
    assert alone.draw.result["avoided"] == [{"target": f"case:{w.case.pk}", "inspector": f"user:{vera.pk}",
                                             "reason": "曾参与办理该案件，回避"}]
    both = open_round(w, evaluators=[vera, w.world.sam], title="第二轮")
    assert both.files.get().evaluator == w.world.sam


def test_scoring_item_by_item(w):
    round_ = open_round(w)
    file = round_.files.get()
    items = list(file.round.template.items.order_by("order"))
    first, veto = items[0], next(i for i in items if i.is_veto)
    with pytest.raises(RoleNotAllowed):
        services.file_score(actor=w.world.erin, file=file, scores=full_marks(file), comment="好")
    with pytest.raises(ValidationFailed) as exc:
        services.file_score(actor=w.world.sam, file=file, scores=full_marks(file, {first.pk: {}}), comment="好")
    assert exc.value.field == f"item_{first.pk}" and exc.value.code == "item_unscored"
    with pytest.raises(ValidationFailed) as exc:
        services.file_score(actor=w.world.sam, file=file, scores=full_marks(file, {first.pk: {"points": "7"}}),
                            comment="好")
    assert exc.value.code == "points_range" and "0至6分" in exc.value.message
    with pytest.raises(ValidationFailed) as exc:
        services.file_score(actor=w.world.sam, file=file, scores=full_marks(file, {first.pk: {"points": "4"}}),
                            comment="好")
    assert exc.value.code == "deduction_reason"
    with pytest.raises(ValidationFailed) as exc:
        services.file_score(actor=w.world.sam, file=file, scores=full_marks(file, {veto.pk: {"triggered": "1"}}),
                            comment="好")
    assert exc.value.code == "veto_reason"
    scored = services.file_score(actor=w.world.sam, file=file, comment="主体适格，程序完整",
                                 scores=full_marks(file, {first.pk: {"points": "4", "note": "未附委托书"}}))
    assert scored.score == 98 and scored.grade == Grade.EXCELLENT and not scored.vetoed
    assert Entry.objects.get(index=scored.ledger_index).kind == "evaluation.score"
    assert AccessLog.objects.filter(case=w.case, reason="案卷评查评分").exists()
    with pytest.raises(TransitionNotAllowed, match="不得修改"):
        services.file_score(actor=w.world.sam, file=file, scores=full_marks(file), comment="再评")


def test_a_veto_fails_the_dossier_whatever_its_points(w):
    file = open_round(w).files.get()
    veto = file.round.template.items.filter(is_veto=True).first()
    scored = services.file_score(actor=w.world.sam, file=file, comment="未告知陈述申辩权利",
                                 scores=full_marks(file, {veto.pk: {"triggered": "1", "note": "告知书未送达"}}))
    assert scored.score == 100 and scored.vetoed and scored.grade == Grade.FAIL


def test_rectification_is_answered_by_the_agency_and_reviewed(w):
    file = open_round(w).files.get()
    due = timezone.localdate() + dt.timedelta(days=15)
    with pytest.raises(TransitionNotAllowed, match="评分后"):
        services.rectification_request(actor=w.world.sam, file=file, request="补充委托书", due_on=due)
    services.file_score(actor=w.world.sam, file=file, scores=full_marks(file), comment="合格")
    row = services.rectification_request(actor=w.world.sam, file=file, request="补充委托书", due_on=due)
    with pytest.raises(RoleNotAllowed):
        services.rectification_answer(actor=w.world.alice, rectification=row, answer="已补")
    other_head = UserFactory(username="otherhead", role=Role.AGENCY_HEAD, agency=w.world.other_agency)
    with pytest.raises(NotFound):
        services.rectification_answer(actor=other_head, rectification=row, answer="已补")
    with pytest.raises(ValidationFailed) as exc:
        services.rectification_answer(actor=w.world.erin, rectification=row, answer=" ")
    assert exc.value.field == "answer"
    row = services.rectification_answer(actor=w.world.erin, rectification=row, answer="已补充委托书并归档")
    with pytest.raises(ValidationFailed) as exc:
        services.rectification_review(actor=w.world.sam, rectification=row, accept=False, note="")
    assert exc.value.field == "review_note"
    row = services.rectification_review(actor=w.world.sam, rectification=row, accept=True, note="")
    assert row.state == RectificationState.ACCEPTED


def test_conclude_and_publish(w):
    round_ = open_round(w)
    with pytest.raises(TransitionNotAllowed, match="未评分"):
        services.round_conclude(actor=w.world.sam, round_=round_, summary="通报")
    file = round_.files.get()
    services.file_score(actor=w.world.sam, file=file, scores=full_marks(file), comment="优秀案卷")
    with pytest.raises(ValidationFailed):
        services.round_conclude(actor=w.world.sam, round_=round_, summary="")
    with pytest.raises(TransitionNotAllowed):
        services.round_publish(actor=w.world.sam, round_=round_)
    services.round_conclude(actor=w.world.sam, round_=round_, summary="总体规范，个别案卷缺少委托书。")
    round_ = services.round_publish(actor=w.world.sam, round_=round_)
    assert round_.state == RoundState.PUBLISHED
    page = Client().get(f"/evaluations/{round_.pk}/")
    body = page.content.decode()
    assert page.status_code == 200 and w.world.agency.name in body and "100.0" in body
    assert "张三丰" not in body and w.case.number not in body  # a summary, never the party or the case
    assert round_.title in Client().get("/evaluations/").content.decode()


def test_pages_and_api(w):
    round_ = open_round(w)
    file = round_.files.get()
    client = Client()
    force_login_verified(client, w.world.sam)
    assert round_.title in client.get("/staff/evaluation/").content.decode()
    before = AccessLog.objects.filter(case=w.case).count()
    page = client.get(f"/staff/evaluation/files/{file.pk}/")
    assert page.status_code == 200 and "逐项评分" in page.content.decode()
    assert AccessLog.objects.filter(case=w.case).count() == before + 1  # each look is logged
    refused = client.post(f"/staff/evaluation/files/{file.pk}/", {"comment": "x"})
    assert refused.status_code == 400 and "未评分" in refused.content.decode()
    force_login_verified(client, w.world.erin)
    assert client.get(f"/staff/evaluation/files/{file.pk}/").status_code == 200
    assert "逐项评分" not in client.get(f"/staff/evaluation/files/{file.pk}/").content.decode()
    force_login_verified(client, w.world.alice)
    assert client.get("/staff/evaluation/").status_code == 403
    other_head = UserFactory(username="otherhead2", role=Role.AGENCY_HEAD, agency=w.world.other_agency)
    force_login_verified(client, other_head)
    assert client.get(f"/staff/evaluation/files/{file.pk}/").status_code == 404
    assert client.get(f"/staff/evaluation/{round_.pk}/").status_code == 404
    api = token_client(w.world.sam)
    items = api.get(f"/api/evaluation/files/{file.pk}/").json()["items"]
    assert [i["order"] for i in items] == list(range(1, len(standard.ITEMS) + 1))
    scores = {str(i["id"]): ({"triggered": ""} if i["is_veto"] else {"points": i["points"]}) for i in items}
    answer = api.post(f"/api/evaluation/files/{file.pk}/score/", {"scores": scores, "comment": "规范"}, format="json")
    assert answer.status_code == 200 and answer.json()["grade"] == "excellent"
    again = api.post(f"/api/evaluation/files/{file.pk}/score/", {"scores": scores, "comment": "规范"}, format="json")
    assert again.status_code == 409 and "不得修改" in again.json()["error"]["message"]
