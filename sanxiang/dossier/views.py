"""Dossier pages: the completeness checklist and the export download."""

from __future__ import annotations

import os

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import render

from sanxiang.cases.selectors import case_get
from sanxiang.common.exceptions import DomainError, NotFound
from sanxiang.dossier.checklist import dossier_checklist
from sanxiang.dossier.export import case_documents, document_title, dossier_export
from sanxiang.dossier.selectors import party_records
from sanxiang.records.models import RESTRICTED
from sanxiang.records.selectors import evidence_withheld


class _DeleteOnClose(FileResponse):
    """Streams the temporary archive and removes it once sent."""

    def close(self):
        super().close()
        path = getattr(self, "_temp_path", None)
        if path and os.path.exists(path):
            os.unlink(path)


@login_required
def dossier_page(request, pk: int):
    try:
        case = case_get(request.user, pk)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    context = {"case": case, "checklist": dossier_checklist(case),
               "restricted": case.evidence.filter(RESTRICTED).count(),
               "withheld": evidence_withheld(request.user, case).count(),
               "contents": [document_title(d) for d in case_documents(case, request.user)]}
    if request.method == "POST":
        try:
            path = dossier_export(case=case, actor=request.user, reason=request.POST.get("reason", ""))
        except DomainError as exc:
            context["error"] = exc.message
            return render(request, "dossier/dossier.html", context, status=exc.status)
        response = _DeleteOnClose(open(path, "rb"), as_attachment=True,  # noqa: SIM115 - closed by the response
                                  filename=f"dossier-{case.pk}.zip", content_type="application/zip")
        response._temp_path = path
        return response
    return render(request, "dossier/dossier.html", context)


@login_required
def party_page(request):
    """集中储存: all records of one party across the cases the user may see; organisations'
    renames are recorded here (cases.parties.party_rename, with its evidence)."""
    from sanxiang.cases.parties import RENAME_ROLES, party_rename
    from sanxiang.cases.selectors import party_get
    from sanxiang.common.exceptions import DomainError

    user = request.user
    query = request.GET.get("q", "") if request.method != "POST" else request.POST.get("q", "")
    error, notice, form, status = None, "", {}, 200
    if request.method == "POST":
        form = {k: request.POST.get(k, "") for k in ("new_name", "reason", "evidence_ref")}
        try:
            pk = request.POST.get("party", "")
            party = party_get(user, int(pk) if pk.isdigit() else 0)
            row = party_rename(party=party, actor=user, **form)
            notice = f"已登记更名：“{row.old_name}”更名为“{row.new_name}”"
            form = {}
        except DomainError as exc:
            error, status = exc, exc.status
    return render(request, "dossier/party.html", {
        "q": query, "records": party_records(user, query), "error": error, "notice": notice, "form": form,
        "can_rename": user.role in RENAME_ROLES and user.agency_id is not None,
    }, status=status)
