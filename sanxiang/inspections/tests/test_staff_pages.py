"""Staff pages of 双随机抽查: a head makes a plan, commits and draws, redraws with a reason; an
officer declares 回避 and is left out of that target in the next draw."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from sanxiang.accounts.models import Role
from sanxiang.draws import selectors as draw_selectors
from sanxiang.inspections.models import Avoidance, Plan
from sanxiang.inspections.testing import build_inspection_world
from sanxiang.ledger.models import Entry
from sanxiang.ledger.verification import verify_all
from sanxiang.testing import build_world, officer_user


@pytest.fixture
def iw(db, settings, tmp_path):
    settings.EVIDENCE_UPLOAD_DIR = str(tmp_path / "uploads")
    return build_inspection_world(build_world())


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _plan_form(iw, **overrides) -> dict:
    today = timezone.localdate()
    return {"check_item": str(iw.check_item.pk), "title": "下半年双随机抽查", "period_start": today.isoformat(),
            "period_end": (today + dt.timedelta(days=60)).isoformat(), "ratio_A": "0.5", "ratio_B": "1",
            "ratio_C": "", "ratio_D": "1", "team_size": "2", **overrides}


def test_a_head_creates_a_plan_from_the_check_list(iw):
    head = _client(iw.world.carol)
    form = head.get("/staff/inspections/plans/new/").content.decode()
    assert iw.check_item.name in form
    answer = head.post("/staff/inspections/plans/new/", _plan_form(iw))
    plan = Plan.objects.get(title="下半年双随机抽查")
    assert answer.status_code == 302 and answer["Location"] == f"/staff/inspections/plans/{plan.pk}/"
    assert plan.ratios == {"A": "0.5", "B": "1", "D": "1"} and plan.team_size == 2
    assert Entry.objects.filter(kind="inspections.plan", subject__contains=f"inspections.plan:{plan.pk}").exists()


def test_a_bad_plan_is_refused_next_to_the_field_and_keeps_the_input(iw):
    head = _client(iw.world.carol)
    answer = head.post("/staff/inspections/plans/new/", _plan_form(iw, ratio_B="1.5", title="保留的名称"))
    page = answer.content.decode()
    assert answer.status_code == 400
    assert 'id="ratio_A-error"' in page and "B类的抽查比例“1.5”须为 0 至 1 之间的小数" in page
    assert 'value="保留的名称"' in page and 'value="1.5"' in page
    short = head.post("/staff/inspections/plans/new/", _plan_form(iw, team_size="1"))
    assert short.status_code == 400 and 'id="team_size-error"' in short.content.decode()
    assert "第四十二条" in short.content.decode()
    late = head.post("/staff/inspections/plans/new/", _plan_form(iw, period_end="2000-01-01"))
    assert late.status_code == 400 and 'id="period_end-error"' in late.content.decode()
    assert not Plan.objects.filter(title__in=["保留的名称", "下半年双随机抽查"]).exists()


def test_an_officer_cannot_create_a_plan(iw):
    answer = _client(iw.world.alice).post("/staff/inspections/plans/new/", _plan_form(iw))
    assert answer.status_code == 403 and "“制定抽查计划”须由" in answer.content.decode()
    assert not Plan.objects.filter(title="下半年双随机抽查").exists()


def test_the_plan_page_shows_the_pools_then_commits_draws_and_shows_the_result(iw):
    head = _client(iw.world.erin)
    url = f"/staff/inspections/plans/{iw.plan.pk}/"
    before = head.get(url).content.decode()
    assert "检查对象 6户" in before and "记录种子承诺" in before
    assert "抽取库“targets”哈希" in before
    committed = head.post(f"{url}commit/")
    assert committed.status_code == 302 and committed["Location"] == url
    held = draw_selectors.waiting_commitment(iw.plan.draw_subject)
    assert Entry.objects.filter(kind="draw.commit", index=held.commit_index).exists()
    assert draw_selectors.current_draw(iw.plan.draw_subject) is None  # nothing drawn yet
    waiting = head.get(url).content.decode()
    assert held.commitment in waiting and held.seed not in waiting  # the seed stays secret until the draw
    assert "随机抽取（公开种子与结果）" in waiting
    again = head.post(f"{url}commit/")
    assert again.status_code == 409 and "不得另行承诺以挑选种子" in again.content.decode()
    answer = head.post(f"{url}reveal/")
    assert answer.status_code == 302 and answer["Location"] == url
    draw = draw_selectors.current_draw(iw.plan.draw_subject)
    assert draw.commitment == held.commitment and draw.commit_index == held.commit_index
    assert draw.commit_index < draw.ledger_index and draw_selectors.waiting_commitment(iw.plan.draw_subject) is None
    page = head.get(url).content.decode()
    assert draw.commitment in page and draw.seed in page and f"日志第{draw.commit_index}号" in page
    first = draw.result["targets"][0]
    assert first["id"] in page and first["inspectors"][0] in page
    assert draw.pool_hashes["targets"] in page
    assert head.post(f"{url}reveal/").status_code == 409  # no commitment waiting
    assert verify_all().ok  # the held commitment, used, is on record as it is


def test_the_draw_uses_the_pools_as_committed(iw):
    head = _client(iw.world.erin)
    url = f"/staff/inspections/plans/{iw.plan.pk}/"
    head.post(f"{url}commit/")
    held = draw_selectors.waiting_commitment(iw.plan.draw_subject)
    iw.entities[0].__class__.objects.filter(pk=iw.entities[0].pk).update(is_active=False)  # the pool changes
    head.post(f"{url}reveal/")
    draw = draw_selectors.current_draw(iw.plan.draw_subject)
    assert draw.pools == held.pools and draw.pool_hashes == held.pool_hashes


def test_a_redraw_without_a_reason_is_refused_with_the_message_and_with_one_it_is_a_new_draw(iw):
    w = iw.world
    head = _client(w.erin)
    url = f"/staff/inspections/plans/{iw.plan.pk}/"
    head.post(f"{url}commit/")
    head.post(f"{url}reveal/")
    first = draw_selectors.current_draw(iw.plan.draw_subject)
    refused = head.post(f"{url}commit/", {"redraw_of": first.pk, "reason": "  "})
    page = refused.content.decode()
    assert refused.status_code == 400 and 'id="reason-error"' in page and "重新抽取须说明理由" in page
    assert draw_selectors.waiting_commitment(iw.plan.draw_subject) is None
    head.post(f"{url}commit/", {"redraw_of": first.pk, "reason": "名录库漏录两户，补录后重抽"})
    # While the redraw waits, no task is opened from the draw it will replace.
    mine = next(t for t in first.result["targets"] if w.alice_officer.certificate_no in t["inspectors"])
    blocked = _client(w.alice).post(f"{url}task/", {"uscc": mine["id"]}, follow=True)
    assert "须待重新抽取完成后再生成检查任务" in blocked.content.decode()
    head.post(f"{url}reveal/")
    second = draw_selectors.current_draw(iw.plan.draw_subject)
    assert second.pk != first.pk and second.redraw_of == first and second.reason == "名录库漏录两户，补录后重抽"
    assert "名录库漏录两户" in head.get(url).content.decode()


def test_only_heads_commit_and_draw(iw):
    url = f"/staff/inspections/plans/{iw.plan.pk}/"
    refused = _client(iw.world.alice).post(f"{url}commit/", follow=True)
    assert "“组织随机抽取”须由" in refused.content.decode() and "承办机构负责人" in refused.content.decode()
    assert draw_selectors.waiting_commitment(iw.plan.draw_subject) is None


def test_a_drawn_officer_opens_the_task_from_the_plan_page(iw):
    w = iw.world
    _client(w.erin).post(f"/staff/inspections/plans/{iw.plan.pk}/draw/")
    draw = draw_selectors.current_draw(iw.plan.draw_subject)
    mine = next(t for t in draw.result["targets"] if w.alice_officer.certificate_no in t["inspectors"])
    officer = _client(w.alice)
    page = officer.get(f"/staff/inspections/plans/{iw.plan.pk}/").content.decode()
    assert "生成检查任务" in page and "重新抽取" not in page
    opened = officer.post(f"/staff/inspections/plans/{iw.plan.pk}/task/", {"uscc": mine["id"]})
    assert opened.status_code == 302 and "/staff/cases/" in opened["Location"]


def test_an_officer_declares_avoidance_and_is_left_out_of_that_target_in_the_next_draw(iw):
    w = iw.world
    officer_user(w.agency, Role.OFFICER, "charlie", "查理")  # a third inspector, so the target is still staffed
    target = iw.entities[5]  # grade D, ratio 1: always drawn
    officer = _client(w.alice)
    empty = officer.post("/staff/inspections/avoidances/", {"entity": str(target.pk), "reason": ""})
    assert empty.status_code == 400 and 'id="reason-error"' in empty.content.decode()
    assert "第四十三条" in empty.content.decode()
    answer = officer.post("/staff/inspections/avoidances/", {"entity": str(target.pk), "reason": "其配偶为该公司股东"})
    assert answer.status_code == 302
    row = Avoidance.objects.get(officer=w.alice_officer, entity=target)
    assert row.declared_by == w.alice and Entry.objects.filter(kind="inspections.avoidance").exists()
    assert "其配偶为该公司股东" in officer.get("/staff/inspections/avoidances/").content.decode()
    # The head sees the agency's declarations; another officer does not see alice's.
    assert "其配偶为该公司股东" in _client(w.carol).get("/staff/inspections/avoidances/").content.decode()
    assert "其配偶为该公司股东" not in _client(w.bob).get("/staff/inspections/avoidances/").content.decode()

    _client(w.erin).post(f"/staff/inspections/plans/{iw.plan.pk}/commit/")
    _client(w.erin).post(f"/staff/inspections/plans/{iw.plan.pk}/reveal/")
    draw = draw_selectors.current_draw(iw.plan.draw_subject)
    drawn = next(t for t in draw.result["targets"] if t["id"] == target.uscc)
    assert w.alice_officer.certificate_no not in drawn["inspectors"] and len(drawn["inspectors"]) == 2
    page = _client(w.erin).get(f"/staff/inspections/plans/{iw.plan.pk}/").content.decode()
    assert "回避申报：其配偶为该公司股东" in page


def test_a_withdrawn_avoidance_no_longer_excludes_and_stays_on_record(iw):
    w = iw.world
    target = iw.entities[5]
    officer = _client(w.alice)
    officer.post("/staff/inspections/avoidances/", {"entity": str(target.pk), "reason": "亲属任该公司负责人"})
    row = Avoidance.objects.get(officer=w.alice_officer, entity=target)
    other = _client(w.bob).post(f"/staff/inspections/avoidances/{row.pk}/withdraw/", {"withdrawn_reason": "x"})
    assert other.status_code == 302 and Avoidance.objects.get(pk=row.pk).withdrawn_at is None
    refused = officer.post(f"/staff/inspections/avoidances/{row.pk}/withdraw/", {"withdrawn_reason": ""}, follow=True)
    assert "撤回回避申报须写明理由" in refused.content.decode()
    officer.post(f"/staff/inspections/avoidances/{row.pk}/withdraw/", {"withdrawn_reason": "亲属已离职"})
    row.refresh_from_db()
    assert row.withdrawn_at is not None and row.withdrawn_reason == "亲属已离职"
    assert Entry.objects.filter(kind="inspections.avoidance_withdraw").exists() and verify_all().ok
    _client(w.erin).post(f"/staff/inspections/plans/{iw.plan.pk}/draw/")
    draw = draw_selectors.current_draw(iw.plan.draw_subject)
    assert not any(e["target"] == target.uscc for e in draw.parameters["exclusions"])


def test_the_menu_offers_the_pages_to_the_right_roles(iw):
    w = iw.world
    head_page = _client(w.carol).get("/staff/inspections/").content.decode()
    assert 'href="/staff/inspections/plans/new/"' in head_page and 'href="/staff/inspections/avoidances/"' in head_page
    officer_page = _client(w.alice).get("/staff/inspections/").content.decode()
    assert 'href="/staff/inspections/plans/new/"' not in officer_page
    assert 'href="/staff/inspections/avoidances/"' in officer_page
