"""Staff pages of the registry: Excel import of officers and enforcement items."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render

from sanxiang.common.exceptions import DomainError, ImportRejected
from sanxiang.registry import importers

KINDS = {"officers": "执法人员", "items": "执法事项"}
IMPORTERS = {"officers": importers.import_officers, "items": importers.import_items}


@login_required
def import_page(request):
    """Upload an .xlsx; a file with any bad row imports nothing and the report lists every bad row."""
    context = {"kinds": list(KINDS.items()), "kind": request.POST.get("kind") or request.GET.get("kind") or "officers"}
    status = 200
    if request.method == "POST":
        upload = request.FILES.get("file")
        if context["kind"] not in IMPORTERS:
            context["error"] = "导入类型须为执法人员或执法事项"
            status = 400
        elif upload is None:
            context["error"] = "请选择要导入的 Excel（.xlsx）文件"
            status = 400
        else:
            try:
                rows = IMPORTERS[context["kind"]](upload, actor=request.user)
            except ImportRejected as exc:
                context.update(error=exc.message, row_errors=exc.errors)
                status = 400
            except DomainError as exc:
                context["error"] = exc.message
                status = 403 if exc.status == 403 else 400
            else:
                context["imported"] = rows
    return render(request, "registry/import.html", context, status=status)


@login_required
def import_template(request, kind: str):
    if kind not in KINDS:
        return HttpResponse("未知的模板", status=404)
    response = HttpResponse(importers.template_workbook(kind),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f"attachment; filename=sanxiang-{kind}-template.xlsx"
    return response


@login_required
def law_outline(request, pk: int):
    """Articles of a law with the number of 款 and of 项 per 款: what the citation pickers offer.

    Law texts are public; the endpoint sits behind login only because the admin is its user.
    """
    from django.http import Http404, JsonResponse

    from sanxiang.guidance.models import Law
    from sanxiang.guidance.services import law_outline as outline

    law = Law.objects.filter(pk=pk).first()
    if law is None:
        raise Http404("法律法规不存在")
    return JsonResponse({"law": law.short_title, "version_date": law.version_date.isoformat(),
                         "articles": outline(law)})
