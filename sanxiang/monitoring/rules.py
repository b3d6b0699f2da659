"""The early-warning rules of the supervisor's platform, registered in common.alerts.

Each rule reads the records as they are on day `on` and yields a Finding per thing to warn
about; `services.alerts_run` stores each finding once. Thresholds come from the AlertRule rows
(administrators set them); the defaults here are what `alert_rules_install` seeds.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Count, Q

from sanxiang.common.alerts import Finding, alert_rule
from sanxiang.registry.choices import ActionKind

HEADS = ("unit_head", "agency_head")


def _officer_users(case) -> tuple[int, ...]:
    return tuple(u for u in case.officers.values_list("user_id", flat=True) if u)


def _open_cases():
    from sanxiang.cases.models import Case
    from sanxiang.monitoring.tally import open_q

    return Case.objects.filter(open_q()).select_related("flow", "agency", "item")


def _deadline_rule(kind: str, label: str):
    @alert_rule(f"deadline_soon_{kind}", f"期限即将届满（{label}）", threshold_label="提前天数", default=3,
                basis="《行政处罚法》第六十条等（办案期限）")
    def deadline_soon(threshold, on: dt.date):
        from sanxiang.cases.engine import flow_spec

        end = on + dt.timedelta(days=int(threshold))
        cases = _open_cases().filter(item__kind=kind).filter(
            Q(step_due__gte=on, step_due__lte=end) | Q(decision_due__gte=on, decision_due__lte=end,
                                                       decided_on__isnull=True))
        for case in cases:
            spec = flow_spec(case.flow)
            if case.step_due and on <= case.step_due <= end:
                yield Finding(agency_id=case.agency_id, subject=case, case_id=case.pk, due=case.step_due,
                              key=f"step:{case.state}:{case.step_due}", user_ids=_officer_users(case), roles=HEADS,
                              text=f"案件{case.number}“{spec.step_name(case.state)}”环节将于{case.step_due}届满"
                                   f"（{(case.step_due - on).days}日后）")
            if case.decision_due and case.decided_on is None and on <= case.decision_due <= end:
                yield Finding(agency_id=case.agency_id, subject=case, case_id=case.pk, due=case.decision_due,
                              key=f"decision:{case.decision_due}", user_ids=_officer_users(case), roles=HEADS,
                              text=f"案件{case.number}决定期限将于{case.decision_due}届满"
                                   f"（{(case.decision_due - on).days}日后，《行政处罚法》第六十条）")
    return deadline_soon


for _kind, _label in ActionKind.choices:
    _deadline_rule(_kind, _label)


@alert_rule("case_overdue", "案件超期", threshold_label="超期天数（0：届满次日即预警）", default=0,
            basis="《行政处罚法》第六十条", severity="serious")
def case_overdue(threshold, on: dt.date):
    from sanxiang.cases.engine import flow_spec

    limit = on - dt.timedelta(days=int(threshold))
    cases = _open_cases().filter(Q(step_due__lt=limit) | Q(decision_due__lt=limit, decided_on__isnull=True))
    for case in cases:
        spec = flow_spec(case.flow)
        if case.step_due and case.step_due < limit:
            yield Finding(agency_id=case.agency_id, subject=case, case_id=case.pk, due=case.step_due,
                          key=f"step:{case.state}:{case.step_due}", user_ids=_officer_users(case),
                          roles=(*HEADS, "supervisor"),
                          text=f"案件{case.number}“{spec.step_name(case.state)}”环节已超期"
                               f"（期限{case.step_due}，已超{(on - case.step_due).days}日）")
        if case.decision_due and case.decided_on is None and case.decision_due < limit:
            yield Finding(agency_id=case.agency_id, subject=case, case_id=case.pk, due=case.decision_due,
                          key=f"decision:{case.decision_due}", user_ids=_officer_users(case),
                          roles=(*HEADS, "supervisor"),
                          text=f"案件{case.number}已超过决定期限（{case.decision_due}，《行政处罚法》第六十条）")


@alert_rule("outside_discretion", "决定超出裁量基准阶次", threshold_label="回溯天数", default=365,
            basis="《行政处罚法》第三十四条（裁量基准）", severity="serious")
def outside_discretion(threshold, on: dt.date):
    from sanxiang.cases.models import Case

    since = on - dt.timedelta(days=int(threshold))
    cases = Case.objects.filter(outside_benchmark=True, decided_on__isnull=False, decided_on__gte=since,
                                decided_on__lte=on)
    for case in cases:
        yield Finding(agency_id=case.agency_id, subject=case, case_id=case.pk, key="decision",
                      user_ids=_officer_users(case), roles=("agency_head", "supervisor"),
                      text=f"案件{case.number}的决定（{case.decided_on}）超出裁量基准建议阶次"
                           f"（{case.benchmark_tier or '未记录'}），请核查说明理由（《行政处罚法》第三十四条）")


@alert_rule("closed_without_video", "案件办结但缺少应有的音像记录", threshold_label="回溯天数", default=90,
            basis="音像记录事项清单（《行政处罚法》第四十七条）", severity="serious")
def closed_without_video(threshold, on: dt.date):
    """Closed cases where a step on the agency's 音像记录事项清单 was done without audio-video
    evidence at that step (the list changed, a migrated case, an override)."""
    from sanxiang.cases.facts import av_requirements
    from sanxiang.cases.models import Case
    from sanxiang.monitoring.tally import open_q

    since = on - dt.timedelta(days=int(threshold))
    closed = (Case.objects.exclude(open_q()).filter(Q(closed_on__gte=since) | Q(closed_on__isnull=True,
                                                                              step_entered_at__date__gte=since))
              .select_related("agency", "flow"))
    for case in closed:
        missing = []
        for event in case.events.exclude(from_state="").order_by("pk"):
            required = av_requirements(case, event.from_state, event.data or {})
            if required and not case.evidence.filter(step=event.from_state, kind__in=["video", "audio"]).exists():
                missing.extend(e.name for e in required)
        if missing:
            names = "、".join(dict.fromkeys(missing))
            yield Finding(agency_id=case.agency_id, subject=case, case_id=case.pk, key="av",
                          user_ids=_officer_users(case), roles=("agency_head", "supervisor"),
                          text=f"案件{case.number}已办结，但音像记录事项清单中的“{names}”没有音像记录")


def _tier_mid(case) -> Decimal | None:
    """The midpoint of the fine range of the tier the case was measured against."""
    from sanxiang.cases.facts import party_is_citizen
    from sanxiang.guidance.models import BenchmarkTier

    if not case.benchmark_id or not case.benchmark_tier:
        return None
    tier = BenchmarkTier.objects.filter(benchmark_id=case.benchmark_id, tier=case.benchmark_tier).first()
    if tier is None:
        return None
    low, high = (tier.citizen_min, tier.citizen_max) if party_is_citizen(case) else (tier.org_min, tier.org_max)
    if low is None or high is None:
        return None
    return (low + high) / 2


@alert_rule("fines_below_benchmark", "执法人员罚款金额明显低于裁量基准", threshold_label="低于基准中值的比例（%）",
            default=50, basis="《行政处罚法》第三十四条（裁量基准）")
def fines_below_benchmark(threshold, on: dt.date):
    """An officer (lead on the case) whose fines over the past year average less than
    `threshold`% of the midpoint of the tiers their cases were measured against (at least 3 cases)."""
    from sanxiang.cases.models import CaseOfficer

    since = on - dt.timedelta(days=365)
    leads = (CaseOfficer.objects.filter(is_lead=True, case__decided_on__gte=since, case__decided_on__lte=on,
                                        case__fine_amount__isnull=False, case__benchmark__isnull=False)
             .select_related("case", "officer"))
    per_officer: dict[int, list] = {}
    for link in leads:
        mid = _tier_mid(link.case)
        if mid:
            per_officer.setdefault(link.officer_id, [link.officer, []])[1].append(link.case.fine_amount / mid)
    for officer, ratios in per_officer.values():
        if len(ratios) < 3:
            continue
        average = sum(ratios) / len(ratios) * 100
        if average < Decimal(threshold):
            yield Finding(agency_id=officer.agency_id, subject=officer, key=f"{on.year}",
                          user_ids=(), roles=("agency_head", "supervisor"),
                          text=f"执法人员{officer.name}近一年{len(ratios)}件案件的罚款平均为裁量基准中值的"
                               f"{average:.0f}%（低于{threshold}%）")


@alert_rule("repeated_access", "反复调阅同一当事人的材料", threshold_label="30日内调阅次数", default=10,
            basis="调阅监督制度")
def repeated_access(threshold, on: dt.date):
    from sanxiang.cases.models import Party
    from sanxiang.supervision.models import AccessLog

    since = on - dt.timedelta(days=30)
    rows = (AccessLog.objects.filter(at__date__gte=since, at__date__lte=on)
            .values("actor_id", "actor__username", "case__case_parties__party_id", "agency_id")
            .annotate(n=Count("pk", distinct=True)).filter(n__gte=int(threshold)))
    for r in rows:
        party = Party.objects.filter(pk=r["case__case_parties__party_id"]).first()
        if party is None:
            continue
        yield Finding(agency_id=r["agency_id"], subject=party, key=f"{r['actor_id']}:{on:%Y-%m}",
                      roles=("agency_head", "supervisor"),
                      text=f"用户{r['actor__username']}30日内调阅当事人{party.name}的材料{r['n']}次（阈值{threshold}次）")


# The release period and its basis differ by kind: 7 working days for 行政处罚 and 行政许可,
# 20 for the other decisions (国办发〔2018〕118号); the penalty and licensing laws also require it.
GUIDING_OPINION = "国办发〔2018〕118号"
PUBLICATION_BASIS = {"行政处罚": f"《行政处罚法》第四十八条；{GUIDING_OPINION}",
                     "行政许可": f"《行政许可法》第四十条；{GUIDING_OPINION}"}


@alert_rule("publication_overdue", "行政执法决定超期未公示", threshold_label="超期天数（0：届满次日即预警）", default=0,
            basis=f"《行政处罚法》第四十八条；《行政许可法》第四十条；{GUIDING_OPINION}", severity="serious")
def publication_overdue(threshold, on: dt.date):
    from sanxiang.disclosure.models import Publication, PublicationStatus

    limit = on - dt.timedelta(days=int(threshold))
    for p in Publication.objects.filter(status=PublicationStatus.PENDING, due_on__lt=limit).select_related("case"):
        basis = PUBLICATION_BASIS.get(p.kind, GUIDING_OPINION)
        yield Finding(agency_id=p.agency_id, subject=p, case_id=p.case_id, due=p.due_on, key="due",
                      roles=("agency_head", "legal_reviewer", "supervisor"),
                      text=f"{p.kind or '执法'}决定书{p.decision_number}应于{p.due_on}前公示，尚未公示（{basis}）")
