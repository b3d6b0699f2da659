"""Compulsion API: open the enforcement case of an unpaid fine; list seizures and enforcement cases.

The flows themselves are walked through the case API (POST /api/cases/<id>/actions/<action>/),
like every flow the engine runs.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from sanxiang.cases import selectors as case_selectors
from sanxiang.cases.api import CaseDetailOutput
from sanxiang.common.exceptions import RoleNotAllowed
from sanxiang.compulsion import selectors
from sanxiang.compulsion.services import enforcement_open_from_penalty
from sanxiang.registry.models import Officer


class FromPenaltyInput(serializers.Serializer):
    officers = serializers.ListField(child=serializers.CharField(), required=False,
                                     help_text="执法证号（至少两人，须持有行政强制执法类别）；不填时为处罚案件的承办人员")


class FromPenaltyApi(APIView):
    @extend_schema(request=FromPenaltyInput, responses={201: CaseDetailOutput},
                   summary="罚款逾期未缴纳：移送行政强制执行（立案，带罚款及加处罚款）")
    def post(self, request, pk: int):
        penalty_case = case_selectors.case_get(request.user, pk)
        data = FromPenaltyInput(data=request.data)
        data.is_valid(raise_exception=True)
        numbers = data.validated_data.get("officers")
        officers = list(Officer.objects.filter(certificate_no__in=numbers)) if numbers else None
        case = enforcement_open_from_penalty(actor=request.user, penalty_case=penalty_case, officers=officers)
        case = case_selectors.case_get(request.user, case.pk)
        return Response(CaseDetailOutput(case, context={"request": request}).data, status=201)


class CompulsionOverviewApi(APIView):
    @extend_schema(responses={200: dict}, summary="查封扣押（期限）与强制执行案件、逾期未缴纳罚款")
    def get(self, request):
        from sanxiang.compulsion.views import STAFF

        if request.user.role not in STAFF:
            raise RoleNotAllowed("行政强制案件仅供执法机关工作人员和监督人员查看", code="role_not_allowed")
        return Response({
            "seizures": [{"case": r["case"].pk, "number": r["case"].number, "state": r["case"].state,
                          "ends_on": r["ends_on"], "days_left": r["days_left"], "extended": r["extended"]}
                         for r in selectors.seizures(request.user)],
            "enforcements": [{"case": c.pk, "number": c.number, "state": c.state,
                              "amount_due": c.data.get("amount_due")} for c in selectors.enforcements(request.user)],
            "overdue_fines": [{"case": r["case"].pk, "number": r["case"].number, "fine": str(r["fine"]),
                               "surcharge": str(r["surcharge"]), "total": str(r["total"])}
                              for r in selectors.overdue_fines(request.user)],
        })
