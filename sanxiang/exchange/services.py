"""Annual report services: generate (a new version), review (the agency head), publish (PDF + ledger).

The deployment-wide report (agency empty) is generated, reviewed and published by a supervisor
(司法局). Publishing logs the figures themselves in a public ledger entry with their SHA-256, so
anyone can check that the page and the PDF show what was logged.
"""

from __future__ import annotations

import datetime as dt

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from sanxiang.accounts.models import Role
from sanxiang.accounts.scoping import OutOfScope
from sanxiang.common.canonical import canonical_bytes, sha256_hex
from sanxiang.common.exceptions import NotFound, RoleNotAllowed, TransitionNotAllowed, ValidationFailed
from sanxiang.exchange.figures import compute_figures
from sanxiang.exchange.models import AnnualReport, ReportStatus
from sanxiang.ledger.services import ledger_append

RULE = "国办发〔2018〕118号（完善行政执法统计年报制度）"
DUE_MONTH, DUE_DAY = 1, 31
GENERATOR_ROLES = {Role.AGENCY_HEAD, Role.LEGAL_REVIEWER, Role.UNIT_HEAD}


def report_due(year: int) -> dt.date:
    """The report of `year` is published by 31 January of the next year."""
    return dt.date(year + 1, DUE_MONTH, DUE_DAY)


def _own_agency(actor, agency) -> bool:
    return agency is not None and actor.agency_id == agency.pk


def can_generate(actor, agency) -> bool:
    if actor.role == Role.SUPERVISOR:
        return True
    return actor.role in GENERATOR_ROLES and _own_agency(actor, agency)


def can_review(actor, agency) -> bool:
    """The agency's own head reviews its report; a supervisor the deployment's."""
    if agency is None:
        return actor.role == Role.SUPERVISOR
    return actor.role == Role.AGENCY_HEAD and _own_agency(actor, agency)


def can_publish(actor, agency) -> bool:
    if agency is None:
        return actor.role == Role.SUPERVISOR
    return actor.role in (Role.AGENCY_HEAD, Role.LEGAL_REVIEWER) and _own_agency(actor, agency)


def _locked(report: AnnualReport, actor) -> AnnualReport:
    row = AnnualReport.objects.select_for_update().filter(pk=report.pk).first()
    if row is None:
        raise NotFound("年度报告不存在或无权查看")
    if not AnnualReport.objects.visible_to(actor).filter(pk=report.pk).exists():
        raise OutOfScope("年度报告不存在或无权查看", ref=row.ledger_ref())
    return row


@transaction.atomic
def annual_report_generate(*, agency, year: int, actor, on: dt.date | None = None) -> AnnualReport:
    """A new version of the report of `agency` (None: every agency) for `year`, from the data."""
    on = on or timezone.localdate()
    if not can_generate(actor, agency):
        raise RoleNotAllowed("年度行政执法数据由本机关负责人、法制审核人员或承办机构负责人生成；全部机关的汇总由执法监督人员生成",
                             code="role_not_allowed", rule=RULE)
    if year >= on.year:
        raise ValidationFailed(f"{year}年度尚未结束，不能生成年度行政执法数据（公开的是上年度数据，{RULE}）",
                               field="year", code="year_not_over", rule=RULE)
    if year < 2000:
        raise ValidationFailed("年度不正确", field="year", code="year_invalid")
    figures = compute_figures(agency, year, on=on)
    previous = (AnnualReport.objects.select_for_update().filter(agency=agency, year=year)
                .order_by("-version").first())
    report = AnnualReport.objects.create(
        agency=agency, year=year, version=(previous.version + 1) if previous else 1, figures=figures,
        figures_sha256=sha256_hex(canonical_bytes(figures)), generated_at=timezone.now(), generated_by=actor)
    ledger_append(kind="annual_report.generate", actor=actor, agency=agency, subjects=[report],
                  content={"figures": report.figures_sha256}, summary=f"生成{report}")
    return report


@transaction.atomic
def annual_report_review(*, report: AnnualReport, actor, note: str = "") -> AnnualReport:
    """机关负责人审核: the head confirms the figures (the deployment's: a supervisor)."""
    report = _locked(report, actor)
    if not can_review(actor, report.agency):
        raise RoleNotAllowed(f"年度行政执法数据须经本机关负责人审核后公布（{RULE}）", code="role_not_allowed", rule=RULE)
    if report.status != ReportStatus.DRAFT:
        raise TransitionNotAllowed(f"该报告状态为“{report.get_status_display()}”，不能再次审核",
                                   code="report_not_draft", field="status")
    if _newer(report):
        raise TransitionNotAllowed("该报告已有更新的版本，请审核最新版本", code="report_superseded", field="version")
    report.status = ReportStatus.REVIEWED
    report.reviewed_at, report.reviewed_by, report.review_note = timezone.now(), actor, note[:300]
    report.save()
    ledger_append(kind="annual_report.review", actor=actor, agency=report.agency, subjects=[report],
                  content={"figures": report.figures_sha256}, summary=f"审核{report}")
    return report


def _newer(report: AnnualReport) -> bool:
    return AnnualReport.objects.filter(agency_id=report.agency_id, year=report.year, version__gt=report.version).exists()


def _store_pdf(data: bytes):
    from sanxiang.records.services import blob_put, file_store

    sha256 = sha256_hex(data)
    blob_put(ContentFile(data, name="annual-report.pdf"), sha256)
    return file_store(sha256=sha256, size=len(data))


@transaction.atomic
def annual_report_publish(*, report: AnnualReport, actor) -> AnnualReport:
    """Publish a reviewed report: PDF rendered, figures logged in a public ledger entry."""
    from sanxiang.exchange.report_pdf import render_report_pdf

    report = _locked(report, actor)
    if not can_publish(actor, report.agency):
        raise RoleNotAllowed("年度行政执法数据由本机关负责人或法制审核人员公布；全部机关的汇总由执法监督人员公布",
                             code="role_not_allowed", rule=RULE)
    if report.status == ReportStatus.DRAFT:
        raise TransitionNotAllowed(f"年度行政执法数据未经机关负责人审核，不能公布（{RULE}）",
                                   code="report_not_reviewed", field="status", rule=RULE)
    if report.status == ReportStatus.PUBLISHED:
        raise TransitionNotAllowed("该报告已公布", code="report_already_published", field="status")
    if _newer(report):
        raise TransitionNotAllowed("该报告已有更新的版本，请公布最新版本", code="report_superseded", field="version")
    earlier = (AnnualReport.objects.filter(agency_id=report.agency_id, year=report.year, status=ReportStatus.PUBLISHED)
               .order_by("-version").first())
    pdf, pdf_new = _store_pdf(render_report_pdf(report))
    report.status, report.published_at, report.published_by, report.pdf = (
        ReportStatus.PUBLISHED, timezone.now(), actor, pdf)
    report.save()
    entry = ledger_append(
        kind="annual_report.publish", actor=actor, agency=report.agency,
        subjects=[report, *([pdf] if pdf_new else [])], files=[pdf.sha256],
        content={"figures": report.figures_sha256}, public=True,
        data={"annual_report": {"year": report.year, "scope": report.scope_name, "version": report.version,
                                "figures": report.figures, "figures_sha256": report.figures_sha256,
                                "pdf_sha256": pdf.sha256}},
        supersedes=earlier.ledger_index if earlier else None, summary=f"公布{report}")
    report.ledger_index = entry.index
    AnnualReport.objects.filter(pk=report.pk).update(ledger_index=entry.index)
    if pdf_new:
        type(pdf).objects.filter(pk=pdf.pk).update(ledger_index=entry.index)
    return report
