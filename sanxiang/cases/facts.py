"""Facts about a case that guards, documents and views share (no rule is enforced here)."""

from __future__ import annotations

from decimal import Decimal

from sanxiang.cases.choices import HEARING_KINDS, PartyKind
from sanxiang.common.exceptions import EvidenceMissing
from sanxiang.registry.params import param


def party_is_citizen(case) -> bool:
    return case.party.kind == PartyKind.CITIZEN


def effective_kinds(case) -> list[str]:
    return list(case.penalty_kinds or case.proposed_penalty_kinds or [])


def effective_fine(case) -> Decimal | None:
    return case.fine_amount if case.fine_amount is not None else case.proposed_fine


def hearing_right(case) -> bool:
    """行政处罚法第六十三条: 较大数额罚款, licence downgrade/revocation, suspension, closure…"""
    if set(effective_kinds(case)) & {k.value for k in HEARING_KINDS}:
        return True
    fine = effective_fine(case)
    if fine is None:
        return False
    key = "hearing_fine_citizen" if party_is_citizen(case) else "hearing_fine_org"
    return fine >= param(key, case.agency)


def av_requirements(case, step_code: str, values: dict) -> list:
    """The agency's 音像记录事项清单 entries (its own and its parents') that apply to this step."""
    from sanxiang.registry.models import AvRequirement

    agency_ids, current = [], case.agency
    while current is not None:
        agency_ids.append(current.pk)
        current = current.parent
    entries = AvRequirement.objects.filter(agency_id__in=agency_ids, flow_code=case.flow.code, step_code=step_code,
                                           is_active=True)
    return [e for e in entries if e.applies(values)]


def check_av_records(ctx, step_code: str) -> None:
    """音像记录: a step on the agency's list cannot be completed without audio-video evidence
    attached at that step. Applies to every flow; the list is data, not part of the flow."""
    required = av_requirements(ctx.case, step_code, ctx.values)
    if not required:
        return
    has_av = ctx.case.evidence.filter(step=step_code, kind__in=["video", "audio"]).exists()
    if not has_av:
        names = "；".join(f"“{e.name}”（依据：{e.basis}）" for e in required)
        raise EvidenceMissing(
            f"本环节属于本机关音像记录事项清单中的{names}，须先上传本环节的音像记录（视频或录音）后才能办理",
            code="av_record_missing", field="evidence", rule="音像记录事项清单")
