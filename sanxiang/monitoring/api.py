"""API of the supervisor's platform: the dashboard figures, the list behind each, the alerts
and their handling. Same selectors and services as the pages."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from sanxiang.common.exceptions import RoleNotAllowed
from sanxiang.monitoring import selectors
from sanxiang.monitoring.services import alert_handle


def _rows(rows) -> list[dict]:
    return [{"label": r.label, "n": r.n, "filter": r.link, **({"extra": {k: str(v) for k, v in r.extra.items()}}
                                                             if r.extra else {})} for r in rows]


class DashboardApi(APIView):
    @extend_schema(responses={200: {"type": "object"}}, summary="监督驾驶舱数据（执法监督人员：全部机关；机关负责人：本机关及下级）",
                   parameters=[OpenApiParameter("days", int, required=False, description="“即将届满”的天数，默认7")])
    def get(self, request):
        selectors.require_dashboard(request.user)
        raw = request.query_params.get("days", "")
        days = int(raw) if raw.isdigit() and 0 < int(raw) <= 90 else selectors.DUE_SOON_DAYS
        f = selectors.dashboard(request.user, due_days=days)
        return Response({
            "on": f["on"].isoformat(), "due_days": days,
            "totals": {k: str(v) for k, v in f["totals"].items()},
            "overdue": {"n": f["overdue"], "filter": {"overdue": "1"}},
            "due_soon": {"n": f["due_soon"], "filter": {"due_soon": str(days)}},
            "by_agency": _rows(f["by_agency"]), "by_kind": _rows(f["by_kind"]), "by_state": _rows(f["by_state"]),
            "by_month": _rows(f["by_month"]), "reviews": _rows(f["reviews"]), "review_total": f["review_total"],
            "return_rate": f["return_rate"], "hearing_rate": f["hearing_rate"],
            "hearing_request_rate": f["hearing_request_rate"], "publications": _rows(f["publications"]),
            "certificates": _rows(f["certificates"]), "complaints": f["complaints"],
        })


class DrilldownCaseOutput(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    title = serializers.CharField()
    agency = serializers.CharField(source="agency.code")
    state = serializers.CharField()
    opened_on = serializers.DateField()
    step_due = serializers.DateField(allow_null=True)
    decision_due = serializers.DateField(allow_null=True)


class DrilldownApi(APIView):
    @extend_schema(responses=DrilldownCaseOutput(many=True), summary="驾驶舱数字背后的案件清单（筛选条件同页面）",
                   parameters=[OpenApiParameter(n, str, required=False) for n in selectors.CASE_FILTERS])
    def get(self, request):
        rows = selectors.case_drilldown(request.user, request.query_params)
        page = self.paginator.paginate_queryset(rows, request, view=self)
        return self.paginator.get_paginated_response(DrilldownCaseOutput(page, many=True).data)

    @property
    def paginator(self):
        if not hasattr(self, "_paginator"):
            from rest_framework.pagination import LimitOffsetPagination

            self._paginator = LimitOffsetPagination()
        return self._paginator


class AlertOutput(serializers.Serializer):
    id = serializers.IntegerField()
    rule = serializers.CharField(source="rule.code")
    rule_name = serializers.CharField(source="rule.name")
    severity = serializers.CharField()
    text = serializers.CharField()
    subject = serializers.CharField()
    case = serializers.IntegerField(source="case_id", allow_null=True)
    agency = serializers.IntegerField(source="agency_id", allow_null=True)
    due = serializers.DateField(allow_null=True)
    found_on = serializers.DateField()
    status = serializers.CharField()
    reason = serializers.CharField()


class AlertListApi(APIView):
    @extend_schema(responses=AlertOutput(many=True), summary="预警清单（本人可见范围）",
                   parameters=[OpenApiParameter(n, str, required=False) for n in ("rule", "status", "mine", "case")])
    def get(self, request):
        if not selectors.can_see_alerts(request.user):
            raise RoleNotAllowed("预警信息仅供办案、审核和监督人员查看", code="role_not_allowed")
        p = request.query_params
        rows = selectors.alert_list(request.user, rule=p.get("rule", ""), status=p.get("status", ""),
                                    mine=p.get("mine") == "1", case_number=p.get("case", ""))
        return Response(AlertOutput(rows[:1000], many=True).data)


class AlertActionInput(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True, required=False, default="")


class AlertActionApi(APIView):
    @extend_schema(request=AlertActionInput, responses=AlertOutput,
                   summary="确认（acknowledge）或排除（dismiss）预警，须填写理由，记入防篡改日志")
    def post(self, request, pk: int, action: str):
        alert = selectors.alert_get(request.user, pk)
        reason = request.data.get("reason", "") if hasattr(request.data, "get") else ""
        alert = alert_handle(alert=alert, actor=request.user, action=action, reason=str(reason or ""))
        return Response(AlertOutput(alert).data)
