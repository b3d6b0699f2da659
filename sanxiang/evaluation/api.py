"""案卷评查 API: rounds, a sampled file with its template, scoring, and the agency's answer."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from sanxiang.accounts.models import Role
from sanxiang.evaluation import selectors, services
from sanxiang.evaluation.models import EvaluatedFile, Rectification


class RoundOutput(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    year = serializers.IntegerField()
    template = serializers.CharField(source="template.name")
    ratio = serializers.DecimalField(max_digits=4, decimal_places=3)
    state = serializers.CharField()
    draw = serializers.IntegerField(source="draw_id", allow_null=True)


class TemplateItemOutput(serializers.Serializer):
    id = serializers.IntegerField()
    order = serializers.IntegerField()
    part = serializers.CharField()
    text = serializers.CharField()
    points = serializers.DecimalField(max_digits=5, decimal_places=1)
    is_veto = serializers.BooleanField()


class FileOutput(serializers.Serializer):
    id = serializers.IntegerField()
    round = serializers.IntegerField(source="round_id")
    case_number = serializers.CharField(source="case.number")
    agency = serializers.CharField(source="case.agency.name")
    evaluator = serializers.CharField(source="evaluator.username")
    score = serializers.DecimalField(max_digits=5, decimal_places=1, allow_null=True)
    grade = serializers.CharField()
    vetoed = serializers.BooleanField()
    comment = serializers.CharField()
    items = TemplateItemOutput(many=True, source="round.template.items.all")
    ledger_index = serializers.IntegerField(allow_null=True)


class ScoreInput(serializers.Serializer):
    scores = serializers.DictField(child=serializers.DictField(), help_text="评查条目编号 → {points, triggered, note}")
    comment = serializers.CharField(max_length=4000)


class AnswerInput(serializers.Serializer):
    answer = serializers.CharField(max_length=4000)


def _reader(user):
    if user.role not in selectors.READERS:
        raise PermissionDenied("案卷评查仅供执法监督人员及被评查机关的负责人、法制审核人员查看")


def _file(user, pk: int) -> EvaluatedFile:
    _reader(user)
    qs = EvaluatedFile.objects.select_related("case__agency", "round__template", "evaluator")
    if user.role == Role.SUPERVISOR:
        from sanxiang.common.exceptions import NotFound

        row = qs.filter(pk=pk).first()
        if row is None:
            raise NotFound("评查案卷不存在")
        return row
    return qs.get_visible(user, pk=pk, message="评查案卷不存在或无权查看")


class RoundListApi(APIView):
    @extend_schema(responses=RoundOutput(many=True), summary="案卷评查活动")
    def get(self, request):
        _reader(request.user)
        return Response(RoundOutput(selectors.rounds_for(request.user).select_related("template")[:200],
                                    many=True).data)


class FileApi(APIView):
    @extend_schema(responses=FileOutput, summary="评查案卷及评查标准条目")
    def get(self, request, pk: int):
        return Response(FileOutput(_file(request.user, pk)).data)


class FileScoreApi(APIView):
    @extend_schema(request=ScoreInput, responses=FileOutput, summary="逐项评分（仅抽取确定的评查人员）")
    def post(self, request, pk: int):
        file = _file(request.user, pk)
        data = ScoreInput(data=request.data)
        data.is_valid(raise_exception=True)
        file = services.file_score(actor=request.user, file=file, scores=data.validated_data["scores"],
                                   comment=data.validated_data["comment"])
        return Response(FileOutput(file).data)


class RectificationAnswerApi(APIView):
    @extend_schema(request=AnswerInput, responses=dict, summary="被评查机关反馈整改情况")
    def post(self, request, pk: int):
        _reader(request.user)
        row = Rectification.objects.get_visible(request.user, pk=pk, message="整改通知不存在或无权查看")
        data = AnswerInput(data=request.data)
        data.is_valid(raise_exception=True)
        row = services.rectification_answer(actor=request.user, rectification=row, answer=data.validated_data["answer"])
        return Response({"id": row.pk, "state": row.state, "answered_at": row.answered_at})
