"""投诉举报 on the portal: no login, anonymous allowed, rate-limited per address
(common.middleware._RATE_RULES, scope complaint_submit). The query code is shown once."""

from __future__ import annotations

from django.shortcuts import render

from sanxiang.common.exceptions import DomainError
from sanxiang.registry.models import Agency
from sanxiang.supervision.complaints import complaint_submit
from sanxiang.supervision.matters import ComplaintCategory


def complaint_new(request):
    context = {"agencies": Agency.objects.filter(kind="enforcement").order_by("name"),
               "categories": ComplaintCategory.choices, "post": request.POST}
    if request.method != "POST":
        context["post"] = {"anonymous": "1", "agency": request.GET.get("agency", ""),
                           "decision_number": request.GET.get("decision", "")[:80]}
        return render(request, "portal/complaint_new.html", context)
    post = request.POST
    agency = None
    if post.get("agency", "").isdigit():
        agency = Agency.objects.filter(pk=int(post["agency"]), kind="enforcement").first()
    try:
        complaint, code = complaint_submit(
            content=post.get("content", ""), category=post.get("category", ""), agency=agency,
            decision_number=post.get("decision_number", ""), anonymous=post.get("anonymous") == "1",
            name=post.get("name", ""), phone=post.get("phone", ""))
    except DomainError as exc:
        return render(request, "portal/complaint_new.html", {**context, "error": exc}, status=exc.status)
    return render(request, "portal/complaint_done.html", {"complaint": complaint, "code": code})
