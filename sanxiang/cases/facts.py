"""Facts about a case that guards, documents and views share (no rule is enforced here)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sanxiang.cases.choices import HEARING_KINDS, PartyKind
from sanxiang.common.exceptions import EvidenceMissing
from sanxiang.registry.params import param


def party_is_citizen(case_or_party) -> bool:
    """Whether a party is a natural person; given a case, its first-named party (use
    party_penalties for a rule that concerns every party)."""
    party = case_or_party.party if hasattr(case_or_party, "case_parties") else case_or_party
    return party is not None and party.kind == PartyKind.CITIZEN


def effective_kinds(case) -> list[str]:
    return list(case.penalty_kinds or case.proposed_penalty_kinds or [])


def effective_fine(case) -> Decimal | None:
    return case.fine_amount if case.fine_amount is not None else case.proposed_fine


@dataclass(frozen=True)
class PartyPenalty:
    """One party's penalty: decided (per party, at 决定) or, before that, the proposal."""

    party: object
    kinds: tuple[str, ...]
    fine: Decimal | None

    @property
    def is_citizen(self) -> bool:
        return self.party.kind == PartyKind.CITIZEN


def decided_rows(case) -> list[dict]:
    """The per-party penalties the decision step recorded ({"party": Party.pk, "penalty_kinds",
    "fine_amount"}), or [] when it recorded one penalty for the case."""
    rows = (case.data or {}).get("party_penalties") or []
    return [r for r in rows if isinstance(r, dict)]


def party_penalties(case, *, proposed: bool = False) -> list[PartyPenalty]:
    """Every party of the case with its own penalty, in the case's order.

    Per-party rows recorded at the decision win; otherwise the case's penalty (the decided one,
    else the proposed one; with `proposed`, always the proposal) applies to each party, as the
    事先告知书 notifies it to each of them.
    """
    parties = case.parties_in_order()
    rows = {} if proposed else {int(r["party"]): r for r in decided_rows(case) if str(r.get("party", "")).isdigit()}
    if proposed:
        kinds, fine = list(case.proposed_penalty_kinds or []), case.proposed_fine
    else:
        kinds, fine = effective_kinds(case), effective_fine(case)
    out = []
    for party in parties:
        row = rows.get(party.pk)
        if row is not None:
            amount = row.get("fine_amount")
            out.append(PartyPenalty(party, tuple(row.get("penalty_kinds") or ()),
                                    Decimal(str(amount)) if amount not in (None, "") else None))
        else:
            out.append(PartyPenalty(party, tuple(kinds), fine))
    return out


def party_hearing_right(case, penalty: PartyPenalty) -> bool:
    """行政处罚法第六十三条 for one party: 较大数额罚款 (threshold by party type), licence
    downgrade or revocation, suspension, closure, restriction of operation or practice."""
    if set(penalty.kinds) & {k.value for k in HEARING_KINDS}:
        return True
    if penalty.fine is None:
        return False
    key = "hearing_fine_citizen" if penalty.is_citizen else "hearing_fine_org"
    return penalty.fine >= param(key, case.agency)


def hearing_parties(case) -> list:
    """The parties that have a hearing right (each is told of it and may request a hearing)."""
    return [p.party for p in party_penalties(case) if party_hearing_right(case, p)]


def hearing_right(case) -> bool:
    """Whether the case must offer a hearing: when any party has the right (第六十三条 is a right
    of each party; one party's request is enough to hold the hearing)."""
    return bool(hearing_parties(case))


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
