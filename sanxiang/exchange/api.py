"""API: 双公示 export, the incremental feed (token or session), and the published annual reports."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from sanxiang.common.exceptions import ValidationFailed
from sanxiang.common.params import query_date
from sanxiang.exchange import export, selectors
from sanxiang.exchange.feed import feed_page, parse_cursor, parse_limit
from sanxiang.exchange.report_pdf import report_tables

KIND = OpenApiParameter("kind", str, description="penalty（行政处罚）或 licensing（行政许可）")


class ExportApi(APIView):
    def perform_content_negotiation(self, request, force=False):
        # ?format= names the export file's format here, not DRF's response renderer.
        return super().perform_content_negotiation(request, force=True)

    @extend_schema(parameters=[KIND, OpenApiParameter("format", str, description="json、csv 或 xlsx"),
                               OpenApiParameter("since", OpenApiTypes.DATE), OpenApiParameter("until", OpenApiTypes.DATE)],
                   responses=OpenApiTypes.BINARY, summary="双公示数据导出（信用中国字段，已脱敏）")
    def get(self, request):
        selectors.require_exchange(request.user)
        kind, fmt = request.query_params.get("kind", "penalty"), request.query_params.get("format", "json")
        if fmt not in export.FORMATS:
            raise ValidationFailed(f"不支持的导出格式“{fmt}”，可选：xlsx、csv、json", field="format",
                                   code="export_format_unknown")
        publications = export.exportable(kind, user=request.user, since=query_date(request.query_params, "since"),
                                         until=query_date(request.query_params, "until"))
        body = export.render(kind, export.export_rows(kind, publications), fmt)
        response = HttpResponse(body, content_type=export.FORMATS[fmt])
        if fmt != "json":
            response["Content-Disposition"] = f'attachment; filename="export.{fmt}"'
        return response


class FeedApi(APIView):
    """Changes after `cursor` (the ledger index): ask again with `next_cursor` until has_more is false."""

    @extend_schema(parameters=[OpenApiParameter("cursor", int, description="上一页的 next_cursor；首次不填"),
                               OpenApiParameter("limit", int, description="每页日志条目数，1–500，默认100")],
                   responses=dict, summary="公示数据增量接口（游标分页，含更正、撤回）")
    def get(self, request):
        selectors.require_exchange(request.user)
        page = feed_page(cursor=parse_cursor(request.query_params.get("cursor")),
                         limit=parse_limit(request.query_params.get("limit")), user=request.user)
        return Response(page.as_dict())


class AnnualReportListApi(APIView):
    permission_classes = [AllowAny]
    authentication_classes = []

    @extend_schema(responses=dict, summary="已公布的年度行政执法数据（公开）")
    def get(self, request):
        return Response({"reports": [{
            "id": r.pk, "year": r.year, "scope": r.scope_name, "agency": r.agency.code if r.agency_id else None,
            "version": r.version, "published_at": r.published_at, "figures": r.figures,
            "figures_sha256": r.figures_sha256, "ledger_index": r.ledger_index,
            "pdf_sha256": r.pdf.sha256 if r.pdf_id else None, "tables": report_tables(r.figures),
        } for r in selectors.released_reports()], "as_of": timezone.now()})
