"""Drive a case through its flow with plausible values: used by the demo data and the tests.

Every step goes through `case_transition`, so the same guards apply as in the UI and the API.
Dates are chosen relative to the case's opening date so that statutory periods are respected
(a hearing period elapses before the decision, a hearing is notified seven days ahead, …).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from sanxiang.cases.models import Case
from sanxiang.cases.services import case_transition
from sanxiang.reviews.models import CHECKLIST

CHECKLIST_ALL = {key: True for key, _ in CHECKLIST}


@dataclass
class Cast:
    """Who does what in one agency: an assigned officer, the unit head, the legal reviewer, the
    agency head and a hearing host who is not on the case."""

    officer: object
    unit_head: object
    reviewer: object
    head: object
    hearing_host_officer_id: int | None = None


STOPS = ["filing", "investigation", "examination", "notice", "hearing", "legal_review", "collective_discussion",
         "decision", "service", "execution", "closing", "archive", "archived"]


def walk(case: Case, cast: Cast, *, until: str = "archived", kinds=("fine",), fine: Decimal | int | None = 500,
         facts: str = "", hearing: bool = False, flagged_complex: bool = False, start: dt.date | None = None,
         opinion: str = "agree", documents: bool | None = None, investigation: dict | None = None, party_fines=None,
         decision_document: bool = True) -> Case:
    """Advance `case` (general procedure) step by step until its state is `until` or final.

    `start` is the day the notice is served (defaults to the opening date + 10 days); later dates
    follow from it. All dates must lie in the past: the engine refuses future dates.
    With `documents` (default: when walking to the archive), the documents the flow requires for
    the dossier are issued at the steps that make them, as an officer would (a document of a past
    step could only be a 补正). `investigation` adds fields to
    调查取证 (e.g. circumstances, illegal_gains, benchmark_reason).
    With `decision_document` (the default), the officer issues the 行政处罚决定书 right after the
    decision, before it is served. `party_fines` gives each party of a case with several parties
    its own fine (in the case's order); otherwise every party gets `kinds` and `fine`.
    """
    if documents is None:
        documents = until == "archived"
    notice_on = start or (case.opened_on + dt.timedelta(days=10))
    fine_value = None if fine is None else Decimal(fine)
    plan = {
        "filing": ("approve_filing", cast.unit_head, {"filing_opinion": "经审查，符合立案条件，同意立案。"}),
        "investigation": ("submit_investigation", cast.officer, {
            "facts": facts or f"经查，{case.title}，有现场检查笔录、询问笔录及照片为证。",
            "investigation_report": "调查终结，事实清楚，证据确凿，建议依法给予行政处罚。",
            "proposed_penalty_kinds": list(kinds),
            "proposed_fine": "" if fine_value is None else str(fine_value),
            "flagged_complex": flagged_complex,
            **(investigation or {}),
        }),
        "examination": ("approve_proposal", cast.unit_head, {"examination_opinion": "同意承办人意见，拟予处罚。"}),
        "notice": ("complete_notice", cast.officer, {
            "notice_served_on": notice_on.isoformat(),
            "statement": "当事人未提出陈述申辩意见。" if not hearing else "当事人提出陈述申辩并申请听证。",
            "hearing_requested": hearing,
        }),
        "hearing": ("record_hearing", cast.officer, {
            "hearing_notified_on": (notice_on + dt.timedelta(days=3)).isoformat(),
            "hearing_held_on": (notice_on + dt.timedelta(days=11)).isoformat(),
            "hearing_host": cast.hearing_host_officer_id,
            "hearing_record": "听证会公开举行，当事人到场陈述申辩，听证主持人提出处理意见。",
        }),
        "legal_review": ("submit_review", cast.reviewer, {
            "checklist": checklist_all(case) if opinion == "agree" else {**checklist_all(case), "evidence": False},
            "opinion": opinion,
            "opinion_text": "主体合法、事实清楚、证据确凿、程序合法、适用依据正确、裁量适当，同意。"
            if opinion == "agree" else "证据尚不充分，建议退回补充调查。",
        }),
        "collective_discussion": ("record_discussion", cast.head, {
            "discussed_on": (notice_on + dt.timedelta(days=13 if hearing else 5)).isoformat(),
            "discussion_place": "本机关会议室",
            "participants": discussion_participants(case),
            "discussion": "承办人员汇报案件事实、证据和拟处罚意见，法制审核人员汇报审核意见，与会人员逐一发表意见。",
            "conclusion": "penalise",
            "conclusion_text": "违法事实清楚，证据确凿，程序合法，同意按拟处罚意见作出行政处罚决定。",
        }),
        "decision": ("decide", cast.head, {
            "decided_on": (notice_on + dt.timedelta(days=14 if hearing else 6)).isoformat(),
            "penalty_kinds": list(kinds),
            "fine_amount": "" if fine_value is None else str(fine_value),
            "reasons": f"依据{_basis_text(case)}，决定给予上述行政处罚。",
            **_party_penalties(case, kinds, fine_value, party_fines),
        }),
        "service": ("record_service", cast.officer, {
            "served_on": (notice_on + dt.timedelta(days=16 if hearing else 8)).isoformat(),
            "service_method": "direct",
        }),
        "execution": ("record_execution", cast.officer, {
            "executed_on": (notice_on + dt.timedelta(days=20 if hearing else 12)).isoformat(),
            "execution_note": "当事人已按期足额缴纳罚款，已履行完毕。",
        }),
        "closing": ("approve_closing", cast.unit_head, {"closing_opinion": "处罚决定已执行完毕，同意结案。"}),
        "archive": ("archive", cast.officer, {"archive_note": f"卷宗号 {case.number}-卷1"}),
    }
    for _ in range(20):
        case.refresh_from_db()
        if case.state == until or case.state not in plan:
            return case
        action, actor, data = plan[case.state]
        if documents:
            issue_dossier_documents(case, cast)
        attach_required_av(case, cast, data)
        case_transition(case=case, action=action, actor=actor, data=data)
        if action == "decide" and decision_document:
            from sanxiang.documents.services import document_issue

            document_issue(case=case, kind="decision", actor=cast.officer)
    raise RuntimeError(f"case {case.number} did not reach {until}")


def checklist_all(case: Case) -> dict:
    """Every item of the review checklist in force for the case's agency, ticked."""
    from sanxiang.reviews.selectors import checklist_in_force

    return {key: True for key, _, _ in checklist_in_force(case.agency)[0]}


def discussion_participants(case: Case) -> list[int]:
    """Three staff of the agency for a collective discussion: the legal reviewers first, then the
    handling officers (the presiding head counts as well)."""
    from sanxiang.registry.models import Officer

    staff = Officer.objects.filter(agency_id__in=case.agency.descendant_ids()).exclude(staff_type="auxiliary")
    ordered = list(staff.filter(is_legal_reviewer=True)) + list(staff.filter(cases=case))
    ordered += list(staff.exclude(pk__in=[o.pk for o in ordered]))
    return list(dict.fromkeys(o.pk for o in ordered))[:3]


def _party_penalties(case: Case, kinds, fine: Decimal | None, party_fines) -> dict:
    """The decide step's per-party rows when the case has several parties (共同违法)."""
    parties = case.parties_in_order()
    if len(parties) < 2:
        return {}
    fines = list(party_fines) if party_fines else [fine] * len(parties)
    return {"party_penalties": [
        {"party": p.pk, "penalty_kinds": list(kinds), "fine_amount": "" if f is None else str(f)}
        for p, f in zip(parties, fines, strict=True)]}


def _basis_text(case: Case) -> str:
    from sanxiang.registry.ranges import penalty_citations

    return "、".join(c.citation_text for c in penalty_citations(case.item)) or "有关法律规定"


def record_time(day: dt.date, hour: int, minute: int = 0) -> str:
    """The time a walked-through record says it was made: `day` at hour:minute, or now if that is
    still to come (the documents refuse a time in the future, and a case opened today is walked
    through at any hour, past midnight too)."""
    at = timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))
    return timezone.localtime(min(at, timezone.now())).isoformat(timespec="minutes")


def issue_dossier_documents(case: Case, cast: Cast, *, correction_reason: str | None = None) -> list:
    """Issue the documents the dossier checklist finds missing that the case's step makes now.

    With `correction_reason`, the missing documents of past steps are made as 补正 (after 结案 by
    the agency head, who approves them)."""
    from sanxiang.documents.kinds import KINDS
    from sanxiang.documents.services import document_issue, kind_problem
    from sanxiang.dossier.checklist import missing

    opened = record_time(case.opened_on, 9, 30)
    extras = {
        "inquiry_record": {"started_at": opened, "place": "本机关询问室", "interviewee": case.party.name,
                           "relation": "当事人",
                           "qa": "问：我们是执法人员，现依法向你询问，你是否听清楚？\n答：听清楚了。\n"
                                 "问：请陈述事情经过。\n答：情况属实，我愿意改正。"},
        "inspection_record": {"mode": "检查", "started_at": opened, "place": "违法行为发生地",
                              "record": "现场检查情况如实记录，当事人在场。"},
    }
    issued = []
    for gap in missing(case, including=case.state):
        for kind in gap_kinds(case, gap.step):
            # Whoever may make it: the officer, else the reviewer (法制审核意见书).
            actor = next((a for a in (cast.officer, cast.reviewer, cast.head) if a.role in KINDS[kind].roles
                          and kind_problem(case, KINDS[kind], extras.get(kind), user=a,
                                           correction_reason=correction_reason) is None), None)
            if actor is not None:
                issued.append(document_issue(case=case, kind=kind, actor=actor, extra=extras.get(kind),
                                             correction_reason=correction_reason))
                break
    return issued


def gap_kinds(case: Case, step_code: str) -> list[str]:
    for raw in case.flow.definition.get("steps", []):
        if raw["code"] == step_code:
            for need in raw.get("dossier", []):
                if "document" in need:
                    return list(need["document"]) if isinstance(need["document"], list) else [need["document"]]
    return []


# A few bytes with an ISO-BMFF (MP4) header: stands in for body-camera footage in demo and tests.
SAMPLE_VIDEO = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 1024


def attach_required_av(case: Case, cast: Cast, data: dict):
    """When the agency's audio-video list covers the current step, attach a recording first."""
    from django.core.files.base import ContentFile

    from sanxiang.cases.facts import av_requirements
    from sanxiang.records.services import evidence_attach

    required = av_requirements(case, case.state, data)
    if not required or case.evidence.filter(step=case.state, kind__in=["video", "audio"]).exists():
        return None
    name = f"执法记录仪-{case.state}.mp4"
    return evidence_attach(case=case, actor=cast.officer, uploaded=ContentFile(SAMPLE_VIDEO + case.number.encode(),
                                                                               name=name),
                           kind="video", description=f"{required[0].name}音像记录")
