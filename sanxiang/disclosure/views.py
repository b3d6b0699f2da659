"""Public portal (执法公示): agencies, officer directory, item list, flows, decisions with proofs.

Reads only publications and the public registry columns; never case rows. The flowchart is
drawn from the same flow definition the engine runs.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.core.files.storage import default_storage
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from sanxiang.accounts.models import Role
from sanxiang.cases import engine
from sanxiang.cases.engine import FlowSpec, flow_spec
from sanxiang.cases.procedure import chronology_sentence, period_rules, surcharge_sentence
from sanxiang.common.exceptions import DomainError
from sanxiang.common.pagecache import public_page
from sanxiang.disclosure import selectors
from sanxiang.ledger.services import ledger_size
from sanxiang.registry import selectors as registry
from sanxiang.registry.choices import ActionKind, OfficerStatus
from sanxiang.registry.models import Agency, EnforcementItem, Flow
from sanxiang.registry.params import param_int
from sanxiang.reviews.selectors import checklist_in_force

UNIT_TEXT = {"working_days": "个工作日", "days": "日"}


def _role_text(roles) -> str:
    return "、".join(Role(r).label if r in Role.values else r for r in roles)


def flow_chart(spec: FlowSpec, agency=None) -> list[dict]:
    """The steps of a flow for the public: who acts, what they must record, what is checked (every
    rule named in Chinese from the engine's registries), the periods and the separation of duties,
    the documents each step makes, where the case goes next, and the period in force for `agency`."""
    periods = {}
    for p in period_rules(spec, agency):
        periods.setdefault((p["step"], p["action"]), []).append(f"{p['text']}（{p['rule']}）")
    steps = []
    for step in spec.steps.values():
        due = ""
        if step.due:
            try:
                due = f"期限 {param_int(step.due['param'], agency)}{UNIT_TEXT.get(step.due['unit'], '')}"
                if step.due.get("from"):
                    due += f"（自{spec.date_label(step.due['from'])}起）"
            except DomainError:
                due = ""
        actions = []
        for action in step.actions.values():
            routes = []
            for route in action.routes:
                target = spec.step_name(route.to)
                routes.append(f"{engine.CONDITIONS[route.when].label}，转入“{target}”" if route.when
                              else (f"其他情形转入“{target}”" if routes else f"转入“{target}”"))
            actions.append({
                "name": action.name, "roles": _role_text(action.roles),
                "fields": [f.label for f in action.fields if f.required],
                "checks": [engine.GUARDS[g].text for g in action.guards],
                "separation": [engine.SEPARATIONS[r].text for r in action.separation],
                "periods": periods.get((step.code, action.code), []),
                "effects": [engine.EFFECTS[e].text for e in action.effects],
                "routes": routes,
            })
        steps.append({"code": step.code, "name": step.name, "due": due, "actions": actions,
                      "documents": [engine.DOCUMENT_KINDS.get(k, k) for k in step.documents],
                      "separation": [engine.SEPARATIONS[r].text for r in step.separation],
                      "surcharge": f"{surcharge_sentence(spec, agency)}（《行政处罚法》第七十二条）" if step.surcharge else "",
                      "dossier": [need.get("label", "") for need in step.dossier]})
    return steps


@public_page
def home(request):
    return render(request, "portal/home.html", {
        "latest": selectors.published()[:10], "agencies": registry.public_agencies(), "ledger_size": ledger_size(),
        "stats": selectors.portal_figures(),
    })


@public_page
def agency_list(request):
    return render(request, "portal/agencies.html", {"agencies": registry.public_agencies()})


def _av_list(agency) -> list:
    """The 音像记录事项清单 in force for the agency: its own entries and its parents' (the engine
    enforces exactly these, see cases.rules.av_requirements)."""
    rows, current = [], agency
    while current is not None:
        rows.extend(registry.public_av_list(agency_code=current.code))
        current = current.parent
    return rows


@public_page
def agency_detail(request, code):
    agency = Agency.objects.filter(code=code).first()
    if agency is None:
        raise Http404("机关不存在")
    return render(request, "portal/agency.html", {
        "agency": agency, "items": registry.public_items(agency_code=code),
        "catalogue": agency.review_catalogue.all(),
        "checklist": checklist_in_force(agency),
        "av_list": _av_list(agency),
        "officer_count": registry.public_officers(agency_code=code).count(),
        "decisions": selectors.published(agency_code=code)[:10],
    })


def _certificate_status(officer, today) -> tuple[bool, str]:
    """(valid?, why not) in public words: 有效, 已过期, 未生效, 暂扣, 注销/吊销."""
    if officer.status != OfficerStatus.ACTIVE:
        return False, officer.get_status_display()
    if officer.valid_to and officer.valid_to < today:
        return False, "已过期"
    if officer.valid_from and officer.valid_from > today:
        return False, "尚未生效"
    return registry.officer_public_status(officer, today) == "有效", ""


@public_page
def officer_search(request):
    """执法人员查询 by name or certificate number. Only public columns leave this view: never the
    ID number or the phone."""
    query = request.GET.get("q", "").strip()
    agency_code = request.GET.get("agency", "")
    searched = bool(query or agency_code)
    officers = list(registry.public_officers(query=query, agency_code=agency_code)[:200]) if searched else []
    today = timezone.localdate()
    rows = []
    for o in officers:
        valid, why = _certificate_status(o, today)
        rows.append({
            "name": o.name, "agency": o.agency.name, "certificate_no": o.certificate_no,
            "kinds": "、".join(ActionKind(k).label for k in o.enforcement_kinds if k in ActionKind.values),
            "area": o.enforcement_area, "valid_from": o.valid_from, "valid_to": o.valid_to,
            "valid": valid, "why": why,
        })
    return render(request, "portal/officers.html", {
        "rows": rows, "q": query, "agency": agency_code, "searched": searched,
        "agencies": registry.public_agencies(),
    })


@public_page
def item_list(request):
    items = registry.public_items(agency_code=request.GET.get("agency", ""), kind=request.GET.get("kind", ""))
    return render(request, "portal/items.html", {"items": items.order_by("agency__code", "code").prefetch_related("citations__law"),
                                                 "kinds": ActionKind.choices, "agencies": registry.public_agencies()})


def _citations(item) -> list[dict]:
    """Each cited provision once, with its roles, exactly the cited 条/款/项 text, and what it
    allows (kinds, fine range): the rows the engine enforces (registry.guards)."""
    from sanxiang.cases.choices import PenaltyKind
    from sanxiang.common.exceptions import DomainError
    from sanxiang.registry.choices import CitationRole

    rows: dict[str, dict] = {}
    for c in item.citations.select_related("law"):
        key = c.citation_text
        row = rows.get(key)
        if row is None:
            try:
                text = c.cited_text
            except DomainError:
                text = ""
            row = rows[key] = {"citation": key, "law": c.law, "text": text, "roles": [], "kinds": [], "range": ""}
        role = CitationRole(c.role).label
        if role not in row["roles"]:
            row["roles"].append(role)
        row["kinds"] += [PenaltyKind(k).label for k in c.penalty_kinds if k in PenaltyKind.values
                         and PenaltyKind(k).label not in row["kinds"]]
        row["range"] = row["range"] or c.range_text()
    return list(rows.values())


def _benchmarks(item, on) -> list[dict]:
    """The item's published benchmark versions, newest first, marking the one in force today."""
    from sanxiang.guidance.discretion import benchmark_in_force

    current = benchmark_in_force(item, on)
    out = []
    for b in item.benchmarks.prefetch_related("tiers", "circumstances").order_by("-version"):
        state = "现行" if current and b.pk == current.pk else ("尚未施行" if b.effective_from > on else "已废止")
        out.append({"benchmark": b, "state": state, "tiers": list(b.tiers.all()),
                    "circumstances": list(b.circumstances.all())})
    return out


@public_page
def item_detail(request, pk):
    from django.utils import timezone

    item = EnforcementItem.objects.select_related("agency", "flow").filter(pk=pk, is_active=True).first()
    if item is None:
        raise Http404("事项不存在")
    spec = flow_spec(item.flow)
    return render(request, "portal/item.html", {
        "item": item, "citations": _citations(item), "benchmarks": _benchmarks(item, timezone.localdate()),
        "spec": spec, "chart": flow_chart(spec, item.agency), "chronology": chronology_sentence(spec),
        "flow_basis": item.flow.definition.get("basis", ""),
    })


@public_page
def flow_detail(request, code):
    flow = Flow.objects.filter(code=code).first()
    if flow is None:
        raise Http404("流程不存在")
    spec = flow_spec(flow)
    return render(request, "portal/flow.html", {"flow": flow, "spec": spec, "chart": flow_chart(spec),
                                                "chronology": chronology_sentence(spec),
                                                "basis": flow.definition.get("basis", "")})


PENALTY_FILTERS = ("警告", "通报批评", "罚款", "没收违法所得", "没收非法财物", "暂扣许可证件", "降低资质等级",
                   "吊销许可证件", "限制开展生产经营活动", "责令停产停业", "责令关闭", "限制从业")


@public_page
def decision_list(request):
    """执法决定公开: search by 文号 or party name; filter by agency, kind, penalty kind and date."""
    f = {key: request.GET.get(key, "").strip()[:60] for key in ("q", "agency", "kind", "penalty", "from", "to")}
    publications = selectors.published(query=f["q"], agency_code=f["agency"], kind=f["kind"], penalty=f["penalty"],
                                       date_from=f["from"], date_to=f["to"])
    cursor_error = ""
    try:
        page = selectors.decision_page(publications, after=request.GET.get("after", "")[:40],
                                       before=request.GET.get("before", "")[:40])
    except selectors.BadCursor:
        cursor_error = "翻页参数无效（after/before 应为“决定日期.序号”，如 2026-01-05.123），已显示第一页。"
        page = selectors.decision_page(publications)
    kept = {k: v for k, v in f.items() if v}
    return render(request, "portal/decisions.html", {
        "publications": page.rows, "f": f, "q": f["q"], "agency": f["agency"], "cursor_error": cursor_error,
        "next_url": "?" + urlencode({**kept, "after": page.next_cursor}) if page.next_cursor else "",
        "prev_url": "?" + urlencode({**kept, "before": page.prev_cursor}) if page.prev_cursor else "",
        "agencies": registry.public_agencies(), "kinds": [label for _, label in ActionKind.choices],
        "penalties": PENALTY_FILTERS,
    })


def _decision_context(publication, **extra) -> dict:
    from sanxiang.disclosure.models import PublicationStatus

    events = selectors.public_events(publication)
    notice = next((e for e in reversed(events) if e.kind in ("corrected", "withdrawn")), None)
    return {"p": publication, "tree_size": ledger_size(), "events": events, "notice": notice,
            "history": selectors.version_history(publication),
            "current": publication.status == PublicationStatus.PUBLISHED, **extra}


@public_page
def decision_detail(request, pk):
    """A decision as published; a corrected one names its replacement, a withdrawn one shows the
    withdrawal and its reason (the old text leaves the page, its logged entry still verifies);
    one taken down at the end of its period or on 信用修复 is gone (410)."""
    publication = selectors.public_get(pk)
    if publication is None:
        raise Http404("公示信息不存在或已撤回")
    if publication.status in selectors.GONE_STATES:
        return render(request, "portal/decision_gone.html", {"p": publication}, status=410)
    return render(request, "portal/decision.html", _decision_context(publication))


def _throttled(request):
    """The public forms' budget per address (settings.RATE_LIMITS["public_report"]): a 429 or None."""
    from django.conf import settings

    from sanxiang.common.errors import error_response
    from sanxiang.common.middleware import client_address, rate_limit_hit

    wait = rate_limit_hit("public_report", client_address(request))
    if not wait:
        return None
    return error_response(request, 429, "throttled", f"提交过于频繁，请 {wait} 秒后再试（限 {settings.RATE_LIMITS['public_report']}）",
                          rule="RATE_LIMITS[public_report]", headers={"Retry-After": str(wait)})


def decision_report(request, pk):
    """报告错误 (POST, no login, rate-limited per address): the receipt shows the number and the
    query code once."""
    from sanxiang.disclosure.reports import report_submit

    publication = selectors.published_get(pk)
    if publication is None:
        raise Http404("公示信息不存在或已撤回")
    if request.method != "POST":
        return redirect(reverse("portal:decision", args=[pk]) + "#report")
    throttled = _throttled(request)
    if throttled:
        return throttled
    try:
        report, code = report_submit(publication=publication, description=request.POST.get("description", "")[:4000],
                                     contact=request.POST.get("contact", "")[:100])
    except DomainError as exc:
        return render(request, "portal/decision.html", _decision_context(
            publication, report_error=exc, report_text=request.POST.get("description", "")[:4000]), status=exc.status)
    return render(request, "portal/receipt.html", {"what": "公示纠错报告", "number": report.number, "code": code,
                                                   "due": report.due_on, "agency": publication.agency.name})


def credit_repair(request):
    """信用修复: the party applies for early take-down (decision number + ID number or USCC)."""
    from sanxiang.disclosure.lifecycle import credit_repair_apply

    values = {k: request.POST.get(k, "").strip()[:4000] for k in
              ("decision_number", "identity", "applicant", "contact", "statement")}
    error = None
    if request.method == "POST":
        throttled = _throttled(request)
        if throttled:
            return throttled
        try:
            repair, code = credit_repair_apply(**values)
        except DomainError as exc:
            error = exc
        else:
            return render(request, "portal/receipt.html", {"what": "信用修复申请", "number": repair.number,
                                                           "code": code, "agency": repair.agency.name})
    return render(request, "portal/repair.html", {"v": values, "error": error},
                  status=error.status if error else 200)


def decision_pdf(request, pk):
    """The redacted PDF of the published 决定书 (rendered from the redacted document content).
    Only while the publication is current: a corrected, withdrawn or expired one's PDF is gone."""
    publication = selectors.published_get(pk)
    if publication is None or publication.pdf_id is None:
        raise Http404("公示信息不存在或已撤回")
    handle = default_storage.open(publication.pdf.storage_name, "rb")
    filename = f"{publication.decision_number}（公开版）.pdf"
    return FileResponse(handle, as_attachment=False, filename=filename, content_type="application/pdf")


def progress(request):
    """办理进度查询: number and query code (POST, so the code stays out of URLs and access logs)."""
    from sanxiang.common.tracking import TRACKERS, progress_lookup

    found, asked, number = None, False, ""
    if request.method == "POST":
        asked = True
        number = request.POST.get("number", "").strip()[:80]
        found = progress_lookup(number, request.POST.get("code", "")[:40])
    return render(request, "portal/progress.html", {
        "found": found, "asked": asked, "number": number,
        "kinds": [t.label for t in TRACKERS.values()],
    }, status=404 if asked and found is None else 200)
