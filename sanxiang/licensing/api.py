"""Licensing API: public apply (no login, rate-limited), service guides and fee lists (public);
staff: applications list, counter application, registration for handling, 补正 materials. The
case's own steps go through the case action API (/api/cases/<pk>/actions/<action>/)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from sanxiang.common.exceptions import NotFound, ValidationFailed
from sanxiang.common.parsers import JSONParser
from sanxiang.licensing import selectors
from sanxiang.licensing.forms import applicant_from, files_from
from sanxiang.licensing.services import (
    application_register,
    application_submit,
    materials_add,
    materials_supplement_online,
)
from sanxiang.records.uploads import HashingUploadHandler
from sanxiang.registry.models import EnforcementItem, Officer


def _licensing_item(pk: int) -> EnforcementItem:
    item = EnforcementItem.objects.select_related("agency").filter(pk=pk, kind="licensing", is_active=True).first()
    if item is None:
        raise NotFound("许可事项不存在或已停用")
    return item


class GuideOutput(serializers.Serializer):
    item = serializers.CharField(source="item.name")
    item_code = serializers.CharField(source="item.code")
    agency = serializers.CharField(source="item.agency.name")
    basis = serializers.CharField()
    accepting_body = serializers.CharField()
    approving_body = serializers.CharField()
    conditions = serializers.CharField()
    materials = serializers.ListField(child=serializers.DictField())
    steps = serializers.CharField()
    time_limit = serializers.CharField()
    fees = serializers.CharField()
    contacts = serializers.CharField()
    supervision = serializers.CharField()
    remedy = serializers.CharField()
    online = serializers.BooleanField()


class PublicGuideApi(APIView):
    permission_classes = [AllowAny]
    authentication_classes = []

    @extend_schema(responses=GuideOutput, summary="行政许可事项服务指南（公开）")
    def get(self, request, pk: int):
        guide = selectors.public_guide(_licensing_item(pk))
        if guide is None:
            raise NotFound("该事项尚未公布服务指南")
        return Response(GuideOutput(guide).data)


class FeeItemOutput(serializers.Serializer):
    agency = serializers.CharField(source="agency.name")
    kind = serializers.CharField(source="get_kind_display")
    code = serializers.CharField()
    name = serializers.CharField()
    basis = serializers.CharField()
    standard = serializers.CharField()
    unit = serializers.CharField()
    unit_amount = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)


class PublicFeeListApi(APIView):
    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_scope = "public_search"

    @extend_schema(responses=FeeItemOutput(many=True), summary="收费（征收）清单（公开）")
    def get(self, request):
        return Response(FeeItemOutput(selectors.public_fee_list()[:1000], many=True).data)


class ApplicationOutput(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    agency = serializers.CharField(source="agency.code")
    item = serializers.CharField(source="item.code")
    channel = serializers.CharField()
    applicant_name = serializers.CharField()
    request = serializers.CharField()
    received_on = serializers.DateField()
    case = serializers.IntegerField(source="case_id", allow_null=True)
    case_number = serializers.SerializerMethodField()
    materials = serializers.SerializerMethodField()

    def get_case_number(self, app) -> str:
        return app.case.number if app.case_id else ""

    def get_materials(self, app) -> list:
        return [{"key": m.key, "label": m.label, "sha256": m.file.sha256, "size": m.file.size,
                 "name": m.original_name, "supplement": m.supplement}
                for m in app.materials.select_related("file")]


class _Uploads(APIView):
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    def initialize_request(self, request, *args, **kwargs):
        request.upload_handlers = [HashingUploadHandler(request)]  # hashed while the body streams in
        return super().initialize_request(request, *args, **kwargs)


class PublicApplyApi(_Uploads):
    """网上申请: multipart with applicant_* fields, `request` and one file per material (material_<key>)."""

    permission_classes = [AllowAny]
    authentication_classes = []

    @extend_schema(request={"multipart/form-data": {"type": "object", "additionalProperties": True}},
                   responses={201: dict}, summary="网上提出行政许可申请（公开，限频）")
    def post(self, request, pk: int):
        item = _licensing_item(pk)
        application, code = application_submit(item=item, applicant=applicant_from(request.data),
                                               request=request.data.get("request", ""), files=files_from(request.FILES))
        return Response({"number": application.number, "query_code": code, "received_on": application.received_on,
                         "progress": "/progress/",
                         "notice": "请妥善保存申请编号和查询码（查询码只显示这一次），凭其在“办理进度查询”查看进度"},
                        status=201)


class PublicSupplementApi(_Uploads):
    """网上补正: multipart with `number`, `query_code` and one file per listed material (material_<key>)."""

    permission_classes = [AllowAny]
    authentication_classes = []

    @extend_schema(request={"multipart/form-data": {"type": "object", "additionalProperties": True}},
                   responses={201: dict}, summary="网上提交补正材料（凭申请编号和查询码，公开，限频）")
    def post(self, request):
        application, rows = materials_supplement_online(number=str(request.data.get("number", "")),
                                                        code=str(request.data.get("query_code", "")),
                                                        files=files_from(request.FILES))
        return Response({"number": application.number,
                         "materials": [{"key": r.key, "label": r.label, "sha256": r.file.sha256}
                                       for r in rows if hasattr(r, "key")],
                         "notice": "补正材料已提交，承办人员登记补正后继续审查受理"}, status=201)


class ApplicationListApi(_Uploads):
    @extend_schema(responses=ApplicationOutput(many=True), summary="本机关行政许可申请（待登记办理的 waiting=1）")
    def get(self, request):
        rows = selectors.applications_for(request.user, waiting=True if request.GET.get("waiting") == "1" else None)
        return Response(ApplicationOutput(rows[:500], many=True).data)

    @extend_schema(request={"multipart/form-data": {"type": "object", "additionalProperties": True}},
                   responses={201: ApplicationOutput}, summary="窗口登记行政许可申请（执法人员）")
    def post(self, request):
        try:
            item_id = int(request.data.get("item", ""))
        except (TypeError, ValueError):
            raise ValidationFailed("请选择许可事项", field="item", code="item_required") from None
        item = EnforcementItem.objects.filter(pk=item_id, kind="licensing", is_active=True).first()
        visible = request.user.visible_agency_ids()
        if item is None or (visible is not None and item.agency_id not in visible):
            raise NotFound("许可事项不存在或无权办理")
        application, _code = application_submit(item=item, applicant=applicant_from(request.data), actor=request.user,
                                                 request=request.data.get("request", ""),
                                                 files=files_from(request.FILES))
        return Response(ApplicationOutput(application).data, status=201)


class RegisterInput(serializers.Serializer):
    officers = serializers.ListField(child=serializers.IntegerField(), help_text="承办人员（执法人员 id，含本人）")


class ApplicationRegisterApi(APIView):
    @extend_schema(request=RegisterInput, responses={201: dict}, summary="登记办理：以申请立案进入行政许可流程")
    def post(self, request, pk: int):
        application = selectors.application_get(request.user, pk)
        data = RegisterInput(data=request.data)
        if not data.is_valid():
            raise ValidationFailed("请选择承办人员", field="officers", code="officers_required")
        officers = list(Officer.objects.filter(pk__in=data.validated_data["officers"]))
        case = application_register(application=application, actor=request.user, officers=officers)
        return Response({"case": case.pk, "number": case.number, "state": case.state}, status=201)


class ApplicationMaterialsApi(_Uploads):
    @extend_schema(request={"multipart/form-data": {"type": "object", "additionalProperties": True}},
                   responses={201: ApplicationOutput}, summary="登记补正材料（material_<key> 文件）")
    def post(self, request, pk: int):
        application = selectors.application_get(request.user, pk)
        materials_add(application=application, actor=request.user, files=files_from(request.FILES))
        return Response(ApplicationOutput(selectors.application_get(request.user, pk)).data, status=201)
