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
