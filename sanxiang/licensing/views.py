"""Pages: the portal's application form and fee list (public), the staff list of applications
with registration for handling and 补正 uploads. Views only translate HTTP to service calls."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from sanxiang.accounts.models import Role
from sanxiang.cases.choices import PartyKind
from sanxiang.common.exceptions import DomainError, NotFound
from sanxiang.licensing import selectors
from sanxiang.licensing.forms import applicant_from, files_from
from sanxiang.licensing.services import (
    application_register,
    application_submit,
    materials_add,
    materials_supplement_online,
    requested_materials,
    supplement_application,
)
from sanxiang.records.uploads import HashingUploadHandler
from sanxiang.registry.models import EnforcementItem, Officer

STAFF_ROLES = (Role.OFFICER, Role.UNIT_HEAD, Role.LEGAL_REVIEWER, Role.AGENCY_HEAD, Role.SUPERVISOR)


def _item_or_404(pk):
    item = EnforcementItem.objects.select_related("agency").filter(pk=pk, kind="licensing", is_active=True).first()
    if item is None:
        raise Http404("许可事项不存在")
    return item


@csrf_exempt
def apply(request, pk):
    if request.method == "POST":
        request.upload_handlers = [HashingUploadHandler(request)]  # before the body is read
    return _apply(request, pk)


@csrf_protect
def _apply(request, pk):
    """网上申请 (no login): the form follows the item's 服务指南; the answer shows the number and
    the query code once."""
    item = _item_or_404(pk)
    guide = selectors.public_guide(item)
    context = {"item": item, "guide": guide, "party_kinds": PartyKind.choices, "values": {}, "error": None}
    if request.method == "POST":
        try:
            application, code = application_submit(item=item, applicant=applicant_from(request.POST),
                                                   request=request.POST.get("request", ""),
                                                   files=files_from(request.FILES))
        except DomainError as exc:
            context.update(error=exc, values=request.POST)
            return render(request, "licensing/portal/apply.html", context, status=exc.status)
        return render(request, "licensing/portal/submitted.html", {"item": item, "application": application,
                                                                   "code": code}, status=201)
    return render(request, "licensing/portal/apply.html", context)


@csrf_exempt
def supplement(request):
    if request.method == "POST":
        request.upload_handlers = [HashingUploadHandler(request)]  # before the body is read
    return _supplement(request)


@csrf_protect
def _supplement(request):
    """网上补正 (no login; number + query code, rate-limited like the progress lookup): first the
    materials the 补正材料通知书 listed, then their upload. Number and code are re-checked each post."""
    values = {"number": request.POST.get("number") or request.GET.get("number", ""),
              "query_code": request.POST.get("query_code", "")}
    context = {"values": values, "error": None, "error_field": "", "application": None, "requested": [],
               "done": None}
    if request.method != "POST":
        return render(request, "licensing/portal/supplement.html", context)
    try:
        application = supplement_application(values["number"], values["query_code"])
        context.update(application=application, requested=requested_materials(application))
        if request.POST.get("step") == "upload":
            application, rows = materials_supplement_online(number=values["number"], code=values["query_code"],
                                                            files=files_from(request.FILES))
            context["done"] = [r for r in rows if hasattr(r, "key")]
            return render(request, "licensing/portal/supplement.html", context, status=201)
    except DomainError as exc:
        context.update(error=exc, error_field=exc.field or "")
        return render(request, "licensing/portal/supplement.html", context, status=exc.status)
    return render(request, "licensing/portal/supplement.html", context)


def fee_list(request):
    return render(request, "licensing/portal/fees.html", {"fees": selectors.public_fee_list()})


def _staff_only(request):
    if request.user.role not in STAFF_ROLES:
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied("行政许可申请仅供执法机关工作人员查看")


@login_required
def application_list(request):
    _staff_only(request)
    officers = []
    if request.user.role == Role.OFFICER and request.user.agency_id:
        officers = [o for o in Officer.objects.filter(agency_id__in=request.user.visible_agency_ids() or [])
                    if o.certificate_problem(timezone.localdate(), "licensing") is None]
    return render(request, "licensing/staff/applications.html", {
        "applications": selectors.applications_for(request.user)[:300], "officers": officers,
    })


def _application_or_404(user, pk):
    try:
        return selectors.application_get(user, pk)
    except NotFound as exc:
        raise Http404(exc.message) from exc


@login_required
def application_register_view(request, pk):
    if request.method != "POST":
        return redirect("licensing:applications")
    application = _application_or_404(request.user, pk)
    own = getattr(request.user, "officer", None)
    ids = [v for v in request.POST.getlist("officers") if v.isdigit()]
    officers = list(Officer.objects.filter(pk__in=ids))
    if own is not None and own not in officers:
        officers.insert(0, own)
    try:
        case = application_register(application=application, actor=request.user, officers=officers)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("licensing:applications")
    messages.success(request, f"申请{application.number}已登记办理：{case.number}")
    return redirect("cases:detail", pk=case.pk)


@csrf_exempt
@login_required
def materials_upload(request, pk):
    request.upload_handlers = [HashingUploadHandler(request)]
    return _materials_upload(request, pk)


@csrf_protect
def _materials_upload(request, pk):
    if request.method != "POST":
        return redirect("licensing:applications")
    application = _application_or_404(request.user, pk)
    try:
        rows = materials_add(application=application, actor=request.user, files=files_from(request.FILES))
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已登记补正材料{len([r for r in rows if hasattr(r, 'key')])}份")
    return redirect("licensing:applications")
