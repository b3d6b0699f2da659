"""Staff UI (执法办案): my cases, open a case, advance it, attach evidence, release the publication.

Views only translate HTTP to service calls; every rule lives in the services and the engine.
Each page works as plain form posts (post, redirect, get). When htmx sends the post (header
HX-Request), the view answers with the case panel alone, which htmx swaps in place; a refused
post answers with the panel showing the refusal next to the field it names, and the values the
user typed kept.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from sanxiang.accounts.denials import note_denial
from sanxiang.accounts.models import Role
from sanxiang.accounts.scoping import agency_scope
from sanxiang.cases import selectors
from sanxiang.cases.choices import PartyKind, PenaltyKind
from sanxiang.cases.engine import ActionSpec, FlowSpec, flow_spec
from sanxiang.cases.facts import hearing_right
from sanxiang.cases.forms import action_widgets, describe_values, submitted_values, unplaced_error
from sanxiang.cases.parties import party_prefix
from sanxiang.cases.procedure import late_payment, payment_due
from sanxiang.cases.services import available_actions, case_is_overdue, case_open, case_transition, today
from sanxiang.common.exceptions import DomainError, NotFound, ValidationFailed
from sanxiang.common.params import is_db_id, safe_parse_date
from sanxiang.disclosure.selectors import pending_for, publication_get
from sanxiang.disclosure.services import PUBLISHER_ROLES, publication_is_overdue, publication_publish
from sanxiang.documents.content import plain_text
from sanxiang.documents.selectors import decision_document
from sanxiang.guidance.discretion import case_discretion
from sanxiang.records.models import Evidence, EvidenceKind
from sanxiang.records.selectors import evidence_visible_to, evidence_withheld
from sanxiang.records.services import evidence_attach
from sanxiang.records.uploads import HashingUploadHandler
from sanxiang.registry.models import EnforcementItem, Officer
from sanxiang.reviews import selectors as review_selectors
from sanxiang.reviews.selectors import review_matches
from sanxiang.supervision.selectors import case_access_log
from sanxiang.supervision.services import ReasonRequired, access_record

PARTY_FIELDS = ("kind", "name", "id_number", "uscc", "legal_representative", "address", "phone")
MAX_PARTIES = 20


def _posted_parties(post) -> list[dict]:
    """The party blocks of the 立案 form (party_*, party2_*, …). Extra blocks left blank are
    dropped, and the rest renumbered, so a refusal names the block the officer sees."""
    try:
        count = min(max(int(post.get("party_count") or 1), 1), MAX_PARTIES)
    except ValueError:
        count = 1
    parties = []
    for i in range(count):
        data = {k: post.get(f"{party_prefix(i)}_{k}", "").strip() for k in PARTY_FIELDS}
        if i > 0 and not any(data[k] for k in ("name", "id_number", "uscc")):
            continue
        parties.append(data)
    return parties


def _party_forms(parties: list[dict]) -> list[dict]:
    return [{"prefix": party_prefix(i), "n": i + 1, "values": data} for i, data in enumerate(parties)]


def _is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


def _case_or_404(user, pk):
    try:
        return selectors.case_get(user, pk)
    except NotFound as exc:
        raise Http404(exc.message) from exc


def _with_due_state(cases, on: dt.date) -> None:
    for case in cases:
        spec = flow_spec(case.flow)
        case.overdue_reasons = case_is_overdue(case, on)
        case.step_name = spec.step_name(case.state)
        case.is_final = spec.is_final(case.state)
        case.days_to_decision = (case.decision_due - on).days if case.decision_due and not case.decided_on else None


@login_required
def my_cases(request):
    """我的工作台: what waits for me, what I handle, and publications waiting for release."""
    user = request.user
    on = today()
    queue = list(selectors.work_queue(user)[:100])
    is_officer = user.role == Role.OFFICER
    mine = list(selectors.case_list(user, mine=is_officer)[:200])
    _with_due_state([*queue, *mine], on)
    pending = []
    if user.role in PUBLISHER_ROLES or user.sees_all_agencies:
        pending = list(pending_for(user))
        for p in pending:
            p.overdue = publication_is_overdue(p, on)
    overdue_reviews = []
    if user.role == Role.AGENCY_HEAD or user.role == Role.SUPERVISOR:
        # 法制审核超期: the head who approves extensions and the supervisor both see it.
        overdue_reviews = list(review_selectors.overdue_reviews(user, on)[:100])
        _with_due_state(overdue_reviews, on)
    return render(request, "cases/my_cases.html", {
        "overdue_reviews": overdue_reviews,
        "queue": queue, "mine": mine, "mine_title": "我承办的案件" if is_officer else ("全部案件" if user.sees_all_agencies else "本机关案件"),
        "pending": pending, "can_open": is_officer, "can_publish": user.role in PUBLISHER_ROLES, "today": on,
    })


def _parse_opened_on(raw: str) -> dt.date | None:
    if not raw:
        return None
    value = safe_parse_date(raw)
    if value is None:
        raise ValidationFailed("立案日期须为有效日期（YYYY-MM-DD）", field="opened_on", code="date_invalid")
    return value


@login_required
def case_new(request):
    """立案登记: an officer registers a case on an item of the agency, with the party and officers."""
    user = request.user
    agency_ids = agency_scope(user) or []
    items = EnforcementItem.objects.filter(agency_id__in=agency_ids, kind="penalty", is_active=True).order_by("code")
    officers = Officer.objects.filter(agency_id__in=agency_ids, certificate_no__isnull=False).order_by("name")
    own = getattr(user, "officer", None)
    form = {"officers": [str(own.pk)] if own else [], "opened_on": today().isoformat()}
    parties = [{"kind": "citizen"}]
    error = None
    if request.method == "POST":
        post = request.POST
        form = {k: post.get(k, "") for k in post} | {"officers": post.getlist("officers")}
        parties = _posted_parties(post)
        if "add_party" in post:
            # 添加当事人 (共同违法): the same form back with one more party block; nothing is saved.
            parties = [*parties, {"kind": "citizen"}][:MAX_PARTIES]
        else:
            try:
                item = items.filter(pk=post.get("item") if is_db_id(post.get("item")) else 0).first()
                if item is None:
                    raise ValidationFailed("请选择执法事项", field="item", code="item_required")
                chosen = list(officers.filter(pk__in=[v for v in post.getlist("officers") if is_db_id(v)]))
                case = case_open(actor=user, item=item, parties=parties, officers=chosen,
                                 title=post.get("title", ""), source=post.get("source", "").strip(),
                                 procedure=post.get("procedure", "general"),
                                 opened_on=_parse_opened_on(post.get("opened_on", "")))
                messages.success(request, f"已立案登记：{case.number}")
                return redirect("cases:detail", pk=case.pk)
            except DomainError as exc:
                error = exc
    status = error.status if error else (403 if user.role != Role.OFFICER else 200)
    return render(request, "cases/case_new.html", {
        "items": items, "officers": officers, "form": form, "error": error, "party_kinds": PartyKind.choices,
        "party_forms": _party_forms(parties), "party_count": len(parties), "max_parties": MAX_PARTIES,
        # A service names party fields "party.name", "party2.uscc"; the inputs are "party_name", "party2_uscc".
        "error_field": (error.field or "").replace(".", "_") if error else "",
        "may_open": user.role == Role.OFFICER, "today": today(),
    }, status=status)


def _progress(spec: FlowSpec, case, events) -> list[dict]:
    """Every step of the flow in order: done, skipped (not needed for this case), current, to do."""
    order = list(spec.steps)
    visited = {e.from_state for e in events} | {e.to_state for e in events}
    current = order.index(case.state) if case.state in order else len(order)
    steps = []
    for i, code in enumerate(order):
        if i == current:
            status = "current"
        elif i < current:
            status = "done" if code in visited else "skipped"
        else:
            status = "todo"
        steps.append({"code": code, "name": spec.steps[code].name, "status": status})
    if spec.is_final(case.state):
        steps.append({"code": case.state, "name": spec.step_name(case.state), "status": "final"})
    return steps


def _actions_by_code(spec: FlowSpec) -> dict[str, ActionSpec]:
    return {a.code: a for step in spec.steps.values() for a in step.actions.values()}


def _detail_context(request, case, *, error=None, open_action=None, submitted=None, notice="",
                    upload_error=None, upload_values=None, publish_error=None) -> dict:
    user = request.user
    on = today()
    spec = flow_spec(case.flow)
    forms = []
    for i, action in enumerate(available_actions(case, user)):
        mine = action.code == open_action
        widgets = action_widgets(action, case, submitted if mine else None, error if mine else None)
        forms.append({"action": action, "widgets": widgets, "error": unplaced_error(widgets, error) if mine else "",
                      "open": mine or (open_action is None and i == 0),
                      "discretion": _form_discretion(case, action, widgets)})
    events = list(case.events.select_related("actor"))
    actions = _actions_by_code(spec)
    officer_names = dict(Officer.objects.filter(agency_id__in=case.agency.descendant_ids()).values_list("pk", "name"))
    for event in events:
        event.details = describe_values(actions.get(event.action), event.data, officer_names)
        event.from_name = spec.step_name(event.from_state) if event.from_state else ""
        event.to_name = spec.step_name(event.to_state)
        event.role_label = Role(event.actor_role).label if event.actor_role in Role.values else event.actor_role
    publications = list(case.publications.all())
    for p in publications:
        p.overdue = publication_is_overdue(p, on)
    own = getattr(user, "officer", None)
    step = spec.steps.get(case.state)
    waiting_for = "、".join(dict.fromkeys(
        "本案承办人员" if a.assigned_only else (Role(r).label if r in Role.values else r)
        for a in (step.actions.values() if step else ()) for r in a.roles))
    evidence = list(evidence_visible_to(user, case).select_related("file", "uploaded_by"))
    withheld = list(evidence_withheld(user, case))  # shown by hash only
    for e in evidence:
        e.step_name = spec.step_name(e.step)
    return {
        "case": case, "spec": spec, "step_name": spec.step_name(case.state), "is_final": spec.is_final(case.state),
        "steps": _progress(spec, case, events), "forms": forms, "error": error,
        "error_action": actions[open_action].name if open_action in actions else "",
        "notice": notice, "events": events, "today": on,
        "days_to_decision": (case.decision_due - on).days if case.decision_due and not case.decided_on else None,
        "evidence": evidence, "withheld": withheld, "evidence_count": len(evidence) + len(withheld),
        "waiting_for": waiting_for,
        "evidence_kinds": EvidenceKind.choices, "upload_error": upload_error, "upload_values": upload_values or {},
        "reviews": case.reviews.select_related("reviewer"),
        "decision": getattr(case, "decision", None), "publications": publications, "publish_error": publish_error,
        "decision_document": (document := _decision_document(case)),
        "decision_text": plain_text(document.content) if document is not None else "", "parties": case.party_links(),
        "overdue": case_is_overdue(case, on), "review_matches": review_matches(case),
        "payment_due": payment_due(case), "late_payment": late_payment(case, on),
        "late": list((case.data.get("late") or {}).values()),
        "hearing_right": hearing_right(case) if case.proposed_penalty_kinds else None,
        "proposed_kinds": "、".join(PenaltyKind(k).label for k in case.proposed_penalty_kinds if k in PenaltyKind.values),
        "officers": list(case.assignments.select_related("officer").order_by("-is_lead", "pk")),
        "can_upload": own is not None and case.officers.filter(pk=own.pk).exists() and not spec.is_final(case.state),
        "can_publish": user.role in PUBLISHER_ROLES,
        "access_log": list(case_access_log(user, case)[:50]),
        "discretion": case_discretion(case),
    }


def _form_discretion(case, action, widgets) -> dict | None:
    """The live range and tier hint under a form that asks for circumstances or a fine."""
    names = {f.name for f in action.fields}
    if not names & {"circumstances", "proposed_fine", "fine_amount"}:
        return None
    values = {w.name: w.value for w in widgets}
    codes = values.get("circumstances") if "circumstances" in names else None
    return case_discretion(case, codes=list(codes or []) if codes is not None else None,
                           base=_money(values.get("illegal_gains")))


def _money(raw):
    from decimal import Decimal, InvalidOperation

    try:
        return Decimal(str(raw)) if raw not in (None, "") else None
    except InvalidOperation:
        return None


@login_required
def case_discretion_hint(request, pk):
    """htmx: the suggestion for the circumstances and illegal gains ticked so far (nothing is saved)."""
    case = _case_or_404(request.user, pk)
    codes = request.GET.getlist("circumstances")
    return render(request, "cases/_discretion.html", {
        "discretion": case_discretion(case, codes=codes, base=_money(request.GET.get("illegal_gains"))),
        "key": request.GET.get("key", "form")})


def _decision_document(case):
    decision = getattr(case, "decision", None)
    return decision_document(decision) if decision is not None else None


def _render_case(request, case, *, status: int = 200, **kwargs):
    template = "cases/_case_panel.html" if _is_htmx(request) else "cases/case_detail.html"
    return render(request, template, _detail_context(request, case, **kwargs), status=status)


def _done(request, pk: int, notice: str):
    """After a successful post: the fresh panel for htmx, else redirect (post/redirect/get)."""
    if _is_htmx(request):
        return _render_case(request, _case_or_404(request.user, pk), notice=notice)
    messages.success(request, notice)
    return redirect("cases:detail", pk=pk)


@login_required
def case_detail(request, pk):
    """The case page. Opening it is a look at the case record: logged (调阅监督) before it shows."""
    case = _case_or_404(request.user, pk)
    try:
        access_record(actor=request.user, case=case, target=case, label=f"案件 {case.number}",
                      reason=request.GET.get("reason", ""))
    except ReasonRequired as exc:
        return render(request, "supervision/reason.html", {"case": case, "error": exc}, status=exc.status)
    return _render_case(request, case)


@login_required
@require_POST
def case_action(request, pk, action):
    """Perform one action of the case's flow with the fields the flow declares for it."""
    case = _case_or_404(request.user, pk)
    act = _actions_by_code(flow_spec(case.flow)).get(action)
    data = submitted_values(act, request.POST, case.agency) if act else {}
    try:
        event = case_transition(case=case, action=action, actor=request.user, data=data)
    except DomainError as exc:
        return _render_case(request, case, status=exc.status, error=exc, open_action=action, submitted=request.POST)
    return _done(request, case.pk, f"已办理“{event.action_name}”，日志序号 #{event.ledger_index}")


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
    except DomainError as exc:
        return _render_case(request, case, status=exc.status, upload_error=exc, upload_values=request.POST)
    return _done(request, case.pk, f"已上传证据：{evidence.original_name}（SHA-256 {evidence.file.sha256[:16]}…）")


@login_required
def evidence_download(request, pk, evidence_id):
    """Kept for old links: the records app streams the file after the visibility check and the
    access log (调阅监督)."""
    from sanxiang.records.views import evidence_download as records_download

    case = _case_or_404(request.user, pk)
    if not Evidence.objects.filter(case=case, pk=evidence_id).exists():
        # Another case's evidence under this case's address: no such object here (not a denial).
        raise Http404("证据不存在")
    return records_download(request, evidence_id)


def _safe_next(request) -> str | None:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return None


@login_required
@require_POST
def publication_release(request, publication_id):
    """公示审核: release the redacted decision to the portal (heads and legal reviewers)."""
    try:
        publication = publication_get(request.user, publication_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    try:
        publication = publication_publish(publication=publication, actor=request.user)
    except DomainError as exc:
        note_denial(request, exc)  # a refused role is audited even when answered by a redirect
        if _is_htmx(request):
            case = _case_or_404(request.user, publication.case_id)
            return _render_case(request, case, status=exc.status, publish_error=exc)
        messages.error(request, exc.message)
        return redirect(_safe_next(request) or "cases:my_cases")
    notice = f"已公示：{publication.decision_number}，日志序号 #{publication.ledger_index}"
    if _is_htmx(request):
        return _done(request, publication.case_id, notice)
    messages.success(request, notice)
    return redirect(_safe_next(request) or "cases:my_cases")
