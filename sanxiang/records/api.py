"""Evidence API: resumable uploads (JSON + raw chunks, for fetch() and curl) and evidence reads.

    POST   /api/evidence/uploads/                 {case, filename, size, kind, …}  → 201 session
    HEAD   /api/evidence/uploads/<id>/            → Upload-Offset / Upload-Length headers
    GET    /api/evidence/uploads/<id>/            → the session as JSON (offset, status, evidence)
    PATCH  /api/evidence/uploads/<id>/            raw bytes, header Upload-Offset: <n>
    PUT    /api/evidence/uploads/<id>/            raw bytes, header Content-Range: bytes a-b/total
    POST   /api/evidence/uploads/<id>/complete/   finish a session whose bytes are all in (retry)
    DELETE /api/evidence/uploads/<id>/            cancel
    GET    /api/evidence/?case=<id>               evidence of a case the user may see
    GET    /api/evidence/<id>/                    one piece of evidence
    GET    /api/evidence/<id>/content/            its bytes (streamed)

A chunk answers 200 with the new offset, or 201 with the evidence when it was the last one; a
chunk that does not start at the received offset answers 409 with `expected_offset` (and the
Upload-Offset header). Errors use the one API format {"error": {"code", "message", …}}.
"""

from __future__ import annotations

import base64
import re

from django.core.files.storage import default_storage
from django.http import FileResponse
from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from sanxiang.cases.selectors import case_get
from sanxiang.common.exceptions import NotFound, ValidationFailed
from sanxiang.common.params import query_id
from sanxiang.records import chunked, selectors
from sanxiang.records.models import Evidence, EvidenceKind, UploadSession, UploadStatus
from sanxiang.registry.models import Officer

_CONTENT_RANGE = re.compile(r"^bytes (\d+)-(\d+)/(\d+|\*)$")


class UploadCreateInput(serializers.Serializer):
    case = serializers.IntegerField(help_text="案件 ID")
    filename = serializers.CharField(max_length=255)
    size = serializers.IntegerField(help_text="文件总字节数")
    kind = serializers.ChoiceField(choices=EvidenceKind.choices)
    content_type = serializers.CharField(required=False, allow_blank=True, default="")
    sha256 = serializers.CharField(required=False, allow_blank=True, default="",
                                   help_text="可选：客户端计算的 SHA-256，完成时核对")
    step = serializers.CharField(required=False, allow_blank=True, default="", help_text="默认为案件当前环节")
    description = serializers.CharField(required=False, allow_blank=True, default="")
    captured_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    device_no = serializers.CharField(required=False, allow_blank=True, default="")
    location = serializers.CharField(required=False, allow_blank=True, default="")
    officer = serializers.CharField(required=False, allow_blank=True, default="",
                                    help_text="采集人员执法证号，默认为上传人")
    secret = serializers.BooleanField(required=False, default=False)
    trade_secret = serializers.BooleanField(required=False, default=False)
    privacy = serializers.BooleanField(required=False, default=False)
    supersedes = serializers.IntegerField(required=False, allow_null=True, default=None,
                                          help_text="更正时：被更正证据的 ID（说明中写明更正原因）")


def evidence_data(evidence: Evidence) -> dict:
    officer = evidence.officer
    return {
        "id": evidence.pk, "case": evidence.case_id, "step": evidence.step, "kind": evidence.kind,
        "kind_name": evidence.get_kind_display(), "original_name": evidence.original_name,
        "content_type": evidence.content_type, "size": evidence.file.size, "sha256": evidence.file.sha256,
        "description": evidence.description, "captured_at": evidence.captured_at, "device_no": evidence.device_no,
        "location": evidence.location,
        "officer": {"id": officer.pk, "name": officer.name, "certificate_no": officer.certificate_no}
        if officer else None,
        "secret": evidence.secret, "trade_secret": evidence.trade_secret, "privacy": evidence.privacy,
        "supersedes": evidence.supersedes_id, "uploaded_by": evidence.uploaded_by.get_username(),
        "uploaded_at": evidence.uploaded_at, "ledger_index": evidence.ledger_index,
        "content_url": reverse("api-evidence-content", args=[evidence.pk]),
    }


def session_data(session: UploadSession) -> dict:
    evidence = session.evidence if session.status == UploadStatus.COMPLETE else None
    return {
        "id": str(session.pk), "url": reverse("api-evidence-upload", args=[session.pk]), "case": session.case_id,
        "filename": session.filename, "size": session.size, "kind": session.kind,
        "offset": chunked.upload_offset(session), "status": session.status,
        "status_name": session.get_status_display(), "error": session.error,
        "chunk_size": chunked.SUGGESTED_CHUNK, "sha256": session.sha256 or None,
        "evidence": evidence_data(evidence) if evidence else None,
    }


class _UploadApi(APIView):
    def handle_exception(self, exc):
        response = super().handle_exception(exc)
        offset = getattr(exc, "expected_offset", None)
        if offset is not None and response is not None:
            response["Upload-Offset"] = str(offset)
        return response


class UploadListCreateApi(_UploadApi):
    @extend_schema(parameters=[OpenApiParameter("case", int, required=False)], operation_id="evidence_uploads_list",
                   responses={200: {"type": "array", "items": {"type": "object", "additionalProperties": True}}},
                   summary="本人未完成的分片上传（用于断点续传）")
    def get(self, request):
        qs = UploadSession.objects.visible_to(request.user).filter(status=UploadStatus.RECEIVING)
        case_id = query_id(request.query_params, "case")
        if case_id is not None:
            qs = qs.filter(case_id=case_id)
        return Response([session_data(s) for s in qs[:100]])

    @extend_schema(request=UploadCreateInput, responses={201: dict}, summary="创建分片上传（先校验类型与大小）")
    def post(self, request):
        data = UploadCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        case = case_get(request.user, v["case"])
        officer = None
        if v["officer"]:
            officer = Officer.objects.filter(certificate_no=v["officer"]).first()
            if officer is None:
                raise ValidationFailed(f"执法证号不存在：{v['officer']}", field="officer", code="officer_unknown")
        supersedes = None
        if v["supersedes"] is not None:
            supersedes = selectors.evidence_visible_to(request.user, case).filter(pk=v["supersedes"]).first()
            if supersedes is None:
                raise ValidationFailed("被更正的证据不存在或不属于本案", field="supersedes", code="supersedes_unknown")
        session = chunked.upload_session_create(
            case=case, actor=request.user, filename=v["filename"], size=v["size"], kind=v["kind"],
            content_type=v["content_type"], sha256=v["sha256"], step=v["step"] or None,
            description=v["description"], captured_at=v["captured_at"], device_no=v["device_no"],
            location=v["location"], officer=officer, secret=v["secret"], trade_secret=v["trade_secret"],
            privacy=v["privacy"], supersedes=supersedes,
        )
        body = session_data(session)
        return Response(body, status=201, headers={"Location": body["url"], "Upload-Offset": "0",
                                                   "Upload-Length": str(session.size)})


def _chunk_range(request, session: UploadSession) -> tuple[int, int]:
    """(offset, length) of the chunk from Upload-Offset or Content-Range and Content-Length."""
    raw_length = request.META.get("CONTENT_LENGTH") or ""
    if not (raw_length.isascii() and raw_length.isdigit()):  # "²".isdigit() is true
        raise ValidationFailed("分片请求须带 Content-Length 请求头", code="length_required")
    length = int(raw_length)
    if request.META.get("HTTP_UPLOAD_OFFSET") is not None:
        raw = request.META["HTTP_UPLOAD_OFFSET"].strip()
        if not (raw.isascii() and raw.isdigit()):
            raise ValidationFailed("Upload-Offset 应为非负整数", code="chunk_range")
        return int(raw), length
    content_range = request.META.get("HTTP_CONTENT_RANGE")
    if content_range is None:
        raise ValidationFailed("分片请求须带 Upload-Offset 或 Content-Range 请求头", code="chunk_range")
    match = _CONTENT_RANGE.match(content_range.strip())
    if not match:
        raise ValidationFailed("Content-Range 格式应为 bytes 起-止/总长", code="chunk_range")
    start, end, total = int(match[1]), int(match[2]), match[3]
    if total != "*" and int(total) != session.size:
        raise ValidationFailed(f"Content-Range 的总长 {total} 与上传时声明的 {session.size} 字节不符",
                               code="chunk_range")
    if end < start or end - start + 1 != length:
        raise ValidationFailed("Content-Range 与 Content-Length 不一致", code="chunk_range")
    return start, length


class UploadDetailApi(_UploadApi):
    def head(self, request, pk):
        session = selectors.upload_session_get(request.user, pk)
        return Response(status=200, headers={"Upload-Offset": str(chunked.upload_offset(session)),
                                             "Upload-Length": str(session.size), "Cache-Control": "no-store"})

    @extend_schema(responses=dict, summary="分片上传进度（offset 为下一分片的起始位置）")
    def get(self, request, pk):
        session = selectors.upload_session_get(request.user, pk)
        return Response(session_data(session), headers={"Upload-Offset": str(chunked.upload_offset(session)),
                                                        "Cache-Control": "no-store"})

    def _append(self, request, pk):
        session = selectors.upload_session_get(request.user, pk)
        offset, length = _chunk_range(request, session)
        stream = request.stream if length else None
        session = chunked.upload_chunk_append(session=session, actor=request.user, offset=offset,
                                              stream=stream, length=length)
        body = session_data(session)
        headers = {"Upload-Offset": str(session.received), "Cache-Control": "no-store"}
        if session.status == UploadStatus.COMPLETE:
            headers["Location"] = reverse("api-evidence", args=[session.evidence.pk])
            return Response(body, status=201, headers=headers)
        return Response(body, headers=headers)

    @extend_schema(request={"application/offset+octet-stream": bytes}, responses=dict,
                   parameters=[OpenApiParameter("Upload-Offset", int, OpenApiParameter.HEADER, required=True)],
                   summary="上传一个分片（原始字节，从 Upload-Offset 处开始）")
    def patch(self, request, pk):
        return self._append(request, pk)

    @extend_schema(request={"application/octet-stream": bytes}, responses=dict,
                   parameters=[OpenApiParameter("Content-Range", str, OpenApiParameter.HEADER, required=True)],
                   summary="上传一个分片（原始字节，Content-Range: bytes 起-止/总长）")
    def put(self, request, pk):
        return self._append(request, pk)

    @extend_schema(responses={204: None}, summary="取消分片上传（删除临时文件，不留记录）")
    def delete(self, request, pk):
        session = selectors.upload_session_get(request.user, pk)
        chunked.upload_cancel(session=session, actor=request.user)
        return Response(status=204)


class UploadCompleteApi(_UploadApi):
    @extend_schema(request=None, responses={201: dict}, summary="完成已收齐字节的上传（重试用）")
    def post(self, request, pk):
        session = selectors.upload_session_get(request.user, pk)
        evidence = chunked.upload_finalize(session=session, actor=request.user)
        session.refresh_from_db()
        return Response(session_data(session), status=201,
                        headers={"Location": reverse("api-evidence", args=[evidence.pk])})


class EvidenceListApi(APIView):
    @extend_schema(parameters=[OpenApiParameter("case", int, required=True)], operation_id="evidence_list",
                   responses={200: {"type": "array", "items": {"type": "object", "additionalProperties": True}}},
                   summary="案件证据（按查看权限过滤涉密、商业秘密、个人隐私证据）")
    def get(self, request):
        case = case_get(request.user, query_id(request.query_params, "case", required=True))
        return Response([evidence_data(e) for e in selectors.evidence_visible_to(request.user, case)])


class EvidenceDetailApi(APIView):
    @extend_schema(responses=dict, summary="证据详情")
    def get(self, request, pk: int):
        evidence = selectors.evidence_get(request.user, pk)
        return Response(evidence_data(evidence))


def evidence_file_response(evidence: Evidence) -> FileResponse:
    """The evidence bytes, streamed from storage, with their SHA-256 as ETag and Repr-Digest."""
    try:
        handle = default_storage.open(evidence.file.storage_name, "rb")
    except FileNotFoundError:
        raise NotFound("证据文件在存储中缺失，请联系管理员运行 verify_evidence 检查", code="file_missing") from None
    response = FileResponse(handle, as_attachment=True, filename=evidence.original_name,
                            content_type=evidence.content_type or "application/octet-stream")
    response["Content-Length"] = str(evidence.file.size)
    response["ETag"] = f'"{evidence.file.sha256}"'
    digest = base64.b64encode(bytes.fromhex(evidence.file.sha256)).decode()
    response["Repr-Digest"] = f"sha-256=:{digest}:"
    response["Cache-Control"] = "private, no-store"
    return response


def evidence_download_logged(user, evidence: Evidence, reason: str = ""):
    """Every staff download of evidence is itself a record (调阅监督): logged, then streamed.
    Flagged evidence always needs a reason (ReasonRequired, 428, otherwise)."""
    from sanxiang.supervision.services import access_record

    access_record(actor=user, case=evidence.case, target=evidence, action="download", reason=reason,
                  flagged=evidence.is_restricted, label=f"证据 {evidence.original_name}（{evidence.get_kind_display()}）")
    return evidence_file_response(evidence)


class EvidenceContentApi(APIView):
    @extend_schema(responses={(200, "application/octet-stream"): bytes},
                   summary="下载证据文件（流式；记入调阅记录，涉密材料须填写 reason）",
                   parameters=[OpenApiParameter("reason", str, required=False, description="调阅事由")])
    def get(self, request, pk: int):
        return evidence_download_logged(request.user, selectors.evidence_get(request.user, pk),
                                        request.query_params.get("reason", ""))
