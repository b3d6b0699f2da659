"""Staff pages for documents: the case's documents, issuing one, downloading Word or PDF.

Views translate HTTP to the services; every rule (scope, role, step, numbering) is in
documents.services. A download is logged in the access log (调阅) before the file is sent.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from sanxiang.accounts.denials import note_denial
from sanxiang.cases.selectors import case_get
from sanxiang.common.exceptions import DomainError, NotFound
from sanxiang.common.params import is_db_id
from sanxiang.documents import selectors
from sanxiang.documents.kinds import KINDS
from sanxiang.documents.panel import panel_context
from sanxiang.documents.services import DOCX_TYPE, document_issue

FORMATS = {"docx": DOCX_TYPE, "pdf": "application/pdf"}


def _is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


def _case_or_404(user, pk):
    try:
        return case_get(user, pk)
    except NotFound as exc:
        raise Http404(exc.message) from exc


@login_required
def case_documents(request, pk):
    """执法文书: the documents of one case, and the forms to make the ones its step allows."""
    case = _case_or_404(request.user, pk)
    template = "documents/_case_documents.html" if _is_htmx(request) else "documents/case_documents.html"
    return render(request, template, panel_context(request, case))


def submitted_extra(kind_code: str, post) -> dict:
    """The officer's entries for one kind: inputs are named "<kind>-<field>" in the issue form."""
    kind = KINDS.get(kind_code)
    if kind is None:
        return {}
    return {f.name: post.get(f"{kind_code}-{f.name}", "") for f in kind.extra}


@login_required
@require_POST
def document_issue_view(request, pk):
    case = _case_or_404(request.user, pk)
    kind = request.POST.get("kind", "")
    reissue_of = None
    if is_db_id(request.POST.get("reissue_of")):
        reissue_of = selectors.document_queryset(request.user).filter(
            pk=int(request.POST["reissue_of"]), case=case).first()
    try:
        document = document_issue(case=case, kind=kind, actor=request.user,
                                  extra=submitted_extra(kind, request.POST), reissue_of=reissue_of,
                                  correction_reason=request.POST.get("correction_reason", ""))
    except DomainError as exc:
        note_denial(request, exc)  # a refused role is audited even when answered by a redirect
        if _is_htmx(request):
            context = panel_context(request, case, error=exc, open_kind=kind, submitted=request.POST)
            return render(request, "documents/_case_documents.html", context, status=exc.status)
        messages.error(request, f"未能制作文书：{exc.message}")
        return redirect(_back(request, case))
    notice = (f"已制作{document.title} {document.number}（第{document.version}版），"
              f"日志序号 #{document.ledger_index}")
    if _is_htmx(request):
        return render(request, "documents/_case_documents.html", panel_context(request, case, notice=notice))
    messages.success(request, notice)
    return redirect(_back(request, case))


def _back(request, case) -> str:
    if request.POST.get("back") == "case":
        return reverse("cases:detail", args=[case.pk]) + "#documents"
    return reverse("documents:case", args=[case.pk])


@login_required
def document_download(request, document_id, fmt):
    """The frozen Word or PDF file, after the access is logged (a reason is asked when required)."""
    from sanxiang.supervision.services import ReasonRequired, access_record

    if fmt not in FORMATS:
        raise Http404("文件格式不存在")
    try:
        document = selectors.document_get(request.user, document_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    label = f"{document.title} {document.number} 第{document.version}版（{fmt.upper()}）"
    try:
        access_record(actor=request.user, case=document.case, target=document, action="download",
                      reason=request.GET.get("reason", ""), label=label)
    except ReasonRequired as exc:
        return render(request, "documents/download_reason.html",
                      {"document": document, "fmt": fmt, "error": exc, "label": label}, status=exc.status)
    stored = getattr(document, fmt)
    handle = default_storage.open(stored.storage_name, "rb")
    filename = f"{document.number}{document.title}-第{document.version}版.{fmt}"
    return FileResponse(handle, as_attachment=True, filename=filename, content_type=FORMATS[fmt])
