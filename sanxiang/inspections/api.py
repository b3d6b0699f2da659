"""REST API of 行政检查与双随机 (the same services as the staff pages)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from sanxiang.common.exceptions import NotFound, ValidationFailed
from sanxiang.common.params import MAX_DB_INT
from sanxiang.draws.models import Draw
from sanxiang.inspections import importers, selectors, services
from sanxiang.inspections.models import CheckItem, MarketEntity
from sanxiang.registry.models import Officer


class CheckItemOutput(serializers.Serializer):
    id = serializers.IntegerField()
    agency = serializers.CharField(source="agency.code")
    item = serializers.CharField(source="item.code")
    name = serializers.CharField()
    basis = serializers.CharField()
    subject = serializers.CharField(source="agency.name")
    targets = serializers.CharField()
    content = serializers.CharField()
    ratio = serializers.CharField()
    method = serializers.CharField(source="get_method_display")
    frequency = serializers.CharField()


class PublicCheckItemListApi(APIView):
    permission_classes = [AllowAny]
    authentication_classes = []

    @extend_schema(responses=CheckItemOutput(many=True), summary="随机抽查事项清单")
    def get(self, request):
        qs = selectors.public_check_items(agency_code=request.query_params.get("agency", ""))
        return Response(CheckItemOutput(qs, many=True).data)


class DrawInput(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="")
    redraw_of = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=1,
                                         max_value=MAX_DB_INT)


class PlanDrawApi(APIView):
    @extend_schema(request=DrawInput, responses={201: dict}, summary="双随机抽取（先记录种子承诺，再抽取并公开）")
    def post(self, request, pk: int):
        plan = selectors.staff_plan(request.user, pk)
        data = DrawInput(data=request.data)
        data.is_valid(raise_exception=True)
        redraw_of = None
        if data.validated_data["redraw_of"] is not None:
            redraw_of = Draw.objects.filter(pk=data.validated_data["redraw_of"], subject=plan.draw_subject).first()
            if redraw_of is None:
                raise ValidationFailed("所替代的抽取不属于本计划", field="redraw_of", code="redraw_other_subject")
        draw = services.plan_draw(actor=request.user, plan=plan, reason=data.validated_data["reason"],
                                  redraw_of=redraw_of)
        return Response(draw.published(), status=201)


class TaskFromDrawInput(serializers.Serializer):
    uscc = serializers.CharField()


class CaseRefOutput(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    state = serializers.CharField()


class PlanTaskApi(APIView):
    @extend_schema(request=TaskFromDrawInput, responses={201: CaseRefOutput}, summary="按抽取结果生成检查任务（检查案件）")
    def post(self, request, pk: int):
        plan = selectors.staff_plan(request.user, pk)
        data = TaskFromDrawInput(data=request.data)
        data.is_valid(raise_exception=True)
        case = services.task_open_from_draw(actor=request.user, plan=plan, uscc=data.validated_data["uscc"])
        return Response(CaseRefOutput(case).data, status=201)


class AdHocTaskInput(serializers.Serializer):
    check_item = serializers.IntegerField(min_value=1, max_value=MAX_DB_INT)
    uscc = serializers.CharField()
    officers = serializers.ListField(child=serializers.CharField(), help_text="执法证号")
    source = serializers.CharField(required=False, allow_blank=True, default="")


class AdHocTaskApi(APIView):
    @extend_schema(request=AdHocTaskInput, responses={201: CaseRefOutput}, summary="生成非随机抽取的检查任务")
    def post(self, request):
        data = AdHocTaskInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        check_item = CheckItem.objects.get_visible(request.user, pk=v["check_item"], message="抽查事项不存在或无权查看")
        entity = MarketEntity.objects.filter(agency=check_item.agency, uscc=v["uscc"]).first()
        if entity is None:
            raise ValidationFailed("检查对象不在本机关名录库中", field="uscc", code="entity_unknown")
        officers = []
        for number in v["officers"]:
            officer = Officer.objects.filter(certificate_no=number).first()
            if officer is None:
                raise ValidationFailed(f"执法证号“{number}”不存在", field="officers", code="officer_unknown")
            officers.append(officer)
        case = services.task_open_ad_hoc(actor=request.user, check_item=check_item, entity=entity, officers=officers,
                                         source=v["source"])
        return Response(CaseRefOutput(case).data, status=201)


class AvoidanceInput(serializers.Serializer):
    officer = serializers.CharField(help_text="执法证号")
    uscc = serializers.CharField()
    reason = serializers.CharField(allow_blank=True)


class AvoidanceApi(APIView):
    @extend_schema(request=AvoidanceInput, responses={201: dict}, summary="回避申报")
    def post(self, request):
        data = AvoidanceInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        entity = selectors.staff_entities(request.user).filter(uscc=v["uscc"]).first()
        officer = Officer.objects.filter(certificate_no=v["officer"]).first()
        if entity is None or officer is None or officer.agency_id not in entity.agency.descendant_ids():
            raise NotFound("检查对象或执法人员不存在")
        row = services.avoidance_declare(actor=request.user, officer=officer, entity=entity, reason=v["reason"])
        return Response({"id": row.pk}, status=201)


class EntityImportApi(APIView):
    parser_classes = [MultiPartParser]

    @extend_schema(request={"multipart/form-data": {"type": "object", "properties": {"file": {"type": "string",
                                                                                              "format": "binary"}}}},
                   responses={201: dict}, summary="Excel导入检查对象名录库")
    def post(self, request):
        upload = request.FILES.get("file")
        if upload is None:
            raise ValidationFailed("请上传 Excel（.xlsx）文件", field="file", code="file_required")
        rows = importers.import_entities(upload, actor=request.user)
        return Response({"imported": len(rows)}, status=201)
