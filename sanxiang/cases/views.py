"""Staff UI (执法办案): my cases, open a case, advance it, attach evidence, review, decide, publish.

Views only translate HTTP to service calls; every rule lives in the services and the engine.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from sanxiang.accounts.models import Role
from sanxiang.cases import selectors
from sanxiang.cases.choices import PartyKind
from sanxiang.cases.engine import flow_spec
from sanxiang.cases.forms import action_widgets, submitted_values
from sanxiang.cases.rules import hearing_right, review_matches
from sanxiang.cases.services import available_actions, case_is_overdue, case_open, case_transition
from sanxiang.common.exceptions import DomainError, NotFound
from sanxiang.disclosure.models import Publication, PublicationStatus
from sanxiang.disclosure.services import PUBLISHER_ROLES, publication_is_overdue, publication_publish
from sanxiang.ledger.models import Entry
from sanxiang.records.models import Evidence, EvidenceKind
from sanxiang.records.services import evidence_attach
from sanxiang.records.uploads import HashingUploadHandler
from sanxiang.registry.models import EnforcementItem, Officer


def _case_or_404(user, pk):
    try:
        return selectors.case_get(user, pk)
    except NotFound as exc:
        raise Http404(exc.message) from exc


@login_required
def my_cases(request):
    user = request.user
    queue = list(selectors.work_queue(user)[:100])
    mine = list(selectors.case_list(user, mine=True)[:200])
    for case in {*queue, *mine}:
        case.overdue_reasons = case_is_overdue(case)
        case.step_name = flow_spec(case.flow).step_name(case.state)
    pending = []
    if user.role in PUBLISHER_ROLES or user.sees_all_agencies:
        visible = user.visible_agency_ids()
        qs = Publication.objects.filter(status=PublicationStatus.PENDING).select_related("agency")
        pending = list(qs if visible is None else qs.filter(agency_id__in=visible))
        for p in pending:
            p.overdue = publication_is_overdue(p)
    return render(request, "cases/my_cases.html", {"queue": queue, "mine": mine, "pending": pending,
                                                   "can_open": user.role == Role.OFFICER})


@login_required
def case_new(request):
    user = request.user
    agency_ids = user.visible_agency_ids() or []
    items = EnforcementItem.objects.filter(agency_id__in=agency_ids, kind="penalty", is_active=True)
    officers = Officer.objects.filter(agency_id__in=agency_ids, certificate_no__isnull=False)
    form = {"officers": [str(user.officer.pk)] if hasattr(user, "officer") else []}
    error = None
    if request.method == "POST":
        post = request.POST
        form = {k: post.get(k, "") for k in post} | {"officers": post.getlist("officers")}
        try:
            item = items.filter(pk=post.get("item") or 0).first()
            if item is None:
                raise DomainError("请选择执法事项", field="item", code="item_required")
            party = {k: post.get(f"party_{k}", "").strip() for k in (
                "kind", "name", "id_number", "uscc", "legal_representative", "address", "phone")}
            chosen = list(officers.filter(pk__in=[v for v in post.getlist("officers") if v.isdigit()]))
            case = case_open(actor=user, item=item, party=party, officers=chosen, title=post.get("title", ""),
                             source=post.get("source", ""), procedure=post.get("procedure", "general"))
            messages.success(request, f"已立案登记：{case.number}")
            return redirect("cases:detail", pk=case.pk)
        except DomainError as exc:
            error = exc
    return render(request, "cases/case_new.html", {
        "items": items, "officers": officers, "form": form, "error": error, "party_kinds": PartyKind.choices,
    })


def _detail_context(request, case, *, error=None, open_action=None, submitted=None):
    spec = flow_spec(case.flow)
    actions = available_actions(case, request.user)
    forms = [{"action": a, "widgets": action_widgets(a, case, submitted if a.code == open_action else None)}
             for a in actions]
    order = list(spec.steps)
    current = order.index(case.state) if case.state in order else len(order)
    steps = [{"code": c, "name": spec.steps[c].name,
              "status": "done" if i < current else ("current" if i == current else "todo")}
             for i, c in enumerate(order)]
    events = list(case.events.select_related("actor"))
    publications = list(case.publications.all())
    for p in publications:
        p.overdue = publication_is_overdue(p)
    return {
        "case": case, "spec": spec, "step_name": spec.step_name(case.state), "steps": steps, "forms": forms,
        "error": error, "open_action": open_action, "events": events,
        "evidence": case.evidence.select_related("file", "uploaded_by"),
        "evidence_kinds": EvidenceKind.choices, "reviews": case.reviews.select_related("reviewer"),
        "decision": getattr(case, "decision", None), "publications": publications,
        "overdue": case_is_overdue(case), "review_matches": review_matches(case),
        "hearing_right": hearing_right(case) if case.proposed_penalty_kinds else None,
        "can_upload": hasattr(request.user, "officer") and case.officers.filter(pk=request.user.officer.pk).exists()
        and not spec.is_final(case.state),
        "can_publish": request.user.role in PUBLISHER_ROLES,
        "ledger_entries": Entry.objects.filter(index__in=[e.ledger_index for e in events if e.ledger_index is not None]),
    }


@login_required
def case_detail(request, pk):
    case = _case_or_404(request.user, pk)
    return render(request, "cases/case_detail.html", _detail_context(request, case))


@login_required
@require_POST
def case_action(request, pk, action):
    case = _case_or_404(request.user, pk)
    spec = flow_spec(case.flow)
    step = spec.steps.get(case.state)
    act = step.actions.get(action) if step else None
    data = submitted_values(act, request.POST) if act else {}
    try:
        event = case_transition(case=case, action=action, actor=request.user, data=data)
    except DomainError as exc:
        context = _detail_context(request, case, error=exc, open_action=action, submitted=request.POST)
        return render(request, "cases/case_detail.html", context, status=exc.status)
    messages.success(request, f"已办理“{event.action_name}”，日志序号 {event.ledger_index}")
    return redirect("cases:detail", pk=case.pk)


@csrf_exempt
@login_required
def evidence_upload(request, pk):
    # The hashing handler must be installed before the body is read, hence csrf_exempt here and
    # csrf_protect on the inner view (Django's documented pattern for custom upload handlers).
    request.upload_handlers = [HashingUploadHandler(request)]
    return _evidence_upload(request, pk)


@csrf_protect
def _evidence_upload(request, pk):
    if request.method != "POST":
        return redirect("cases:detail", pk=pk)
    case = _case_or_404(request.user, pk)
    try:
        evidence = evidence_attach(case=case, actor=request.user, uploaded=request.FILES.get("file"),
                                   kind=request.POST.get("kind", ""), description=request.POST.get("description", ""))
        messages.success(request, f"已上传证据：{evidence.original_name}（SHA-256 {evidence.file.sha256[:16]}…）")
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("cases:detail", pk=pk)


@login_required
def evidence_download(request, pk, evidence_id):
    case = _case_or_404(request.user, pk)
    evidence = Evidence.objects.select_related("file").filter(case=case, pk=evidence_id).first()
    if evidence is None:
        raise Http404("证据不存在")
    handle = default_storage.open(evidence.file.storage_name, "rb")
    return FileResponse(handle, as_attachment=True, filename=evidence.original_name,
                        content_type=evidence.content_type or "application/octet-stream")


@login_required
@require_POST
def publication_release(request, publication_id):
    publication = Publication.objects.filter(pk=publication_id).first()
    if publication is None:
        raise Http404("公示不存在")
    try:
        publication = publication_publish(publication=publication, actor=request.user)
        messages.success(request, f"已公示：{publication.decision_number}，日志序号 {publication.ledger_index}")
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect(request.POST.get("next") or "cases:my_cases")
