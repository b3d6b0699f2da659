"""One JSON error format for the whole API: {"error": {"code", "message", "field"?, ...}}."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from rest_framework import exceptions as drf_exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from sanxiang.accounts.denials import note_denial
from sanxiang.common.exceptions import DomainError

_DRF_MESSAGES = {
    "not_authenticated": "未登录或身份凭证无效",
    "authentication_failed": "身份认证失败",
    "permission_denied": "无权执行此操作",
    "not_found": "对象不存在或无权查看",
    "method_not_allowed": "不支持该请求方法",
    "parse_error": "请求内容格式错误",
    "throttled": "请求过于频繁",
}


def _first_field_error(detail) -> tuple[str | None, str]:
    """Flatten DRF's nested validation detail to the first (field, message)."""
    if isinstance(detail, dict):
        for key, value in detail.items():
            field, message = _first_field_error(value)
            name = key if key != "non_field_errors" else None
            return (f"{name}.{field}" if name and field else name or field), message
    if isinstance(detail, list) and detail:
        return _first_field_error(detail[0])
    return None, str(detail)


def exception_handler(exc, context):
    request = context.get("request")
    # The audit middleware sees the Django request, not the exception the API turned into a response.
    note_denial(getattr(request, "_request", request), exc)
    if isinstance(exc, DomainError):
        return Response({"error": exc.as_dict()}, status=exc.status)
    if isinstance(exc, Http404):
        exc = drf_exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = drf_exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, drf_exceptions.ValidationError):
        field, message = _first_field_error(exc.detail)
        error = {"code": "validation_failed", "message": message, "fields": exc.detail}
        if field:
            error["field"] = field
    else:
        code = getattr(exc, "default_code", "error")
        error = {"code": code, "message": _DRF_MESSAGES.get(code, str(exc.detail))}
    response.data = {"error": error}
    return response
