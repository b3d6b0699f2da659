from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from sanxiang.disclosure import selectors
from sanxiang.disclosure.services import publication_publish


class PublicationOutput(serializers.Serializer):
    id = serializers.IntegerField()
    agency = serializers.CharField(source="agency.name")
    title = serializers.CharField()
    decision_number = serializers.CharField()
    party_name = serializers.CharField()
    party_kind = serializers.CharField()
    content = serializers.JSONField()
    text = serializers.CharField()
    decided_on = serializers.DateField()
    status = serializers.CharField()
    due_on = serializers.DateField(allow_null=True)
    due_note = serializers.CharField()
    published_at = serializers.DateTimeField(allow_null=True)
    content_sha256 = serializers.CharField()
    ledger_index = serializers.IntegerField(allow_null=True)


class PublicationListApi(APIView):
    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_scope = "public_search"  # settings.RATE_LIMITS: searches are what scrapers hammer

    @extend_schema(responses=PublicationOutput(many=True), summary="已公示的执法决定（公开，无需登录）")
    def get(self, request):
        qs = selectors.published(query=request.query_params.get("q", ""),
                                 agency_code=request.query_params.get("agency", ""))
        return Response(PublicationOutput(qs[:500], many=True).data)


class PendingPublicationListApi(APIView):
    @extend_schema(responses=PublicationOutput(many=True), summary="待公示审核的决定（按机关过滤）")
    def get(self, request):
        return Response(PublicationOutput(selectors.pending_for(request.user)[:500], many=True).data)


class PublicationPublishApi(APIView):
    @extend_schema(request=None, responses=PublicationOutput, summary="公示审核并发布")
    def post(self, request, pk: int):
        publication = selectors.publication_get(request.user, pk)
        publication = publication_publish(publication=publication, actor=request.user)
        return Response(PublicationOutput(publication).data)


class ProgressLookupInput(serializers.Serializer):
    number = serializers.CharField(max_length=80, help_text="受理编号")
    code = serializers.CharField(max_length=40, help_text="查询码（提交时取得）")


class ProgressLookupApi(APIView):
    """办理进度查询. POST so the query code stays out of URLs and logs; rate-limited per address."""

    permission_classes = [AllowAny]
    authentication_classes = []

    @extend_schema(request=ProgressLookupInput, responses=dict, summary="办理进度查询（受理编号 + 查询码，公开）")
    def post(self, request):
        from sanxiang.common.exceptions import NotFound
        from sanxiang.common.tracking import progress_lookup

        data = ProgressLookupInput(data=request.data)
        data.is_valid(raise_exception=True)
        found = progress_lookup(data.validated_data["number"], data.validated_data["code"])
        if found is None:
            raise NotFound("未查到该编号，或查询码不正确")
        return Response(found.as_dict())


# --- the publication lifecycle (公示的全生命周期) -------------------------------------------------


class ReceiptOutput(serializers.Serializer):
    number = serializers.CharField(help_text="受理编号")
    code = serializers.CharField(help_text="查询码（只返回这一次）")
    due_on = serializers.DateField(allow_null=True, required=False)


class ErrorReportInput(serializers.Serializer):
    description = serializers.CharField(max_length=4000, allow_blank=True)
    contact = serializers.CharField(max_length=100, required=False, allow_blank=True)


class ErrorReportApi(APIView):
    """报告错误 (public, rate-limited per address like the portal form)."""

    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_scope = "public_report"

    @extend_schema(request=ErrorReportInput, responses={201: ReceiptOutput}, summary="报告公示信息错误（公开，无需登录）")
    def post(self, request, pk: int):
        from sanxiang.common.exceptions import NotFound
        from sanxiang.disclosure.reports import report_submit

        publication = selectors.published_get(pk)
        if publication is None:
            raise NotFound("公示信息不存在或已撤回")
        data = ErrorReportInput(data=request.data)
        data.is_valid(raise_exception=True)
        report, code = report_submit(publication=publication, **data.validated_data)
        return Response({"number": report.number, "code": code, "due_on": report.due_on}, status=201)


class CreditRepairInput(serializers.Serializer):
    decision_number = serializers.CharField(max_length=60)
    identity = serializers.CharField(max_length=30, help_text="当事人身份证号码或统一社会信用代码")
    applicant = serializers.CharField(max_length=100)
    contact = serializers.CharField(max_length=100)
    statement = serializers.CharField(max_length=4000)


class CreditRepairApi(APIView):
    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_scope = "public_report"

    @extend_schema(request=CreditRepairInput, responses={201: ReceiptOutput}, summary="信用修复申请（提前停止公示，公开）")
    def post(self, request):
        from sanxiang.disclosure.lifecycle import credit_repair_apply

        data = CreditRepairInput(data=request.data)
        data.is_valid(raise_exception=True)
        repair, code = credit_repair_apply(**data.validated_data)
        return Response({"number": repair.number, "code": code}, status=201)


class CorrectInput(serializers.Serializer):
    reason = serializers.CharField(max_length=500, allow_blank=True)
    extra_redactions = serializers.ListField(child=serializers.CharField(max_length=200), required=False, default=list)


class PublicationCorrectApi(APIView):
    @extend_schema(request=CorrectInput, responses={201: PublicationOutput}, summary="更正公示（生成新版本）")
    def post(self, request, pk: int):
        from sanxiang.disclosure.lifecycle import publication_correct

        publication = selectors.publication_get(request.user, pk)
        data = CorrectInput(data=request.data)
        data.is_valid(raise_exception=True)
        new = publication_correct(publication=publication, actor=request.user, **data.validated_data)
        return Response(PublicationOutput(new).data, status=201)


class WithdrawInput(serializers.Serializer):
    ground = serializers.CharField(max_length=20, allow_blank=True, help_text="changed/revoked/unlawful/invalid/remade")
    reason = serializers.CharField(max_length=500, allow_blank=True)
    occurred_on = serializers.DateField(required=False, allow_null=True, default=None)


class PublicationWithdrawApi(APIView):
    @extend_schema(request=WithdrawInput, responses=dict, summary="撤回公示（行政处罚法第四十八条）")
    def post(self, request, pk: int):
        from sanxiang.disclosure.lifecycle import publication_withdraw

        publication = selectors.publication_get(request.user, pk)
        data = WithdrawInput(data=request.data)
        data.is_valid(raise_exception=True)
        event = publication_withdraw(publication=publication, actor=request.user, **data.validated_data)
        return Response({"publication": publication.pk, "status": "withdrawn", "reason": event.reason,
                         "due_on": event.due_on, "late": event.late, "ledger_index": event.ledger_index})
