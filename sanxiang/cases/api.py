"""Case API: the same services as the UI; errors in the one JSON format (common.api)."""

from __future__ import annotations

import datetime as dt

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from sanxiang.accounts.scoping import agency_scope
from sanxiang.cases import engine, selectors
from sanxiang.cases.engine import flow_spec
from sanxiang.cases.procedure import late_payment, payment_due
from sanxiang.cases.services import available_actions, case_is_overdue, case_open, case_transition
from sanxiang.common.exceptions import ValidationFailed
from sanxiang.common.parsers import JSONParser
from sanxiang.records.services import evidence_attach
from sanxiang.records.uploads import HashingUploadHandler
from sanxiang.registry.models import EnforcementItem, Officer
from sanxiang.supervision.services import access_record


class PartySerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["citizen", "legal_person", "other_org"])
    name = serializers.CharField()
    id_number = serializers.CharField(required=False, allow_blank=True, default="")
    uscc = serializers.CharField(required=False, allow_blank=True, default="")
    legal_representative = serializers.CharField(required=False, allow_blank=True, default="")
    address = serializers.CharField(required=False, allow_blank=True, default="")
    phone = serializers.CharField(required=False, allow_blank=True, default="")


class CaseOutput(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    title = serializers.CharField()
    agency = serializers.CharField(source="agency.code")
    item = serializers.CharField(source="item.code")
    flow = serializers.CharField(source="flow.code")
    state = serializers.CharField()
    state_name = serializers.SerializerMethodField()
    party = serializers.SerializerMethodField(help_text="第一当事人（多名当事人见 parties）")
    parties = serializers.SerializerMethodField()
    opened_on = serializers.DateField()
    decision_due = serializers.DateField(allow_null=True)
    deadline_note = serializers.CharField()
    step_due = serializers.DateField(allow_null=True)
    overdue = serializers.SerializerMethodField()
    proposed_penalty_kinds = serializers.ListField(child=serializers.CharField())
    proposed_fine = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    penalty_kinds = serializers.ListField(child=serializers.CharField())
    fine_amount = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)

    def get_party(self, case) -> str:
        party = case.party
        return party.name if party else ""

    def get_parties(self, case) -> list[dict]:
        return [{"id": link.party_id, "name": link.party.name, "kind": link.party.kind, "role": link.role,
                 "order": link.order} for link in case.party_links()]

    def get_state_name(self, case) -> str:
        return flow_spec(case.flow).step_name(case.state)

    def get_overdue(self, case) -> list[str]:
        return case_is_overdue(case)


class CaseDetailOutput(CaseOutput):
    officers = serializers.SerializerMethodField()
    actions = serializers.SerializerMethodField()
    events = serializers.SerializerMethodField()
    decision_number = serializers.SerializerMethodField()
    served_on = serializers.DateField(allow_null=True)
    payment_due = serializers.SerializerMethodField()
    late_payment = serializers.SerializerMethodField()
    late = serializers.SerializerMethodField()
    discretion = serializers.SerializerMethodField()

    def get_discretion(self, case) -> dict:
        """Statutory range for this party, the benchmark's suggested tier and what the case recorded."""
        from sanxiang.guidance.discretion import case_discretion

        data = case_discretion(case)
        for r in data["statutory"]["ranges"]:
            r["min"] = None if r["min"] is None else str(r["min"])
            r["max"] = None if r["max"] is None else str(r["max"])
        return data

    def get_officers(self, case) -> list[dict]:
        return [{"id": o.pk, "name": o.name, "certificate_no": o.certificate_no} for o in case.officers.all()]

    def get_actions(self, case) -> list[dict]:
        user = self.context["request"].user
        return [{"code": a.code, "name": a.name,
                 "fields": [{"name": f.name, "label": f.label, "type": f.type, "required": f.required,
                             "choices": f.choices,
                             "options": engine.choice_options(f.choices, case)
                             if f.type in {"choice", "multichoice"} else None}
                            for f in a.fields]}
                for a in available_actions(case, user)]

    def get_events(self, case) -> list[dict]:
        return [{"action": e.action, "name": e.action_name, "from": e.from_state, "to": e.to_state,
                 "actor": e.actor.get_username(), "at": e.at, "ledger_index": e.ledger_index}
                for e in case.events.select_related("actor")]

    def get_payment_due(self, case) -> dt.date | None:
        return payment_due(case)

    def get_late_payment(self, case) -> dict | None:
        """加处罚款 (Art. 72) computed from the parameters; `reminder` when 催告 is due."""
        late = late_payment(case)
        if late is None:
            return None
        return {"due": late["due"], "days": late["days"], "rate_per_day": str(late["rate"]),
                "surcharge": str(late["surcharge"]), "capped": late["capped"], "reminder": late["reminder"],
                "text": late["text"]}

    def get_late(self, case) -> dict:
        """Acts done after their period (送达、缴款), flagged rather than refused."""
        return dict(case.data.get("late") or {})

    def get_decision_number(self, case) -> str | None:
        decision = getattr(case, "decision", None)
        return decision.number if decision else None


class CaseOpenInput(serializers.Serializer):
    item = serializers.CharField(help_text="执法事项编码")
    title = serializers.CharField()
    source = serializers.CharField(required=False, allow_blank=True, default="")
    procedure = serializers.ChoiceField(choices=["general", "simple"], default="general")
    opened_on = serializers.DateField(required=False, allow_null=True, default=None, help_text="立案日期（默认今天）")
    officers = serializers.ListField(child=serializers.CharField(), help_text="执法证号列表（至少两人）")
    party = PartySerializer(required=False, help_text="单一当事人（与 parties 二选一）")
    parties = PartySerializer(many=True, required=False,
                              help_text="共同违法的多名当事人，按顺序；错误字段名为 party.*、party2.*、party3.*…")


class CaseListApi(APIView):

    @extend_schema(responses=CaseOutput(many=True), summary="案件列表（按机关与角色过滤）")
    def get(self, request):
        qs = selectors.case_list(request.user, mine=request.query_params.get("mine") == "1",
                                 state=request.query_params.get("state") or None)
        return Response(CaseOutput(qs[:500], many=True).data)

    @extend_schema(request=CaseOpenInput, responses={201: CaseDetailOutput}, summary="立案登记")
    def post(self, request):
        data = CaseOpenInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        agency_ids = agency_scope(request.user) or []
        item = EnforcementItem.objects.filter(code=v["item"], agency_id__in=agency_ids).first()
        if item is None:
            raise ValidationFailed(f"执法事项“{v['item']}”不存在或不属于本机关", field="item", code="item_unknown")
        officers = list(Officer.objects.filter(certificate_no__in=v["officers"]))
        unknown = set(v["officers"]) - {o.certificate_no for o in officers}
        if unknown:
            raise ValidationFailed(f"执法证号不存在：{'、'.join(sorted(unknown))}", field="officers",
                                   code="officer_unknown")
        case = case_open(actor=request.user, item=item, party=dict(v["party"]) if "party" in v else None,
                         parties=[dict(p) for p in v["parties"]] if "parties" in v else None, officers=officers,
                         title=v["title"], source=v["source"], procedure=v["procedure"], opened_on=v["opened_on"])
        return Response(CaseDetailOutput(case, context={"request": request}).data, status=201)


class CaseDetailApi(APIView):
    @extend_schema(responses=CaseDetailOutput, summary="案件详情（含当前可办理的操作；每次调阅记入日志）",
                   parameters=[OpenApiParameter("reason", str, required=False,
                                                description="调阅事由（机关要求时必填）")])
    def get(self, request, pk: int):
        case = selectors.case_get(request.user, pk)
        access_record(actor=request.user, case=case, target=case, label=f"案件 {case.number}",
                      reason=request.query_params.get("reason", ""))
        return Response(CaseDetailOutput(case, context={"request": request}).data)


class CaseActionApi(APIView):
    @extend_schema(request={"application/json": {"type": "object", "additionalProperties": True}},
                   responses=CaseDetailOutput, summary="办理环节操作（字段见案件详情 actions）")
    def post(self, request, pk: int, action: str):
        case = selectors.case_get(request.user, pk)
        case_transition(case=case, action=action, actor=request.user, data=dict(request.data))
        case = selectors.case_get(request.user, case.pk)
        return Response(CaseDetailOutput(case, context={"request": request}).data)


class EvidenceInput(serializers.Serializer):
    file = serializers.FileField()
    kind = serializers.CharField()
    description = serializers.CharField(required=False, allow_blank=True, default="")


class EvidenceOutput(serializers.Serializer):
    id = serializers.IntegerField()
    sha256 = serializers.CharField()
    size = serializers.IntegerField()
    step = serializers.CharField()
    kind = serializers.CharField()


class EvidenceUploadApi(APIView):
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    def initialize_request(self, request, *args, **kwargs):
        # Hash while the body streams in (no second read of a multi-gigabyte video).
        request.upload_handlers = [HashingUploadHandler(request)]
        return super().initialize_request(request, *args, **kwargs)

    @extend_schema(request={"multipart/form-data": EvidenceInput}, responses={201: EvidenceOutput},
                   summary="上传证据（流式计算 SHA-256）")
    def post(self, request, pk: int):
        case = selectors.case_get(request.user, pk)
        evidence = evidence_attach(case=case, actor=request.user, uploaded=request.FILES.get("file"),
                                   kind=request.data.get("kind", ""), description=request.data.get("description", ""))
        return Response({"id": evidence.pk, "sha256": evidence.file.sha256, "size": evidence.file.size,
                         "step": evidence.step, "kind": evidence.kind}, status=201)


class PartyRenameInput(serializers.Serializer):
    new_name = serializers.CharField(allow_blank=True)
    reason = serializers.CharField(allow_blank=True)
    evidence_ref = serializers.CharField(allow_blank=True, help_text="证明材料，如登记机关准予变更登记通知书及文号")


class PartyRenameApi(APIView):
    @extend_schema(request=PartyRenameInput, responses={201: dict}, summary="当事人（单位）更名登记，附证明材料")
    def post(self, request, pk: int):
        from sanxiang.cases.parties import party_rename

        party = selectors.party_get(request.user, pk)  # out of scope: 404 before anything is read
        data = PartyRenameInput(data=request.data)
        data.is_valid(raise_exception=True)
        row = party_rename(party=party, actor=request.user, **data.validated_data)
        return Response({"party": party.pk, "old_name": row.old_name, "new_name": row.new_name,
                         "evidence_ref": row.evidence_ref}, status=201)
