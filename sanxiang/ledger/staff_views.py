"""Staff page: results of the scheduled integrity checks (for supervisors and administrators)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import render

from sanxiang.ledger import selectors
from sanxiang.ledger.models import CheckKind
from sanxiang.ledger.services import ledger_size


@login_required
def integrity(request):
    if not selectors.can_see_integrity(request.user):
        raise PermissionDenied("完整性检查记录仅限执法监督人员和系统管理员查看")
    kind = request.GET.get("kind", "")
    rows = selectors.integrity_checks(request.user, kind=kind)
    page = Paginator(rows, 30).get_page(request.GET.get("page"))
    checkpoint, size = selectors.newest_checkpoint(), ledger_size()
    return render(request, "ledger/integrity.html", {
        "latest": selectors.latest_per_kind(request.user), "page": page, "kind": kind, "kinds": CheckKind.choices,
        "checkpoint": checkpoint, "size": size, "pending": size - checkpoint.tree_size if checkpoint else size,
        "interval": settings.LEDGER_CHECKPOINT_INTERVAL_MINUTES, "every": settings.LEDGER_CHECKPOINT_EVERY,
        "nightly_hour": settings.JOBS_NIGHTLY_HOUR,
    })
