"""Completeness of a dossier against its flow: what each step requires, and what is missing.

A flow step may declare `"dossier": [...]` requirements (data, like the rest of the flow):
  {"document": ["<kind>", …], "label": "立案审批表"}            an issued document of one of these kinds
  {"evidence": ["video", "audio"], "label": "现场音像记录"}        evidence of one of these kinds at the step
  {"field": "<field name>", "label": "…"}                        a value recorded at the step
Only steps the case has actually completed count (a hearing never held requires no 听证笔录).
The agency's audio-video list (registry.AvRequirement) is enforced when each step is done; it is
repeated here so the archive check shows it too.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Requirement:
    step: str
    step_name: str
    label: str
    satisfied: bool
    detail: str = ""


def _completed_steps(case, *, including: str | None = None) -> list[str]:
    seen = [including] if including else []
    for from_state in case.events.exclude(from_state="").values_list("from_state", flat=True):
        if from_state not in seen:
            seen.append(from_state)
    return seen


def dossier_checklist(case, *, including: str | None = None) -> list[Requirement]:
    """Requirements of every completed step (and of `including`, the step being completed now)."""
    from sanxiang.cases.engine import flow_spec

    spec = flow_spec(case.flow)
    raw_steps = {s["code"]: s for s in case.flow.definition.get("steps", [])}
    issued = _issued_kinds(case)
    out = []
    for step_code in _completed_steps(case, including=including):
        raw = raw_steps.get(step_code, {})
        for need in raw.get("dossier", []):
            label = need.get("label", "")
            if "document" in need:
                wanted = need["document"] if isinstance(need["document"], list) else [need["document"]]
                ok = bool(issued & set(wanted))
                out.append(Requirement(step_code, spec.step_name(step_code), label, ok,
                                       "" if ok else "尚未制作"))
            elif "evidence" in need:
                ok = case.evidence.filter(step=step_code, kind__in=need["evidence"]).exists()
                out.append(Requirement(step_code, spec.step_name(step_code), label, ok, "" if ok else "未上传"))
            elif "field" in need:
                ok = bool(case.data.get(need["field"]) or getattr(case, need["field"], None))
                out.append(Requirement(step_code, spec.step_name(step_code), label, ok, "" if ok else "未填写"))
    return out


def _issued_kinds(case) -> set[str]:
    manager = getattr(case, "documents", None)
    if manager is None:
        return set()
    return set(manager.values_list("kind", flat=True))


def missing(case, *, including: str | None = None) -> list[Requirement]:
    return [r for r in dossier_checklist(case, including=including) if not r.satisfied]
