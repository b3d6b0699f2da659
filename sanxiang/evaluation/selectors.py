"""Reads of 案卷评查: what each persona may see, and the results per agency and per officer."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.db.models import QuerySet

from sanxiang.accounts.models import Role
from sanxiang.evaluation.models import EvaluatedFile, EvaluationRound, Grade, Rectification, RoundState

READERS = {Role.SUPERVISOR, Role.AGENCY_HEAD, Role.UNIT_HEAD, Role.LEGAL_REVIEWER}


def rounds_for(user) -> QuerySet[EvaluationRound]:
    """Supervisors see every round; an agency's heads and reviewers the rounds with its dossiers."""
    if user.role == Role.SUPERVISOR:
        return EvaluationRound.objects.all()
    if user.role not in READERS:
        return EvaluationRound.objects.none()
    files = EvaluatedFile.objects.visible_to(user).values("round_id")
    return EvaluationRound.objects.filter(pk__in=files)


def files_for(user, round_: EvaluationRound) -> QuerySet[EvaluatedFile]:
    qs = round_.files.select_related("case__agency", "evaluator")
    return qs if user.role == Role.SUPERVISOR else qs.filter(pk__in=EvaluatedFile.objects.visible_to(user))


def rectifications_for(user) -> QuerySet[Rectification]:
    if user.role not in READERS:
        return Rectification.objects.none()
    return Rectification.objects.visible_to(user).select_related("file__case__agency", "file__round")


def _mean(values: list[Decimal]) -> Decimal | None:
    return (sum(values, Decimal(0)) / len(values)).quantize(Decimal("0.1")) if values else None


def results_by_agency(files) -> list[dict]:
    rows = defaultdict(lambda: {"files": 0, "scored": [], "grades": defaultdict(int), "vetoed": 0})
    names = {}
    for f in files:
        row = rows[f.case.agency.code]
        names[f.case.agency.code] = f.case.agency.name
        row["files"] += 1
        if f.scored_at is not None:
            row["scored"].append(f.score)
            row["grades"][f.grade] += 1
            row["vetoed"] += int(f.vetoed)
    return [{"agency": names[code], "code": code, "files": r["files"], "scored": len(r["scored"]),
             "average": _mean(r["scored"]), "vetoed": r["vetoed"],
             "grades": {label: r["grades"].get(value, 0) for value, label in Grade.choices}}
            for code, r in sorted(rows.items())]


def results_by_officer(files) -> list[dict]:
    """Each scored dossier counts for every officer assigned to the case (主办 marked)."""
    from sanxiang.cases.models import CaseOfficer

    scores = defaultdict(list)
    who = {}
    scored = [f for f in files if f.scored_at is not None]
    for link in CaseOfficer.objects.filter(case_id__in=[f.case_id for f in scored]).select_related("officer__agency"):
        file = next(f for f in scored if f.case_id == link.case_id)
        scores[link.officer_id].append(file.score)
        who[link.officer_id] = link.officer
    return sorted(({"officer": who[k].name, "agency": who[k].agency.name, "files": len(v), "average": _mean(v)}
                   for k, v in scores.items()), key=lambda r: (r["agency"], r["officer"]))


def public_summary(round_: EvaluationRound) -> dict:
    """What the portal publishes: per agency figures and the 通报 text; no party, no case detail."""
    files = list(round_.files.select_related("case__agency"))
    return {"title": round_.title, "year": round_.year, "template": round_.template.name,
            "ratio": str(round_.ratio), "draw": round_.draw_id, "summary": round_.summary,
            "agencies": [{**r, "average": str(r["average"]) if r["average"] is not None else None}
                         for r in results_by_agency(files)]}


def published_rounds() -> QuerySet[EvaluationRound]:
    return EvaluationRound.objects.filter(state=RoundState.PUBLISHED).select_related("template", "draw")
