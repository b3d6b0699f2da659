"""Demo data of 行政强制 (`load_demo(demo)`, called by sanxiang/demo.py for every app that has one).

For each demo agency whose officers are certified for 行政强制: a seizure item and an enforcement
item; a seizure extended once and released; a seizure in force near its end (the early warning
fires); one awaiting the head's approval; an enforcement case opened from an unpaid fine; cases
executed (城管, which holds the power of enforcement: 代履行, with its 代履行催告书) or brought before the
court (the others). The released seizure's and the executed enforcement's decisions are published
(released to the portal); the seizure in force keeps its publication pending.

Historic acts are replayed at their dates: the engine's "today" and this app's clock are set to
the day of each act while it is done, so every rule applies as it would have on that day.
"""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager
from decimal import Decimal
from unittest import mock

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from sanxiang.common.exceptions import DomainError
from sanxiang.common.services import record_save

ACTOR = "command:load_demo"
VIDEO = b"\x00\x00\x00\x18ftypmp42" + b"demo body-camera recording" * 8
POWER = {"hl-cgj"}  # 城市管理综合执法局: 强制拆除 under 城乡规划法第六十八条
BASIS = {
    "seizure": ["《中华人民共和国行政强制法》第九条", "《中华人民共和国行政强制法》第二十二条"],
    "enforcement": ["《中华人民共和国行政强制法》第三十四条", "《中华人民共和国行政强制法》第五十三条"],
}


@contextmanager
def on(moment: dt.datetime):
    """Do the acts inside as on `moment` (a local date and time in the past)."""
    with mock.patch("sanxiang.cases.services.today", lambda: moment.date()), \
            mock.patch("sanxiang.compulsion.rules._now", lambda: timezone.make_aware(moment)):
        yield


def _at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, 0))


def _items(agency):
    from sanxiang.registry.models import EnforcementItem, Flow
    from sanxiang.registry.services import citations_from_text, item_citations_set

    made = {}
    for key, code, name, flow in (("seizure", "QZ-001", "查封、扣押违法场所、设施或者财物", "compulsion_seizure"),
                                  ("enforcement", "QZ-002", "行政决定的强制执行（含罚款、限期拆除）", "compulsion_enforcement")):
        item = record_save(EnforcementItem(agency=agency, code=f"{agency.code.upper()}-{code}", name=name,
                                           kind="compulsion", flow=Flow.objects.get(code=flow)), actor=ACTOR)
        citations = [c for text in BASIS[key] for c in citations_from_text(text, "violation")]
        item_citations_set(item=item, citations=citations, actor=ACTOR)
        made[key] = item
    return made["seizure"], made["enforcement"]


def _video(case, actor):
    from sanxiang.records.services import evidence_attach

    case.refresh_from_db()
    evidence_attach(case=case, actor=actor, kind="video", description="执法记录仪全程录像",
                    uploaded=ContentFile(VIDEO, name=f"执法记录仪-{case.number}.mp4"))


def _issue(case, kind, actor, **extra):
    from sanxiang.documents.services import document_issue

    case.refresh_from_db()
    return document_issue(case=case, kind=kind, actor=actor, extra=extra or None)


def _seizure(ctx, item, party, title, day0: dt.date, until: str):
    from sanxiang.cases.services import case_open, case_transition

    officer, director = ctx.users["officer1"], ctx.users["director"]
    officers = ctx.officers[:2]
    with on(_at(day0, 9)):
        case = case_open(actor=officer, item=item, party=party, title=title, officers=officers, opened_on=day0,
                         source="日常巡查发现")
        if until == "application":
            return case
        case_transition(case=case, action="approve_seizure", actor=director,
                        data={"approval_opinion": "情况属实，同意实施扣押。"})
    with on(_at(day0, 10)):
        _video(case, officer)
        case_transition(case=case, action="carry_out_seizure", actor=officer, data={
            "seized_at": f"{day0.isoformat()} 10:00", "seized_on": day0.isoformat(), "seizure_measure": "detain",
            "seizure_place": "河洛市西工区中州中路与九都路交叉口", "seizure_facts": f"当事人涉嫌{title}，车辆及物品系实施违法行为的工具。",
            "things": "重型自卸货车|1|辆|八成新，车厢满载建筑垃圾|车牌号豫C·D1234\n车辆行驶证|1|本|完好|",
            "party_present": "当事人到场，在清单上签名"})
        _issue(case, "seizure_decision", officer)
        _issue(case, "seizure_list", officer)
    if until == "in_force":
        return case
    with on(_at(day0 + dt.timedelta(days=25))):
        case_transition(case=case, action="extend_seizure", actor=director,
                        data={"extension_reasons": "车辆来源及运输合同需向外地核查，情况复杂"})
        _issue(case, "seizure_extension", officer)
    with on(_at(day0 + dt.timedelta(days=40))):
        case_transition(case=case, action="release_seizure", actor=director, data={
            "release_ground": "handled", "release_reasons": "已对违法行为作出行政处罚决定，不再需要扣押"})
        _issue(case, "seizure_release", officer)
    with on(_at(day0 + dt.timedelta(days=41))):
        case_transition(case=case, action="record_return", actor=officer, data={
            "returned_on": (day0 + dt.timedelta(days=41)).isoformat(), "return_note": "车辆及行驶证已退还，当事人签收"})
    return case


def _release(ctx, case) -> int:
    """公示审核 of the case's pending publications (the 决定书 is issued): released to the portal."""
    from sanxiang.disclosure.services import publication_publish

    reviewer = ctx.users.get("reviewer") or ctx.users["director"]
    done = 0
    for publication in case.publications.filter(status="pending"):
        publication_publish(publication=publication, actor=reviewer)
        done += 1
    return done


def _reminded(ctx, item, party, title, served: dt.date, obligation: str):
    from sanxiang.cases.services import case_open, case_transition

    officer = ctx.users["officer1"]
    with on(_at(served)):
        case = case_open(actor=officer, item=item, party=party, title=title, officers=ctx.officers[:2],
                         opened_on=served, source="行政决定逾期未履行")
        case_transition(case=case, action="serve_reminder", actor=officer, data={
            "obligation": obligation, "reminder_served_on": served.isoformat(),
            "performance_deadline": (served + dt.timedelta(days=10)).isoformat()})
        _issue(case, "reminder_notice", officer)
    with on(_at(served + dt.timedelta(days=4))):
        case_transition(case=case, action="record_statement", actor=officer, data={
            "statement_received": True, "statement": "当事人称正在筹措资金，请求宽限",
            "statement_reply": "经复核，当事人未提出新的事实、理由和证据，维持原催告内容。"})
    return case


def _executed(ctx, item, party, day0: dt.date):
    from sanxiang.cases.services import case_transition
    from sanxiang.common.calendar import current_calendar

    officer, director = ctx.users["officer1"], ctx.users["director"]
    case = _reminded(ctx, item, party, "逾期不拆除违法建设", day0, "自行拆除违法搭建的彩钢棚（约120平方米）")
    with on(_at(day0 + dt.timedelta(days=14))):
        case_transition(case=case, action="decide_enforcement", actor=director, data={
            "enforcement_decided_on": (day0 + dt.timedelta(days=14)).isoformat(), "enforcement_method": "substitute",
            "enforcement_reasons": "当事人经催告逾期仍不拆除，且无正当理由（《城乡规划法》第六十八条）"})
        _issue(case, "enforcement_decision", officer)
        _issue(case, "substitute_decision", officer, substitute="河洛市安居拆除工程有限公司", subject="违法搭建的彩钢棚约120平方米",
               budget="人民币捌仟元整（8000元）", method="机械配合人工拆除，建筑垃圾清运至消纳场")
    served = day0 + dt.timedelta(days=15)
    with on(_at(served)):
        _issue(case, "substitute_reminder", officer)
        case_transition(case=case, action="serve_substitute_reminder", actor=officer,
                        data={"substitute_reminder_served_on": served.isoformat()})
    # 代履行三日前催告 (第五十一条, working days per 第六十九条): not before the third working day after.
    cal = current_calendar()
    day = max(day0 + dt.timedelta(days=20), cal.add_working_days(served, 3))
    while not cal.is_working_day(day):
        day += dt.timedelta(days=1)
    with on(_at(day, 14)):
        _video(case, officer)
        case_transition(case=case, action="execute", actor=officer, data={
            "executed_at": f"{day.isoformat()} 09:30", "execution_note": "代履行人拆除完毕，现场已清理，费用由当事人承担"})
    return case


def _court(ctx, item, party, day0: dt.date):
    from sanxiang.cases.services import case_transition

    director = ctx.users["director"]
    case = _reminded(ctx, item, party, "逾期不履行整改决定", day0, "缴纳罚款并完成整改")
    applied = day0 + dt.timedelta(days=30)
    with on(_at(applied)):
        case_transition(case=case, action="apply_to_court", actor=director, data={
            "applied_on": applied.isoformat(), "court": f"{ctx.agency.litigation_court}",
            "remedy_ended_on": (day0 - dt.timedelta(days=5)).isoformat()})
        _issue(case, "court_application", ctx.users["officer1"])
    return case


def _from_fine(ctx, demo) -> int:
    """An enforcement case opened from one of the agency's unpaid fines (if the demo has one)."""
    from sanxiang.cases.models import Case
    from sanxiang.cases.services import case_transition
    from sanxiang.compulsion.services import enforcement_open_from_penalty, unpaid_fine

    for penalty in Case.objects.filter(agency=ctx.agency, item__kind="penalty", state="execution").order_by("pk"):
        if unpaid_fine(penalty) is None:
            continue
        officers = [o for o in penalty.officers.all() if o.user_id]
        actor = officers[0].user if officers else None
        if actor is None:
            continue
        try:
            with transaction.atomic():
                case = enforcement_open_from_penalty(actor=actor, penalty_case=penalty)
        except DomainError:  # e.g. the penalty case's officers are not certified for 行政强制
            continue
        today = timezone.localdate()
        case_transition(case=case, action="serve_reminder", actor=actor, data={
            "obligation": case.data["obligation"], "reminder_served_on": today.isoformat(),
            "performance_deadline": (today + dt.timedelta(days=10)).isoformat()})
        _issue(case, "reminder_notice", actor)
        return 1
    return 0


def load_demo(demo) -> None:
    from sanxiang.registry.models import Parameter

    parties = [
        {"kind": "legal_person", "name": "河洛市顺达渣土运输有限公司", "uscc": "91410303MA47T0QX3D",
         "legal_representative": "高顺达", "address": "河洛市西工区道北路12号", "phone": "0379-63881200"},
    ]
    count = 0
    for code, ctx in demo.contexts.items():
        certified = [o for o in ctx.officers if o.agency_id == ctx.agency.pk and "compulsion" in o.enforcement_kinds]
        if len(certified) < 2 or not {"officer1", "director"} <= set(ctx.users):
            continue
        ctx.officers = certified + [o for o in ctx.officers if o not in certified]
        if code in POWER:
            record_save(Parameter(agency=ctx.agency, key="compulsion_enforcement_power", value=Decimal(1), unit="是/否",
                                  label="本机关依法享有行政强制执行权", source="《中华人民共和国城乡规划法》第六十八条"), actor=ACTOR)
        seizure_item, enforcement_item = _items(ctx.agency)
        anchor = demo.anchor
        party = _party(parties[0], ctx)
        released = _seizure(ctx, seizure_item, party, "未经核准擅自运输建筑垃圾", anchor - dt.timedelta(days=60), "released")
        demo.report.published += _release(ctx, released)
        # Still pending (公示审核 not done yet): the one in force, inside its 20 working days.
        _seizure(ctx, seizure_item, party, "超限运输建筑垃圾", anchor - dt.timedelta(days=27), "in_force")
        _seizure(ctx, seizure_item, party, "擅自占道堆放建材", anchor, "application")
        if code in POWER:
            executed = _executed(ctx, enforcement_item, party, anchor - dt.timedelta(days=50))
            demo.report.published += _release(ctx, executed)
        else:
            _court(ctx, enforcement_item, party, anchor - dt.timedelta(days=70))
        count += 4 + _from_fine(ctx, demo)
    demo.report.extra["行政强制案件"] = demo.report.extra.get("行政强制案件", 0) + count
    demo.out(f"行政强制：{count} 件（查封扣押、强制执行）")


def _party(data: dict, ctx) -> dict:
    """The demo company: one party record for every agency (集中储存: one USCC, one organisation)."""
    from sanxiang.common.idnumbers import make_uscc

    return {**data, "uscc": make_uscc("91410303MA47T0QX3")}
