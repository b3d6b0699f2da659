from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from sanxiang.common.exceptions import RoleNotAllowed
from sanxiang.supervision.selectors import access_log_list, can_oversee
from sanxiang.supervision.views import _filters


class AccessLogOutput(serializers.Serializer):
    id = serializers.IntegerField()
    at = serializers.DateTimeField()
    actor = serializers.CharField(source="actor.username")
    actor_role = serializers.CharField()
    agency = serializers.CharField(source="agency.code")
    case = serializers.CharField(source="case.number")
    target = serializers.CharField()
    target_label = serializers.CharField()
    action = serializers.CharField()
    reason = serializers.CharField()
    flagged = serializers.BooleanField()
    ledger_index = serializers.IntegerField(allow_null=True)


class AccessLogListApi(APIView):
    @extend_schema(responses=AccessLogOutput(many=True), summary="调阅记录（监督人员、机关负责人、法制审核人员）",
                   parameters=[OpenApiParameter(n, str, required=False)
                               for n in ("agency", "user", "case", "action", "flagged", "since", "until")])
    def get(self, request):
        if not can_oversee(request.user):
            raise RoleNotAllowed("调阅记录仅供监督人员、机关负责人和法制审核人员查看", code="role_not_allowed")
        rows = access_log_list(request.user, **_filters(request.query_params))
        return Response(AccessLogOutput(rows[:1000], many=True).data)
