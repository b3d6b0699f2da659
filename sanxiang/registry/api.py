from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from sanxiang.common.exceptions import ValidationFailed
from sanxiang.registry import importers, selectors


class PublicOfficerOutput(serializers.Serializer):
    """Only public columns: never ID number or phone."""

    name = serializers.CharField()
    agency = serializers.CharField(source="agency.name")
    certificate_no = serializers.CharField()
    enforcement_kinds = serializers.ListField(child=serializers.CharField())
    enforcement_area = serializers.CharField()
    valid_from = serializers.DateField()
    valid_to = serializers.DateField()
    status = serializers.CharField()


class CitationOutput(serializers.Serializer):
    """One structured citation with what it allows (the rows the engine enforces)."""

    role = serializers.CharField()
    citation = serializers.CharField(source="citation_text")
    law = serializers.CharField(source="law.short_title")
    article = serializers.IntegerField()
    suffix = serializers.IntegerField()
    paragraph = serializers.IntegerField(allow_null=True)
    item = serializers.IntegerField(source="item_no", allow_null=True)
    penalty_kinds = serializers.ListField(child=serializers.CharField())
    fine_basis = serializers.CharField()
    citizen_min = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    citizen_max = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    org_min = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    org_max = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    multiple_min = serializers.DecimalField(max_digits=8, decimal_places=2, allow_null=True)
    multiple_max = serializers.DecimalField(max_digits=8, decimal_places=2, allow_null=True)
    base_label = serializers.CharField()
    range = serializers.CharField(source="range_text")


class ItemOutput(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.CharField()
    agency = serializers.CharField(source="agency.code")
    legal_basis = serializers.JSONField()
    penalty_basis = serializers.JSONField()
    citations = CitationOutput(many=True, source="citations.all")
    benchmarks = serializers.SerializerMethodField()

    def get_benchmarks(self, item) -> list[dict]:
        """Every published 裁量基准 version of the item (行政处罚法第三十四条), newest first."""
        return [{
            "version": b.version, "effective_from": b.effective_from.isoformat(), "title": b.label,
            "tiers": [{"tier": t.tier, "label": t.get_tier_display(), "description": t.description,
                       "penalty_kinds": t.penalty_kinds, "citizen": t.citizen_text, "organisation": t.org_text,
                       "multiple": t.multiple_text} for t in b.tiers.all()],
            "circumstances": [{"code": c.code, "label": c.label, "tier": c.tier, "rule": c.rule}
                              for c in b.circumstances.all()],
        } for b in item.benchmarks.order_by("-version").prefetch_related("tiers", "circumstances")]
    flow = serializers.CharField(source="flow.code")


class AgencyOutput(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    uscc = serializers.CharField()
    parent = serializers.CharField(source="parent.code", allow_null=True, default=None)
    authority_basis = serializers.CharField()
    jurisdiction = serializers.CharField()
    complaint_phone = serializers.CharField()
    reconsideration_body = serializers.CharField()
    litigation_court = serializers.CharField()


class PublicOfficerListApi(APIView):
    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_scope = "public_search"  # settings.RATE_LIMITS: searches are what scrapers hammer

    @extend_schema(responses=PublicOfficerOutput(many=True), summary="执法人员名录（按姓名或执法证号查询）")
    def get(self, request):
        qs = selectors.public_officers(query=request.query_params.get("q", ""),
                                       agency_code=request.query_params.get("agency", ""))
        return Response(PublicOfficerOutput(qs[:200], many=True).data)


class PublicItemListApi(APIView):
    permission_classes = [AllowAny]
    authentication_classes = []

    @extend_schema(responses=ItemOutput(many=True), summary="执法事项清单")
    def get(self, request):
        qs = selectors.public_items(agency_code=request.query_params.get("agency", ""),
                                    kind=request.query_params.get("kind", ""))
        return Response(ItemOutput(qs, many=True).data)


class PublicAgencyListApi(APIView):
    permission_classes = [AllowAny]
    authentication_classes = []

    @extend_schema(responses=AgencyOutput(many=True), summary="执法主体")
    def get(self, request):
        return Response(AgencyOutput(selectors.public_agencies(), many=True).data)


class ImportInput(serializers.Serializer):
    file = serializers.FileField(help_text="Excel（.xlsx），表头见模板")


class ImportOutput(serializers.Serializer):
    imported = serializers.IntegerField()


class RegistryImportApi(APIView):
    """Excel import; a file with any bad row imports nothing (error lists row, column, rule)."""

    parser_classes = [MultiPartParser]

    @extend_schema(request={"multipart/form-data": ImportInput}, responses={201: ImportOutput},
                   summary="Excel导入执法人员（officers）或执法事项（items）")
    def post(self, request, kind: str):
        run = {"officers": importers.import_officers, "items": importers.import_items}.get(kind)
        if run is None:
            raise ValidationFailed("导入类型须为 officers 或 items", field="kind", code="import_kind")
        upload = request.FILES.get("file")
        if upload is None:
            raise ValidationFailed("请上传 Excel（.xlsx）文件", field="file", code="file_required")
        rows = run(upload, actor=request.user)
        return Response({"imported": len(rows)}, status=201)


class AvRequirementOutput(serializers.Serializer):
    agency = serializers.CharField(source="agency.code")
    name = serializers.CharField()
    flow_code = serializers.CharField()
    step_code = serializers.CharField()
    when_field = serializers.CharField()
    when_values = serializers.JSONField()
    basis = serializers.CharField()
    description = serializers.CharField()


class PublicAvListApi(APIView):
    permission_classes = [AllowAny]
    authentication_classes = []

    @extend_schema(responses=AvRequirementOutput(many=True), summary="音像记录事项清单（引擎据此强制）")
    def get(self, request):
        qs = selectors.public_av_list(agency_code=request.query_params.get("agency", ""))
        return Response(AvRequirementOutput(qs, many=True).data)


class CertificateEventOutput(serializers.Serializer):
    action = serializers.CharField()
    action_label = serializers.CharField(source="get_action_display")
    on = serializers.DateField()
    reason = serializers.CharField()
    year = serializers.IntegerField(allow_null=True)
    hours = serializers.DecimalField(max_digits=6, decimal_places=1, allow_null=True)
    course = serializers.CharField()
    score = serializers.DecimalField(max_digits=5, decimal_places=1, allow_null=True)
    passed = serializers.BooleanField(allow_null=True)
    certificate_no = serializers.CharField()
    valid_from = serializers.DateField(allow_null=True)
    valid_to = serializers.DateField(allow_null=True)
    enforcement_kinds = serializers.ListField(child=serializers.CharField())
    ledger_index = serializers.IntegerField(allow_null=True)


class CertificateStateOutput(serializers.Serializer):
    name = serializers.CharField()
    agency = serializers.CharField(source="agency.name")
    certificate_no = serializers.CharField(allow_null=True)
    status = serializers.CharField()
    valid_from = serializers.DateField(allow_null=True)
    valid_to = serializers.DateField(allow_null=True)
    enforcement_kinds = serializers.ListField(child=serializers.CharField())
    history = CertificateEventOutput(many=True, source="certificate_events.all")


class CertificateActInput(serializers.Serializer):
    on = serializers.DateField(required=False, help_text="日期，默认今天")
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    hours = serializers.DecimalField(required=False, max_digits=6, decimal_places=1)
    course = serializers.CharField(required=False, allow_blank=True, max_length=200)
    score = serializers.DecimalField(required=False, max_digits=5, decimal_places=1)
    certificate_no = serializers.CharField(required=False, allow_blank=True, max_length=40)
    valid_from = serializers.DateField(required=False)
    valid_to = serializers.DateField(required=False)
    year = serializers.IntegerField(required=False, min_value=2000, max_value=2100)
    passed = serializers.BooleanField(required=False, default=True)
    enforcement_kinds = serializers.ListField(child=serializers.CharField(), required=False)


def _officer_for(request, pk: int):
    from django.core.exceptions import PermissionDenied


    if request.user.role not in selectors.CERTIFICATE_READERS:
        raise PermissionDenied("执法人员资格管理仅供执法监督人员、机关负责人和承办机构负责人查看")
    return selectors.officer_get(request.user, pk)


class OfficerCertificateApi(APIView):
    @extend_schema(responses=CertificateStateOutput, summary="执法证状态及资格管理记录")
    def get(self, request, pk: int):
        return Response(CertificateStateOutput(_officer_for(request, pk)).data)


class OfficerCertificateActApi(APIView):
    @extend_schema(request=CertificateActInput, responses={201: CertificateEventOutput},
                   summary="办理执法证事项（申领、培训学时、考试、发证、换证、年度审验、暂扣、恢复、吊销）")
    def post(self, request, pk: int, action: str):
        from sanxiang.registry.certificates import certificate_act

        officer = _officer_for(request, pk)
        data = CertificateActInput(data=request.data)
        data.is_valid(raise_exception=True)
        event = certificate_act(actor=request.user, officer=officer, action=action, data=dict(data.validated_data))
        return Response(CertificateEventOutput(event).data, status=201)
