"""The audit trail page for the audit administrator (/staff/audit/) and its Excel export.

It reads the ledger's audit.* entries (安全审计, GB/T 22239-2019 8.1.4.3): they are hash-chained
and have no delete path, so the trail is kept as long as the ledger (≥ 180 days by design: for
ever). Only the audit administrator reads it; anyone else is refused, and the refusal is itself
an audit entry.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from dataclasses import dataclass

from django import forms
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from sanxiang.accounts.models import Role
from sanxiang.ledger.audit import AUDIT_EVENTS, audit_record
from sanxiang.ledger.models import Entry

PAGE_SIZE = 50
# An address filter has to read entry bodies; it looks at no more than this many entries.
ADDRESS_SCAN_LIMIT = 50_000
EXPORT_LIMIT = 100_000


class AuditFilterForm(forms.Form):
    event = forms.ChoiceField(label="事件", required=False, choices=[("", "全部")] + list(AUDIT_EVENTS.items()))
    user = forms.CharField(label="用户", required=False, max_length=150)
    address = forms.CharField(label="地址", required=False, max_length=64)
    date_from = forms.DateField(label="起始日期", required=False,
                                error_messages={"invalid": "起始日期格式应为 YYYY-MM-DD。"})
    date_to = forms.DateField(label="截止日期", required=False,
                              error_messages={"invalid": "截止日期格式应为 YYYY-MM-DD。"})

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "截止日期不得早于起始日期。")
        return data


@dataclass
class AuditRow:
    index: int
    time: dt.datetime
    event: str
    label: str
    actor: str
    username: str
    address: str
    user_agent: str
    path: str
    summary: str


def _row(entry: Entry) -> AuditRow:
    body = json.loads(bytes(entry.body))
    data = body.get("data") or {}
    event = entry.kind.removeprefix("audit.")
    return AuditRow(index=entry.index, time=entry.created_at, event=event, label=AUDIT_EVENTS.get(event, event),
                    actor=entry.actor, username=str(data.get("username", "")), address=str(data.get("address", "")),
                    user_agent=str(data.get("user_agent", "")), path=str(data.get("path", "")),
                    summary=str(body.get("summary", "")))


def audit_entries(filters: dict):
    """Audit entries matching the filters that the database can apply, newest first."""
    entries = Entry.objects.filter(kind__startswith="audit.").order_by("-index")
    if filters.get("event"):
        entries = entries.filter(kind=f"audit.{filters['event']}")
    if filters.get("user"):
        entries = entries.filter(actor=filters["user"].strip())
    tz = timezone.get_current_timezone()
    if filters.get("date_from"):
        entries = entries.filter(created_at__gte=dt.datetime.combine(filters["date_from"], dt.time.min, tz))
    if filters.get("date_to"):
        entries = entries.filter(created_at__lt=dt.datetime.combine(filters["date_to"] + dt.timedelta(days=1),
                                                                    dt.time.min, tz))
    return entries


def audit_rows(filters: dict, *, limit: int) -> list[AuditRow]:
    """The matching audit entries as rows, newest first (the caller has checked the role)."""
    entries = audit_entries(filters)
    address = (filters.get("address") or "").strip()
    if not address:
        return [_row(e) for e in entries[:limit].iterator(chunk_size=2000)]
    rows = []
    for entry in entries[:ADDRESS_SCAN_LIMIT].iterator(chunk_size=2000):
        row = _row(entry)
        if row.address == address:
            rows.append(row)
            if len(rows) >= limit:
                break
    return rows


def _require_audit_admin(request) -> None:
    if request.user.role != Role.AUDIT_ADMIN:
        # Recorded as a permission denial by accounts.denials, like every other 403.
        raise PermissionDenied("只有审计管理员可以查看审计记录。")


def _filters(request) -> tuple[AuditFilterForm, dict | None]:
    form = AuditFilterForm(request.GET or None)
    if not request.GET:
        return form, {}
    return form, (form.cleaned_data if form.is_valid() else None)


@never_cache
@require_GET
def audit_trail(request):
    if not request.user.is_authenticated:
        from django.contrib.auth.views import redirect_to_login

        return redirect_to_login(request.get_full_path())
    _require_audit_admin(request)
    form, filters = _filters(request)
    page = None
    if filters is not None:
        if (filters.get("address") or "").strip():
            page = Paginator(audit_rows(filters, limit=EXPORT_LIMIT), PAGE_SIZE).get_page(request.GET.get("page"))
        else:  # only the shown page's bodies are decoded
            page = Paginator(audit_entries(filters), PAGE_SIZE).get_page(request.GET.get("page"))
            page.object_list = [_row(e) for e in page.object_list]
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "accounts/audit_trail.html", {"form": form, "page": page, "query": query.urlencode()},
                  status=200 if filters is not None else 400)


@never_cache
@require_GET
def audit_export(request):
    if not request.user.is_authenticated:
        from django.contrib.auth.views import redirect_to_login

        return redirect_to_login(request.get_full_path())
    _require_audit_admin(request)
    form, filters = _filters(request)
    if filters is None:
        return render(request, "accounts/audit_trail.html", {"form": form, "page": None, "query": ""}, status=400)
    from openpyxl import Workbook

    rows = audit_rows(filters, limit=EXPORT_LIMIT)
    book = Workbook(write_only=True)
    sheet = book.create_sheet("审计记录")
    sheet.append(["日志序号", "时间", "事件", "操作人", "涉及账户", "地址", "浏览器标识", "路径", "摘要"])
    for row in rows:
        sheet.append([row.index, timezone.localtime(row.time).strftime("%Y-%m-%d %H:%M:%S"), row.label, row.actor,
                      row.username, row.address, row.user_agent, row.path, row.summary])
    buffer = io.BytesIO()
    book.save(buffer)
    audit_record("audit_exported", request=request, user=request.user, summary=f"导出审计记录 {len(rows)} 条",
                 detail={"rows": len(rows), "filters": {k: str(v) for k, v in filters.items() if v}})
    response = HttpResponse(buffer.getvalue(),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="audit-{timezone.localdate():%Y%m%d}.xlsx"'
    return response
