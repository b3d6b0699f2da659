"""Staff pages of 监督案件, 投诉举报 and 责任追究 (Chinese UI; every write through the services).

Roles: supervisors everywhere; an agency's head and unit heads for what is addressed to their
agency tree; everybody else 403. Out of scope: 404 (audited, as everywhere).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from sanxiang.accounts.denials import note_denial
from sanxiang.common.exceptions import DomainError, NotFound, ValidationFailed
from sanxiang.common.params import safe_parse_date
from sanxiang.registry.models import Agency
from sanxiang.supervision import complaints as complaint_services
from sanxiang.supervision import matter_services as services
from sanxiang.supervision.accountability import can_see_accountability, responsibility, responsibility_pdf
from sanxiang.supervision.matter_documents import MATTER_KINDS, matter_document_issue
from sanxiang.supervision.matters import (
    HANDLER_ROLES,
    ComplaintStatus,
    MatterDocument,
    MatterSource,
    MatterStatus,
)

DENIED = "监督案件和投诉举报仅供执法监督人员、机关负责人和承办机构负责人办理"


def can_handle(user) -> bool:
    return getattr(user, "is_authenticated", False) and user.role in ("supervisor", *HANDLER_ROLES)


def _require_handler(user) -> None:
    if not can_handle(user):
        raise PermissionDenied(DENIED)


def _or_404(fn, *args):
    try:
        return fn(*args)
    except NotFound as exc:
        raise Http404(exc.message) from exc


def _date(value):
    return safe_parse_date(value) if value else None


# --- 监督案件 --------------------------------------------------------------------------------------


@login_required
def matter_list(request):
    _require_handler(request.user)
    status = request.GET.get("status", "")
    late = request.GET.get("late") == "1"
    rows = list(services.matter_list(request.user, status=status, late=late)[:500])
    for m in rows:
        m.late = services.matter_is_late(m)
    return render(request, "supervision/matter_list.html", {
        "matters": rows, "statuses": MatterStatus.choices, "status": status, "late": late,
        "is_supervisor": request.user.role == "supervisor"})


def _open_form_context(request, **extra):
    from sanxiang.cases.models import Case

    case = complaint = None
    if request.GET.get("case", "").isdigit():
        case = Case.objects.visible_to(request.user).filter(pk=request.GET["case"]).first()
    if request.GET.get("complaint", "").isdigit():
        complaint = complaint_services.Complaint.objects.visible_to(request.user).filter(
            pk=request.GET["complaint"]).first()
    alert = request.GET.get("alert", "")[:120]
    source = "complaint" if complaint else ("alert" if alert else "inspection")
    initial = {"source": source, "alert_ref": alert, "title": "", "due_on": "", "complaint_number": "",
               "case_number": "",
               "description": complaint.content if complaint else "",
               "agency": str(complaint.agency_id or "") if complaint else ""}
    post = extra.pop("post", None)
    if post is not None:
        initial.update({k: post.get(k, "") for k in initial})
    return {"agencies": Agency.objects.filter(kind="enforcement").order_by("name"), "sources": MatterSource.choices,
            "case": case, "complaint": complaint, "initial": initial, **extra}


@login_required
def matter_new(request):
    from sanxiang.cases.models import Case

    if request.user.role != "supervisor":
        raise PermissionDenied("监督案件由执法监督人员立案")
    if request.method != "POST":
        return render(request, "supervision/matter_new.html", _open_form_context(request))
    post = request.POST
    try:
        case = complaint = agency = None
        if post.get("case", "").isdigit():
            case = Case.objects.get_visible(request.user, pk=int(post["case"]), message="案件不存在")
        if post.get("complaint", "").isdigit():
            complaint = complaint_services.complaint_get(request.user, int(post["complaint"]))
        elif post.get("complaint_number", "").strip():
            complaint = complaint_services.Complaint.objects.filter(
                number=post["complaint_number"].strip().upper()).first()
            if complaint is None:
                raise ValidationFailed("未找到该受理编号的投诉举报", field="complaint_number", code="complaint_unknown")
        if case is None and post.get("case_number", "").strip():
            case = Case.objects.visible_to(request.user).filter(number=post["case_number"].strip()).first()
            if case is None:
                raise ValidationFailed("未找到该案件编号", field="case_number", code="case_unknown")
        if post.get("agency", "").isdigit():
            agency = Agency.objects.filter(pk=int(post["agency"])).first()
        matter = services.matter_open(
            actor=request.user, source=post.get("source", ""), title=post.get("title", ""),
            description=post.get("description", ""), agency=agency, case=case, complaint=complaint,
            alert_ref=post.get("alert_ref", ""), due_on=_date(post.get("due_on")))
    except DomainError as exc:
        return render(request, "supervision/matter_new.html", _open_form_context(request, error=exc, post=post),
                      status=exc.status)
    messages.success(request, f"已立案 {matter.number}")
    return redirect("supervision:matter", pk=matter.pk)


def _matter_context(request, matter, **extra):
    user = request.user
    steps = list(matter.steps.select_related("actor", "agency"))
    return {
        "m": matter, "steps": steps, "documents": list(matter.documents.all()), "late": services.matter_is_late(matter),
        "is_supervisor": user.role == "supervisor",
        "can_answer": user.role in HANDLER_ROLES and user.agency_id == matter.agency_id
        and matter.status == MatterStatus.ASSIGNED,
        "agencies": Agency.objects.filter(kind="enforcement").exclude(pk=matter.agency_id).order_by("name"),
        "kinds": MATTER_KINDS, "default_due": _safe_default_due(matter), **extra,
    }


def _safe_default_due(matter):
    try:
        return services.default_due(matter.agency)
    except DomainError:
        return ""


@login_required
def matter_detail(request, pk):
    _require_handler(request.user)
    matter = _or_404(services.matter_get, request.user, pk)
    return render(request, "supervision/matter_detail.html", _matter_context(request, matter))


ACTIONS = ("assign", "transfer", "answer", "remind", "escalate", "return", "close", "document")


def matter_act(user, matter, action: str, data, files=None):
    """One action on a matter from submitted values (the page and the API share this)."""
    if action == "assign":
        return services.matter_assign(matter=matter, actor=user, due_on=_date(data.get("due_on")),
                                      note=data.get("note", ""))
    if action == "transfer":
        agency = Agency.objects.filter(pk=int(data["agency"])).first() if str(data.get("agency", "")).isdigit() else None
        return services.matter_transfer(matter=matter, actor=user, agency=agency, reason=data.get("reason", ""),
                                        due_on=_date(data.get("due_on")))
    if action == "answer":
        return services.matter_answer(matter=matter, actor=user, text=data.get("text", ""), files=files or [])
    if action == "remind":
        return services.matter_remind(matter=matter, actor=user, note=data.get("note", ""))
    if action == "escalate":
        return services.matter_escalate(matter=matter, actor=user, note=data.get("note", ""),
                                        due_on=_date(data.get("due_on")))
    if action == "return":
        return services.matter_return(matter=matter, actor=user, reason=data.get("reason", ""),
                                      due_on=_date(data.get("due_on")))
    if action == "close":
        return services.matter_close(matter=matter, actor=user, conclusion=data.get("conclusion", ""))
    if action == "document":
        return matter_document_issue(matter=matter, kind=data.get("kind", ""), actor=user, extra=dict(data.items()))
    raise NotFound(f"未知的操作“{action}”")


@login_required
@require_POST
def matter_action(request, pk, action):
    _require_handler(request.user)
    matter = _or_404(services.matter_get, request.user, pk)
    try:
        done = matter_act(request.user, matter, action, request.POST, request.FILES.getlist("files"))
    except NotFound as exc:
        raise Http404(exc.message) from exc
    except DomainError as exc:
        note_denial(request, exc)
        return render(request, "supervision/matter_detail.html",
                      _matter_context(request, matter, error=exc, open_action=action), status=exc.status)
    if isinstance(done, MatterDocument):
        messages.success(request, f"已制作{done.title} {done.number}，日志序号 #{done.ledger_index}")
    else:
        messages.success(request, "已办理，写入防篡改日志")
    return redirect("supervision:matter", pk=matter.pk)


@login_required
def matter_document(request, pk, document_id, fmt):
    _require_handler(request.user)
    matter = _or_404(services.matter_get, request.user, pk)
    document = matter.documents.filter(pk=document_id).first()
    if document is None or fmt not in ("pdf", "docx"):
        raise Http404("文书不存在")
    stored = document.pdf if fmt == "pdf" else document.docx
    content_type = "application/pdf" if fmt == "pdf" else (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    return FileResponse(default_storage.open(stored.storage_name, "rb"), filename=f"{document.title}{document.number}.{fmt}",
                        content_type=content_type)


@login_required
def matter_file(request, pk, sha256):
    """An attachment of an answer (evidence of what the agency did)."""
    from sanxiang.records.models import StoredFile

    _require_handler(request.user)
    matter = _or_404(services.matter_get, request.user, pk)
    for step in matter.steps.exclude(files=[]):
        for item in step.files:
            if item.get("sha256") == sha256:
                stored = StoredFile.objects.get(sha256=sha256)
                return FileResponse(default_storage.open(stored.storage_name, "rb"), as_attachment=True,
                                    filename=item.get("name") or "附件")
    raise Http404("附件不存在")


# --- 投诉举报 --------------------------------------------------------------------------------------


@login_required
def complaint_list(request):
    _require_handler(request.user)
    status = request.GET.get("status", "")
    rows = list(complaint_services.complaint_list(request.user, status=status)[:500])
    for c in rows:
        c.late = complaint_services.complaint_is_late(c)
    return render(request, "supervision/complaint_list.html", {
        "complaints": rows, "statuses": ComplaintStatus.choices, "status": status})


def _complaint_context(request, complaint, **extra):
    user = request.user
    return {"c": complaint, "steps": list(complaint.steps.select_related("actor")),
            "late": complaint_services.complaint_is_late(complaint), "is_supervisor": user.role == "supervisor",
            "may_handle": user.role == "supervisor" or (user.role in HANDLER_ROLES and user.agency_id == complaint.agency_id),
            **extra}


@login_required
def complaint_detail(request, pk):
    _require_handler(request.user)
    complaint = _or_404(complaint_services.complaint_get, request.user, pk)
    return render(request, "supervision/complaint_detail.html", _complaint_context(request, complaint))


def complaint_act(user, complaint, action: str, data):
    if action == "accept":
        return complaint_services.complaint_accept(complaint=complaint, actor=user, note=data.get("note", ""))
    if action == "reject":
        return complaint_services.complaint_reject(complaint=complaint, actor=user, reason=data.get("reason", ""))
    if action == "reply":
        return complaint_services.complaint_reply(complaint=complaint, actor=user, reply=data.get("reply", ""))
    raise NotFound(f"未知的操作“{action}”")


@login_required
@require_POST
def complaint_action(request, pk, action):
    _require_handler(request.user)
    complaint = _or_404(complaint_services.complaint_get, request.user, pk)
    try:
        complaint_act(request.user, complaint, action, request.POST)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    except DomainError as exc:
        note_denial(request, exc)
        return render(request, "supervision/complaint_detail.html",
                      _complaint_context(request, complaint, error=exc), status=exc.status)
    messages.success(request, "已办理，写入防篡改日志")
    return redirect("supervision:complaint", pk=complaint.pk)


# --- 责任追究 --------------------------------------------------------------------------------------


def _accountability_case(request, pk):
    """Scope first (another agency's case: 404), then role (403), then the look is logged."""
    from sanxiang.cases.selectors import case_get
    from sanxiang.supervision.services import ReasonRequired, access_record

    case = _or_404(case_get, request.user, pk)
    if not can_see_accountability(request.user):
        raise PermissionDenied("责任追溯表仅供执法监督人员和机关负责人查看")
    try:
        access_record(actor=request.user, case=case, target=case, label=f"责任追溯 {case.number}",
                      reason=request.GET.get("reason", ""))
    except ReasonRequired as exc:
        return case, render(request, "supervision/reason.html", {"case": case, "error": exc,
                                                                 "reason_action": request.path}, status=exc.status)
    return case, None


@login_required
def accountability(request, pk):
    case, refused = _accountability_case(request, pk)
    if refused is not None:
        return refused
    return render(request, "supervision/accountability.html", {"r": responsibility(case), "case": case})


@login_required
def accountability_pdf(request, pk):
    case, refused = _accountability_case(request, pk)
    if refused is not None:
        return refused
    response = HttpResponse(responsibility_pdf(responsibility(case)), content_type="application/pdf")
    response["Content-Disposition"] = f"inline; filename*=UTF-8''accountability-{case.pk}.pdf"
    return response
