"""One JSON error format for the whole API: {"error": {"code", "message", "field", "rule", ...}}.

`field` and `rule` are always present (null when the error concerns no one field or rule), so a
client reads every error the same way; Django-level errors use the same body (common.errors).
"""

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
    "unsupported_media_type": "不支持的请求内容类型",
    "not_acceptable": "无法按请求的格式应答",
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
        return Response({"error": {"field": None, "rule": None, **exc.as_dict()}}, status=exc.status)
    if isinstance(exc, Http404):
        exc = drf_exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = drf_exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, drf_exceptions.ValidationError):
        field, message = _first_field_error(exc.detail)
        error = {"code": "validation_failed", "message": message, "field": field, "rule": None,
                 "fields": exc.detail}
    else:
        code = getattr(exc, "default_code", "error")
        message = _DRF_MESSAGES.get(code, str(exc.detail))
        if isinstance(exc, drf_exceptions.ParseError) and str(exc.detail) != exc.default_detail:
            message = f"{message}：{exc.detail}"
        if isinstance(exc, drf_exceptions.Throttled) and exc.wait:
            message = f"{message}，请 {int(exc.wait + 0.999)} 秒后再试"
        error = {"code": code, "message": message, "field": None, "rule": None}
    if isinstance(exc, (drf_exceptions.NotAuthenticated, drf_exceptions.AuthenticationFailed)):
        # DRF answers 403 when the first authentication class (the session) names no scheme;
        # missing or bad credentials are a 401 (RFC 9110 §15.5.2), which names the token scheme.
        response.status_code = 401
        if not response.has_header("WWW-Authenticate"):
            response["WWW-Authenticate"] = 'Token realm="api"'
    response.data = {"error": error}
    return response
