"""Public portal (执法公示): agencies, officer directory, item list, flows, decisions with proofs.

Reads only publications and the public registry columns; never case rows.
"""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import render
from django.utils import timezone

from sanxiang.cases.engine import flow_spec
from sanxiang.disclosure import selectors
from sanxiang.guidance.services import find_article
from sanxiang.ledger.services import ledger_size
from sanxiang.registry import selectors as registry
from sanxiang.registry.choices import ActionKind
from sanxiang.registry.models import Agency, EnforcementItem, Flow


def home(request):
    return render(request, "portal/home.html", {
        "latest": selectors.published()[:10], "agencies": registry.public_agencies(), "ledger_size": ledger_size(),
    })


def agency_list(request):
    return render(request, "portal/agencies.html", {"agencies": registry.public_agencies()})


def agency_detail(request, code):
    agency = Agency.objects.filter(code=code).first()
    if agency is None:
        raise Http404("机关不存在")
    return render(request, "portal/agency.html", {
        "agency": agency, "items": registry.public_items(agency_code=code),
        "catalogue": agency.review_catalogue.all(),
        "officer_count": registry.public_officers(agency_code=code).count(),
    })


def officer_search(request):
    query = request.GET.get("q", "").strip()
    officers = list(registry.public_officers(query=query, agency_code=request.GET.get("agency", ""))[:200])
    today = timezone.localdate()
    rows = [{
        "name": o.name, "agency": o.agency.name, "certificate_no": o.certificate_no,
        "kinds": "、".join(ActionKind(k).label for k in o.enforcement_kinds if k in ActionKind.values),
        "area": o.enforcement_area, "valid_from": o.valid_from, "valid_to": o.valid_to,
        "status": registry.officer_public_status(o, today), "status_text": o.get_status_display(),
    } for o in officers]
    return render(request, "portal/officers.html", {"rows": rows, "q": query, "searched": "q" in request.GET})


def item_list(request):
    items = registry.public_items(agency_code=request.GET.get("agency", ""), kind=request.GET.get("kind", ""))
    return render(request, "portal/items.html", {"items": items, "kinds": ActionKind.choices,
                                                 "agencies": registry.public_agencies()})


def _with_articles(refs):
    out = []
    for ref in refs or []:
        article = find_article(ref.get("law", ""), int(ref.get("article") or 0), int(ref.get("suffix") or 0))
        out.append({**ref, "article_obj": article})
    return out


def item_detail(request, pk):
    item = EnforcementItem.objects.select_related("agency", "flow").filter(pk=pk, is_active=True).first()
    if item is None:
        raise Http404("事项不存在")
    return render(request, "portal/item.html", {
        "item": item, "basis": _with_articles(item.legal_basis), "penalty_basis": _with_articles(item.penalty_basis),
        "spec": flow_spec(item.flow),
    })


def flow_detail(request, code):
    flow = Flow.objects.filter(code=code).first()
    if flow is None:
        raise Http404("流程不存在")
    return render(request, "portal/flow.html", {"flow": flow, "spec": flow_spec(flow),
                                                "basis": flow.definition.get("basis", "")})


def decision_list(request):
    query = request.GET.get("q", "").strip()
    return render(request, "portal/decisions.html", {
        "publications": selectors.published(query=query, agency_code=request.GET.get("agency", ""))[:200],
        "q": query, "agencies": registry.public_agencies(),
    })


def decision_detail(request, pk):
    publication = selectors.published_get(pk)
    if publication is None:
        raise Http404("公示信息不存在或已撤回")
    return render(request, "portal/decision.html", {"p": publication, "tree_size": ledger_size()})
