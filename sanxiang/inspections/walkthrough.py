"""Walk an inspection case through its flow with the services (demo data and tests)."""

from __future__ import annotations

import datetime as dt

from django.core.files.base import ContentFile
from django.utils import timezone

from sanxiang.cases.services import case_transition
from sanxiang.cases.walkthrough import SAMPLE_VIDEO, record_time
from sanxiang.documents.services import document_issue
from sanxiang.records.services import evidence_attach


def start(case, officer_user):
    case_transition(case=case, action="start_inspection", actor=officer_user,
                    data={"inspection_notice": f"依据{case.item.name}的规定，对{case.party_names}进行现场检查。"})
    case.refresh_from_db()
    return case


def onsite(case, officer_user, *, on: dt.date | None = None, findings: str = "经检查，未发现问题。",
           signature: str = "signed"):
    on = on or timezone.localdate()
    evidence_attach(case=case, actor=officer_user, kind="video", description="现场检查执法记录仪视频",
                    uploaded=ContentFile(SAMPLE_VIDEO + case.number.encode(), name="现场检查.mp4"))
    document_issue(case=case, kind="inspection_record", actor=officer_user, extra={
        "mode": "检查", "started_at": record_time(on, 9), "ended_at": record_time(on, 10), "place": case.party.address or "经营场所",
        "present": f"{case.party.legal_representative or '负责人'}（当事人负责人）", "record": findings})
    case_transition(case=case, action="record_onsite", actor=officer_user, data={
        "inspected_on": on.isoformat(), "certificates_shown": True, "party_signature": signature,
        "refusal_note": "" if signature == "signed" else "当事人拒绝签名，由在场见证人签名证明，全程录像。",
        "findings": findings})
    case.refresh_from_db()
    return case


def conclude(case, officer_user, result: str, *, deadline: dt.date | None = None, penalty_item=None,
             note: str = ""):
    if result == "rectify":
        document_issue(case=case, kind="rectification_notice", actor=officer_user, extra={
            "deadline": (deadline or timezone.localdate()).isoformat(),
            "requirements": "按照检查发现的问题逐项整改，并书面报告整改情况。"})
    data = {"result": result, "result_note": note or {"pass": "检查合格。", "rectify": "责令限期改正。",
                                                      "violation": "发现涉嫌违法行为，移送立案查处。"}[result]}
    if result == "violation":
        data.update(penalty_item=str(penalty_item.pk), violation_facts="现场检查发现当事人涉嫌违法，证据见现场检查笔录及视频。")
    case_transition(case=case, action="record_result", actor=officer_user, data=data)
    case.refresh_from_db()
    return case


def recheck(case, officer_user, *, rectified: bool, on: dt.date | None = None, early: bool = False):
    on = on or timezone.localdate()
    document_issue(case=case, kind="recheck_opinion", actor=officer_user, extra={
        "rechecked_on": on.isoformat(), "situation": "对照责令改正通知书逐项复查。",
        "opinion": "已按要求改正。" if rectified else "逾期未改正。"})
    case_transition(case=case, action="record_recheck", actor=officer_user, data={
        "rechecked_on": on.isoformat(), "reported_early": early, "rectified": "yes" if rectified else "no",
        "recheck_note": "复查合格。" if rectified else "逾期未改正，依法处理。"})
    case.refresh_from_db()
    return case
