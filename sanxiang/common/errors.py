"""The one error format, for answers made outside DRF: Django's 404/500 handlers, the middleware's
413 and 429, and error pages of the web UI.

Under /api/ and /transparency/ every error is JSON: {"error": {"code", "message", "field", "rule"}};
elsewhere a Chinese page says what happened and what to do.
"""

from __future__ import annotations

from django.http import HttpResponse, JsonResponse
from django.template import loader

JSON_PREFIXES = ("/api/", "/transparency/")

#: Status → (code, Chinese message) for answers that carry no more specific error.
STATUS_ERRORS: dict[int, tuple[str, str]] = {
    400: ("bad_request", "请求无效"),
    401: ("not_authenticated", "未登录或身份凭证无效"),
    403: ("permission_denied", "无权执行此操作"),
    404: ("not_found", "对象不存在或无权查看"),
    405: ("method_not_allowed", "不支持该请求方法"),
    406: ("not_acceptable", "无法按请求的格式应答"),
    409: ("conflict", "与当前状态冲突"),
    413: ("request_too_large", "请求内容过大"),
    415: ("unsupported_media_type", "不支持的请求内容类型"),
    429: ("throttled", "请求过于频繁，请稍后再试"),
    500: ("server_error", "服务器内部错误，已记录，请稍后再试"),
}


def wants_json(request) -> bool:
    return request.path.startswith(JSON_PREFIXES)


def error_body(code: str, message: str, *, field: str | None = None, rule: str | None = None, **extra) -> dict:
    return {"error": {"code": code, "message": message, "field": field, "rule": rule, **extra}}


def json_error(status: int, code: str | None = None, message: str | None = None, *, field: str | None = None,
               rule: str | None = None, headers: dict | None = None) -> JsonResponse:
    default_code, default_message = STATUS_ERRORS.get(status, ("error", "请求失败"))
    response = JsonResponse(error_body(code or default_code, message or default_message, field=field, rule=rule),
                            status=status, json_dumps_params={"ensure_ascii": False})
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def page_error(request, status: int, message: str | None = None, *, headers: dict | None = None) -> HttpResponse:
    """A Chinese error page in the site's layout (errors/page.html)."""
    _code, default_message = STATUS_ERRORS.get(status, ("error", "请求失败"))
    body = loader.render_to_string("errors/page.html", {"status": status, "message": message or default_message},
                                   request)
    response = HttpResponse(body, status=status)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def error_response(request, status: int, code: str | None = None, message: str | None = None, *,
                   field: str | None = None, rule: str | None = None, headers: dict | None = None) -> HttpResponse:
    if wants_json(request):
        return json_error(status, code, message, field=field, rule=rule, headers=headers)
    return page_error(request, status, message, headers=headers)


# --- Django's handlers (config/urls.py) ------------------------------------------------------

def handler400(request, exception=None):
    return error_response(request, 400)


def handler403(request, exception=None):
    return error_response(request, 403)


def handler404(request, exception=None):
    return error_response(request, 404)


def handler500(request):
    # No template context processors here: the failure may be in one of them, or in the database.
    if wants_json(request):
        return json_error(500)
    return HttpResponse(loader.render_to_string("500.html"), status=500)
