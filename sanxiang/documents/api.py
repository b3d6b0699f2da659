"""Document API: list a case's documents and the kinds it allows, issue one, download a file.

The same services and selectors as the staff pages; errors in the one JSON format (common.api).
"""

from __future__ import annotations

from django.core.files.storage import default_storage
from django.http import FileResponse
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from sanxiang.cases import selectors as case_selectors
from sanxiang.common.exceptions import NotFound
from sanxiang.documents import selectors
from sanxiang.documents.services import available_kinds, document_issue
from sanxiang.documents.views import FORMATS


class DocumentOutput(serializers.Serializer):
    id = serializers.IntegerField()
    case = serializers.CharField(source="case.number")
    kind = serializers.CharField()
    title = serializers.CharField()
    number = serializers.CharField()
    version = serializers.IntegerField()
    supersedes = serializers.IntegerField(source="supersedes_id", allow_null=True)
    issued_by = serializers.CharField(source="issued_by.username")
    issued_at = serializers.DateTimeField()
    content_sha256 = serializers.CharField()
    docx_sha256 = serializers.CharField(source="docx.sha256")
    pdf_sha256 = serializers.CharField(source="pdf.sha256")
    ledger_index = serializers.IntegerField(allow_null=True)
    content = serializers.JSONField()


class DocumentIssueInput(serializers.Serializer):
    kind = serializers.CharField(help_text="文书种类代码，见 GET …/document-kinds/")
    extra = serializers.DictField(required=False, default=dict, help_text="承办人录入的内容（按文书种类）")
    reissue_of = serializers.IntegerField(required=False, allow_null=True, default=None,
                                          help_text="要重新制作（替代）的文书 id")
    correction_reason = serializers.CharField(required=False, allow_blank=True, default="",
                                              help_text="补正理由：文书所属环节已办结时必填（结案后须由行政机关负责人办理）")


class CaseDocumentListApi(APIView):
    @extend_schema(responses=DocumentOutput(many=True), summary="案件的执法文书（含各版本）")
    def get(self, request, pk: int):
        case = case_selectors.case_get(request.user, pk)
        return Response(DocumentOutput(selectors.case_documents(request.user, case), many=True).data)

    @extend_schema(request=DocumentIssueInput, responses={201: DocumentOutput}, summary="制作执法文书")
    def post(self, request, pk: int):
        case = case_selectors.case_get(request.user, pk)
        data = DocumentIssueInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        reissue_of = None
        if v["reissue_of"] is not None:
            reissue_of = selectors.document_get(request.user, v["reissue_of"])
        document = document_issue(case=case, kind=v["kind"], actor=request.user, extra=v["extra"],
                                  reissue_of=reissue_of, correction_reason=v["correction_reason"])
        return Response(DocumentOutput(document).data, status=201)


class CaseDocumentKindsApi(APIView):
    @extend_schema(responses={200: {"type": "array", "items": {"type": "object"}}},
                   summary="案件当前可制作的文书种类及需录入的内容")
    def get(self, request, pk: int):
        case = case_selectors.case_get(request.user, pk)
        return Response([
            {"kind": k.code, "name": k.name, "single": k.single, "basis": k.basis,
             "extra": [{"name": f.name, "label": f.label, "type": f.type, "required": f.required, "help": f.help,
                        "choices": [list(c) for c in f.choices]} for f in k.extra]}
            for k in available_kinds(case, request.user)
        ])


class DocumentFileApi(APIView):
    @extend_schema(responses={(200, "application/octet-stream"): bytes}, summary="下载文书文件（docx 或 pdf，记入调阅日志）")
    def get(self, request, pk: int, fmt: str):
        from sanxiang.supervision.services import access_record

        if fmt not in FORMATS:
            raise NotFound("文件格式不存在")
        document = selectors.document_get(request.user, pk)
        access_record(actor=request.user, case=document.case, target=document, action="download",
                      reason=request.query_params.get("reason", ""),
                      label=f"{document.title} {document.number} 第{document.version}版（{fmt.upper()}）")
        stored = getattr(document, fmt)
        return FileResponse(default_storage.open(stored.storage_name, "rb"), as_attachment=True,
                            filename=f"{document.number}{document.title}-第{document.version}版.{fmt}",
                            content_type=FORMATS[fmt])
