"""API of 投诉举报, 监督案件 and 责任追究 (the same services and scoping as the pages)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from sanxiang.common.exceptions import RoleNotAllowed, ValidationFailed
from sanxiang.registry.models import Agency
from sanxiang.supervision import complaints as complaint_services
from sanxiang.supervision import matter_services as services
from sanxiang.supervision.accountability import can_see_accountability, responsibility
from sanxiang.supervision.matter_views import DENIED, can_handle, complaint_act, matter_act
from sanxiang.supervision.matters import ComplaintCategory, MatterDocument


def _require_handler(user) -> None:
    if not can_handle(user):
        raise RoleNotAllowed(DENIED, code="role_not_allowed")


# --- public intake -----------------------------------------------------------------------------


class ComplaintSubmitInput(serializers.Serializer):
    content = serializers.CharField(max_length=5000, help_text="投诉举报的事实和理由")
    category = serializers.ChoiceField(choices=ComplaintCategory.choices)
    agency = serializers.CharField(max_length=40, required=False, allow_blank=True,
                                   help_text="被投诉的执法机关代码（不填由司法行政部门办理）")
    decision_number = serializers.CharField(max_length=80, required=False, allow_blank=True)
    anonymous = serializers.BooleanField(default=True)
    name = serializers.CharField(max_length=60, required=False, allow_blank=True)
    phone = serializers.CharField(max_length=30, required=False, allow_blank=True)


class ComplaintSubmitApi(APIView):
    """投诉举报（公开，可匿名，按地址限流）. The query code is in this answer only."""

    permission_classes = [AllowAny]
    authentication_classes = []

    @extend_schema(request=ComplaintSubmitInput, responses={201: dict}, summary="提交投诉举报（公开，可匿名）")
    def post(self, request):
        data = ComplaintSubmitInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        agency = None
        if v.get("agency"):
            agency = Agency.objects.filter(code=v["agency"], kind="enforcement").first()
            if agency is None:
                raise ValidationFailed("未找到该执法机关代码", field="agency", code="agency_unknown")
        complaint, code = complaint_services.complaint_submit(
            content=v["content"], category=v["category"], agency=agency, decision_number=v.get("decision_number", ""),
            anonymous=v["anonymous"], name=v.get("name", ""), phone=v.get("phone", ""))
        return Response({"number": complaint.number, "code": code, "handler": complaint.handler_label,
                         "accept_due": complaint.accept_due, "handle_due": complaint.handle_due,
                         "progress": "/api/public/progress/"}, status=201)


# --- complaints (staff) --------------------------------------------------------------------------


class ComplaintOutput(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    status = serializers.CharField()
    category = serializers.CharField()
    agency = serializers.CharField(source="agency.code", allow_null=True, default=None)
    anonymous = serializers.BooleanField()
    complainant_name = serializers.CharField()
    complainant_phone = serializers.CharField()
    decision_number = serializers.CharField()
    case = serializers.CharField(source="case.number", allow_null=True, default=None)
    content = serializers.CharField()
    received_at = serializers.DateTimeField()
    accept_due = serializers.DateField(allow_null=True)
    handle_due = serializers.DateField(allow_null=True)
    reply = serializers.CharField()
    matter = serializers.CharField(source="matter.number", allow_null=True, default=None)
    ledger_index = serializers.IntegerField(allow_null=True)


class ComplaintListApi(APIView):
    @extend_schema(responses=ComplaintOutput(many=True), summary="投诉举报（监督人员全部；机关负责人、承办机构负责人本机关）")
    def get(self, request):
        _require_handler(request.user)
        rows = complaint_services.complaint_list(request.user, status=request.query_params.get("status", ""))
        return Response(ComplaintOutput(rows[:1000], many=True).data)


class ComplaintDetailApi(APIView):
    @extend_schema(responses=ComplaintOutput, summary="投诉举报详情")
    def get(self, request, pk: int):
        _require_handler(request.user)
        return Response(ComplaintOutput(complaint_services.complaint_get(request.user, pk)).data)


class ComplaintActionApi(APIView):
    @extend_schema(request=dict, responses=ComplaintOutput,
                   summary="办理投诉举报：accept（受理）、reject（不予受理，reason）、reply（答复办结，reply）")
    def post(self, request, pk: int, action: str):
        _require_handler(request.user)
        complaint = complaint_services.complaint_get(request.user, pk)
        return Response(ComplaintOutput(complaint_act(request.user, complaint, action, request.data)).data)


# --- matters -------------------------------------------------------------------------------------


class MatterStepOutput(serializers.Serializer):
    action = serializers.CharField()
    action_name = serializers.CharField()
    actor = serializers.CharField(source="actor.username", allow_null=True, default=None)
    agency = serializers.CharField(source="agency.code", allow_null=True, default=None)
    at = serializers.DateTimeField()
    text = serializers.CharField()
    due_on = serializers.DateField(allow_null=True)
    files = serializers.JSONField()
    ledger_index = serializers.IntegerField(allow_null=True)


class MatterOutput(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    source = serializers.CharField()
    status = serializers.CharField()
    agency = serializers.CharField(source="agency.code")
    case = serializers.CharField(source="case.number", allow_null=True, default=None)
    complaint = serializers.CharField(source="complaint.number", allow_null=True, default=None)
    title = serializers.CharField()
    description = serializers.CharField()
    due_on = serializers.DateField(allow_null=True)
    escalation = serializers.IntegerField()
    conclusion = serializers.CharField()
    opened_at = serializers.DateTimeField()
    closed_at = serializers.DateTimeField(allow_null=True)
    ledger_index = serializers.IntegerField(allow_null=True)
    steps = MatterStepOutput(many=True, source="steps.all")


class MatterOpenInput(serializers.Serializer):
    source = serializers.ChoiceField(choices=["complaint", "alert", "inspection"])
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=5000)
    agency = serializers.CharField(max_length=40, required=False, allow_blank=True)
    case = serializers.IntegerField(required=False)
    complaint = serializers.IntegerField(required=False)
    alert_ref = serializers.CharField(max_length=120, required=False, allow_blank=True)
    due_on = serializers.DateField(required=False)


class MatterListApi(APIView):
    @extend_schema(responses=MatterOutput(many=True), summary="监督案件（监督人员全部；承办机关本机关及下级）")
    def get(self, request):
        _require_handler(request.user)
        rows = services.matter_list(request.user, status=request.query_params.get("status", ""),
                                    late=request.query_params.get("late") == "1")
        return Response(MatterOutput(rows.prefetch_related("steps")[:500], many=True).data)

    @extend_schema(request=MatterOpenInput, responses={201: MatterOutput}, summary="监督案件立案（执法监督人员）")
    def post(self, request):
        from sanxiang.cases.models import Case

        _require_handler(request.user)
        if request.user.role != "supervisor":
            raise RoleNotAllowed("监督案件由执法监督人员立案", code="supervisor_only")
        data = MatterOpenInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        agency = Agency.objects.filter(code=v["agency"]).first() if v.get("agency") else None
        case = Case.objects.get_visible(request.user, pk=v["case"], message="案件不存在") if v.get("case") else None
        complaint = complaint_services.complaint_get(request.user, v["complaint"]) if v.get("complaint") else None
        matter = services.matter_open(actor=request.user, source=v["source"], title=v["title"],
                                      description=v["description"], agency=agency, case=case, complaint=complaint,
                                      alert_ref=v.get("alert_ref", ""), due_on=v.get("due_on"))
        return Response(MatterOutput(matter).data, status=201)


class MatterDetailApi(APIView):
    @extend_schema(responses=MatterOutput, summary="监督案件详情")
    def get(self, request, pk: int):
        _require_handler(request.user)
        return Response(MatterOutput(services.matter_get(request.user, pk)).data)


class MatterActionApi(APIView):
    @extend_schema(request=dict, responses={200: MatterOutput, 201: dict}, summary=(
        "办理监督案件：assign（交办，due_on）、transfer（转办，agency 机关 id、reason）、answer（反馈，text）、"
        "remind（催办）、escalate（督办）、return（退回，reason、due_on）、close（办结，conclusion）、"
        "document（制作监督文书，kind 及文书字段）"))
    def post(self, request, pk: int, action: str):
        _require_handler(request.user)
        matter = services.matter_get(request.user, pk)
        files = request.FILES.getlist("files") if hasattr(request, "FILES") else []
        done = matter_act(request.user, matter, action, request.data, files)
        if isinstance(done, MatterDocument):
            return Response({"id": done.pk, "kind": done.kind, "number": done.number,
                             "content_sha256": done.content_sha256, "ledger_index": done.ledger_index}, status=201)
        return Response(MatterOutput(services.matter_get(request.user, pk)).data)


# --- accountability ------------------------------------------------------------------------------


class AccountabilityApi(APIView):
    @extend_schema(responses=dict, summary="责任追溯：案件各环节责任人、时间、日志序号及包含证明（监督人员、机关负责人）")
    def get(self, request, pk: int):
        from sanxiang.cases.selectors import case_get
        from sanxiang.supervision.services import access_record

        case = case_get(request.user, pk)
        if not can_see_accountability(request.user):
            raise RoleNotAllowed("责任追溯表仅供执法监督人员和机关负责人查看", code="role_not_allowed")
        access_record(actor=request.user, case=case, target=case, label=f"责任追溯 {case.number}",
                      reason=request.query_params.get("reason", ""))
        r = responsibility(case)
        cp = r.checkpoint
        return Response({
            "case": case.number,
            "checkpoint": {"tree_size": cp.tree_size, "root_hash": bytes(cp.root_hash).hex(), "note": cp.note}
            if cp else None,
            "all_verified": r.all_verified,
            "stages": [{"stage": code, "label": label, "acts": [
                {"what": a.what, "actor": a.actor, "role": a.role, "at": a.at, "ledger_index": a.index,
                 "leaf_hash": a.leaf_hash, "audit_path": a.proof, "verified": a.verified} for a in acts]}
                for code, label, acts in r.stages],
        })
