"""Staff pages of the evidence store: download (visibility-checked) and the chunked uploader."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from sanxiang.common.exceptions import NotFound
from sanxiang.records import selectors
from sanxiang.records.api import evidence_download_logged
from sanxiang.supervision.services import ReasonRequired


@login_required
@require_GET
def evidence_download(request, pk: int):
    """Stream a piece of evidence the user may see; flagged evidence is a 404 for everybody else."""
    try:
        evidence = selectors.evidence_get(request.user, pk)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    try:
        return evidence_download_logged(request.user, evidence, request.GET.get("reason", ""))
    except ReasonRequired as exc:
        return render(request, "records/download_reason.html", {"evidence": evidence, "error": exc},
                      status=exc.status)
    except NotFound as exc:
        raise Http404(exc.message) from exc
