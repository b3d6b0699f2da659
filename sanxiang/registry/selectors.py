"""Reads of the registry: public directory views hide personal data."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet

from sanxiang.registry.models import Agency, EnforcementItem, Officer


def public_officers(query: str = "", agency_code: str = "") -> QuerySet[Officer]:
    """The public officer directory: certified officers only (协管 never appear), searchable by
    name or certificate number. Callers must show only public columns (see PUBLIC_OFFICER_FIELDS)."""
    qs = Officer.objects.select_related("agency").filter(certificate_no__isnull=False)
    if query:
        qs = qs.filter(Q(name__icontains=query.strip()) | Q(certificate_no__iexact=query.strip()))
    if agency_code:
        qs = qs.filter(agency__code=agency_code)
    return qs.order_by("agency__code", "name")


PUBLIC_OFFICER_FIELDS = ("name", "agency", "certificate_no", "enforcement_kinds", "enforcement_area",
                         "valid_from", "valid_to", "status")


def officer_public_status(officer: Officer, on: dt.date) -> str:
    problem = officer.certificate_problem(on)
    return "有效" if problem is None else "无效"


def public_agencies() -> QuerySet[Agency]:
    return Agency.objects.select_related("parent").order_by("code")


def public_items(agency_code: str = "", kind: str = "") -> QuerySet[EnforcementItem]:
    qs = EnforcementItem.objects.select_related("agency", "flow").prefetch_related("citations__law").filter(
        is_active=True)
    if agency_code:
        qs = qs.filter(agency__code=agency_code)
    if kind:
        qs = qs.filter(kind=kind)
    return qs


def agencies_visible_to(user) -> QuerySet[Agency]:
    visible = user.registry_agency_ids()
    return Agency.objects.all() if visible is None else Agency.objects.filter(pk__in=visible)


def public_av_list(agency_code: str = ""):
    """The published 音像记录事项清单 (active entries), optionally of one agency."""
    from sanxiang.registry.models import AvRequirement

    qs = AvRequirement.objects.filter(is_active=True).select_related("agency")
    if agency_code:
        qs = qs.filter(agency__code=agency_code)
    return qs.order_by("agency__code", "flow_code", "step_code", "pk")


# --- 执法人员资格管理 ---------------------------------------------------------------------------------

# Who reads the certificate register of their agency tree (supervisors: every agency).
CERTIFICATE_READERS = {"supervisor", "agency_head", "unit_head"}


def officers_visible(user, *, agency_code: str = "", query: str = "", status: str = "") -> QuerySet[Officer]:
    qs = Officer.objects.visible_to(user).select_related("agency")
    if agency_code:
        qs = qs.filter(agency__code=agency_code)
    if query:
        qs = qs.filter(Q(name__icontains=query.strip()) | Q(certificate_no__iexact=query.strip()))
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("agency__code", "name")


def certificate_history(officer: Officer):
    return officer.certificate_events.select_related("actor").order_by("on", "pk")


def certified_officers(agency_ids, on: dt.date) -> QuerySet[Officer]:
    """Officers holding a certificate valid on `on` (the staff the 5% rule is measured against)."""
    from sanxiang.registry.choices import OfficerStatus

    return Officer.objects.filter(agency_id__in=agency_ids, certificate_no__isnull=False, status=OfficerStatus.ACTIVE,
                                  valid_from__lte=on, valid_to__gte=on)


def reviewer_staffing(agency: Agency, on: dt.date | None = None) -> dict:
    """法制审核人员配备: the agency's legal reviewers against the ratio parameter (原则上不少于
    本单位执法人员总数的5%), each with the qualification number the rule requires."""
    from math import ceil

    from sanxiang.registry.params import param

    on = on or dt.date.today()
    officers = certified_officers([agency.pk], on).count()
    reviewers = list(Officer.objects.filter(agency=agency, is_legal_reviewer=True).order_by("name"))
    percent = param("legal_reviewer_ratio_percent", agency)
    required = ceil(officers * percent / 100) if officers else 0
    return {
        "agency": agency, "officers": officers, "reviewers": len(reviewers), "percent": percent,
        "required": max(required, 1 if officers else 0),
        "ok": len(reviewers) >= max(required, 1 if officers else 0),
        "ratio": (len(reviewers) / officers * 100) if officers else None,
        "rows": [{"name": r.name, "qualification_no": r.legal_qualification_no} for r in reviewers],
    }


def certificates_expiring(agency_ids, on: dt.date, days: int) -> QuerySet[Officer]:
    from sanxiang.registry.choices import OfficerStatus

    qs = Officer.objects.filter(certificate_no__isnull=False, status=OfficerStatus.ACTIVE, valid_to__gte=on,
                                valid_to__lte=on + dt.timedelta(days=days))
    if agency_ids is not None:
        qs = qs.filter(agency_id__in=agency_ids)
    return qs.select_related("agency").order_by("valid_to")
