"""Limits and headers that hold for every request, whatever view answers it.

- RequestSizeLimitMiddleware: the body's declared size against the cap of its kind of endpoint,
  before anything reads it (413).
- JsonDepthMiddleware: a JSON body nested deeper than JSON_MAX_DEPTH is a 400 before any view
  parses it (also views with their own parser classes, such as DRF's ObtainAuthToken).
- ApiErrorFormatMiddleware: under /api/ and /transparency/ every error leaves in the one JSON
  format, also those Django answers itself (404 of an unknown URL, 405 of require_GET, 500).
- SecurityHeadersMiddleware: CSP, Permissions-Policy, and no-store on staff, account and API pages.
- RateLimitMiddleware: logins (UI, admin, token API) and the portal's public searches, per client
  address, counted in Django's cache (429 with Retry-After).
- NulCharacterMiddleware: text with U+0000 in query parameters, form fields or JSON is a 400
  (PostgreSQL refuses such strings with an error that used to surface as a 500).
"""

from __future__ import annotations

import json
import re
import time

from django.conf import settings
from django.core.cache import cache

from sanxiang.common.errors import STATUS_ERRORS, error_response, wants_json
from sanxiang.common.parsers import json_depth_exceeds
from sanxiang.ledger.audit import client_address


def human_size(size: int) -> str:
    for unit, factor in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if size >= factor:
            return f"{size / factor:.4g} {unit}"
    return f"{size} 字节"


# --- Request size -----------------------------------------------------------------------------

#: (method or None for any, path pattern, setting holding the cap). First match wins; the rest of
#: /api/, /accounts/ and /transparency/ take REQUEST_MAX_BYTES_JSON, everything else _FORM.
_SIZE_RULES: tuple[tuple[frozenset[str] | None, re.Pattern, str], ...] = (
    (frozenset({"PATCH", "PUT"}), re.compile(r"^/api/evidence/uploads/[0-9a-f-]+/$"), "REQUEST_MAX_BYTES_UPLOAD"),
    (frozenset({"POST"}), re.compile(r"^/api/cases/\d+/evidence/$"), "REQUEST_MAX_BYTES_UPLOAD"),
    (frozenset({"POST"}), re.compile(r"^/staff/cases/\d+/evidence/$"), "REQUEST_MAX_BYTES_UPLOAD"),
    (frozenset({"POST"}), re.compile(r"^/api/registry/import/[\w-]+/$"), "REQUEST_MAX_BYTES_IMPORT"),
    (frozenset({"POST"}), re.compile(r"^/staff/registry/import/$"), "REQUEST_MAX_BYTES_IMPORT"),
)
_JSON_KIND_PREFIXES = ("/api/", "/accounts/", "/transparency/")


def request_size_cap(method: str, path: str) -> tuple[str, int]:
    """(setting name, cap in bytes) for a request."""
    for methods, pattern, name in _SIZE_RULES:
        if (methods is None or method in methods) and pattern.match(path):
            return name, getattr(settings, name)
    name = "REQUEST_MAX_BYTES_JSON" if path.startswith(_JSON_KIND_PREFIXES) else "REQUEST_MAX_BYTES_FORM"
    return name, getattr(settings, name)


class RequestSizeLimitMiddleware:
    """Refuse a body over its cap from Content-Length alone, before any byte of it is read.

    A request without Content-Length (chunked transfer) cannot exceed the cap either: Django's
    WSGIRequest bounds its body stream by CONTENT_LENGTH and reads nothing when it is absent, and
    waitress (`sanxiang serve`) de-chunks, counts against max_request_body_size (the largest cap)
    and sets CONTENT_LENGTH before the app sees the request.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        raw = request.META.get("CONTENT_LENGTH") or ""
        if raw:
            if not (raw.isascii() and raw.isdigit()):
                return error_response(request, 400, "bad_content_length", "Content-Length 请求头须为非负整数",
                                      field="Content-Length", rule="RFC 9110 §8.6")
            name, cap = request_size_cap(request.method, request.path)
            if int(raw) > cap:
                message = f"请求内容 {human_size(int(raw))} 超过此接口的上限 {human_size(cap)}（{cap} 字节）"
                if name == "REQUEST_MAX_BYTES_UPLOAD":
                    message += "；大文件请用分片上传（/api/evidence/uploads/）"
                # (No Connection: close here: a hop-by-hop header is the server's, PEP 3333; waitress
                # has received the body already and keeps the connection usable.)
                return error_response(request, 413, "request_too_large", message, field="Content-Length",
                                      rule=name)
        return self.get_response(request)


# --- JSON depth ---------------------------------------------------------------------------------

class JsonDepthMiddleware:
    """The depth cap for every JSON body, whichever parser the view uses.

    common.parsers.JSONParser checks the same for the API's own views (and that the body is an
    object); DRF's ObtainAuthToken, and any view naming DRF's stock JSONParser, would otherwise
    hand 5000 nested brackets to json.loads (RecursionError, a 500). Bodies larger than the JSON
    cap only reach upload and import endpoints, which read no JSON, and are not read here.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        content_type = request.content_type or ""
        if content_type == "application/json" or content_type.endswith("+json"):
            length = request.META.get("CONTENT_LENGTH") or "0"
            if length.isdigit() and 0 < int(length) <= settings.REQUEST_MAX_BYTES_JSON:
                text = request.body.decode(request.encoding or settings.DEFAULT_CHARSET, errors="replace")
                limit = settings.JSON_MAX_DEPTH
                if json_depth_exceeds(text, limit):
                    return error_response(request, 400, "json_too_deep", f"JSON 嵌套层数超过上限 {limit} 层",
                                          rule=f"JSON 嵌套不超过 {limit} 层（JSON_MAX_DEPTH）")
        return self.get_response(request)


# --- JSON errors for Django's own answers -------------------------------------------------------

class ApiErrorFormatMiddleware:
    """Rewrite a non-JSON error answer under /api/ and /transparency/ into the one JSON format."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code < 400 or not wants_json(request) or response.streaming:
            return response
        if response.get("Content-Type", "").startswith("application/json"):
            return response
        code, message = STATUS_ERRORS.get(response.status_code, ("error", "请求失败"))
        if response.status_code == 405 and response.get("Allow"):
            message = f"{message}（允许：{response['Allow']}）"
        response.content = json.dumps({"error": {"code": code, "message": message, "field": None, "rule": None}},
                                      ensure_ascii=False).encode()
        response["Content-Type"] = "application/json"
        return response


# --- Headers ------------------------------------------------------------------------------------

class SecurityHeadersMiddleware:
    """CSP and Permissions-Policy on every answer; never cache pages with case content or IDs."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if settings.CONTENT_SECURITY_POLICY:
            response.headers.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        if settings.PERMISSIONS_POLICY:
            response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        path = request.path
        if path.startswith(settings.NO_STORE_PREFIXES) and not path.startswith(settings.NO_STORE_EXEMPT_PREFIXES):
            # Replaces any weaker Cache-Control: a shared cache or the browser's back button must
            # not keep a page showing ID numbers after logout.
            response["Cache-Control"] = "no-store, private"
            response["Pragma"] = "no-cache"
            response["Expires"] = "0"
        return response


# --- Rate limits --------------------------------------------------------------------------------

_PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}

#: (method, path pattern, scope in settings.RATE_LIMITS). The API's public searches are throttled
#: by DRF (throttle_scope on the views); the token endpoint here, because ObtainAuthToken switches
#: DRF throttling off and whichever view answers /api/auth/token/ must be limited.
_RATE_RULES: tuple[tuple[str, re.Pattern, str], ...] = (
    ("POST", re.compile(r"^/accounts/login/$"), "login"),
    ("POST", re.compile(r"^/admin/login/$"), "login"),
    ("POST", re.compile(r"^/api/auth/token/$"), "login"),
    ("GET", re.compile(r"^/officers/$"), "public_search"),
    ("GET", re.compile(r"^/decisions/$"), "public_search"),
    ("POST", re.compile(r"^/progress/$"), "progress_lookup"),
    ("POST", re.compile(r"^/api/public/progress/$"), "progress_lookup"),
    ("POST", re.compile(r"^/licensing/items/\d+/apply/$"), "licensing_apply"),
    ("POST", re.compile(r"^/api/public/licensing/items/\d+/apply/$"), "licensing_apply"),
    # 网上补正 takes a number and its secret query code, like the progress lookup: the same budget.
    ("POST", re.compile(r"^/licensing/supplement/$"), "progress_lookup"),
    ("POST", re.compile(r"^/api/public/licensing/supplement/$"), "progress_lookup"),
    ("POST", re.compile(r"^/complaints/$"), "complaint_submit"),
    ("POST", re.compile(r"^/api/public/complaints/$"), "complaint_submit"),
)


def parse_rate(rate: str) -> tuple[int, int]:
    """"30/minute" → (30, 60), in DRF's notation."""
    count, _, period = rate.partition("/")
    return int(count), _PERIODS[period.strip()[:1]]


def rate_limit_hit(scope: str, ident: str) -> int:
    """Count one request; 0 when allowed, else the seconds until the window ends (fixed window)."""
    rate = settings.RATE_LIMITS.get(scope)
    if not rate:
        return 0
    limit, period = parse_rate(rate)
    now = time.time()
    window = int(now // period)
    key = f"ratelimit:{scope}:{ident}:{window}"
    cache.add(key, 0, timeout=period + 1)
    try:
        count = cache.incr(key)
    except ValueError:  # evicted between add and incr
        cache.set(key, 1, timeout=period + 1)
        count = 1
    if count <= limit:
        return 0
    return max(1, int((window + 1) * period - now + 0.999))


class RateLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        for method, pattern, scope in _RATE_RULES:
            if request.method == method and pattern.match(request.path):
                # One budget per endpoint and address: a login form, the admin and the token API
                # each allow the scope's rate.
                wait = rate_limit_hit(scope, f"{request.path}:{client_address(request)}")
                if wait:
                    return error_response(
                        request, 429, "throttled", f"请求过于频繁，请 {wait} 秒后再试（限 {settings.RATE_LIMITS[scope]}）",
                        rule=f"RATE_LIMITS[{scope}]", headers={"Retry-After": str(wait)})
                break
        return self.get_response(request)


# --- NUL characters -----------------------------------------------------------------------------

def _has_nul(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


class NulCharacterMiddleware:
    """Refuse text with a NUL character in query parameters, form fields and JSON bodies.

    PostgreSQL cannot store or even compare a string containing U+0000 (a `?q=%00` search raised
    ValueError there: a 500 that SQLite never shows). Multipart bodies are left to the views: they
    may install upload handlers, which must come before the body is read; Django's and DRF's form
    fields already refuse NUL.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        found = None
        if any(_has_nul(k) or _has_nul(v) for k, values in request.GET.lists() for v in [*values, k]):
            found = "查询参数"
        elif request.method == "POST" and request.content_type == "application/x-www-form-urlencoded" and (
                b"%00" in request.body or b"\x00" in request.body):
            # The raw body, not request.POST: reading POST would forbid the upload handlers some
            # views install. In a urlencoded body "%00" can only be an encoded NUL ("%" is "%25").
            found = "表单字段"
        elif (request.content_type == "application/json" or (request.content_type or "").endswith("+json")) \
                and 0 < int(request.META.get("CONTENT_LENGTH") or "0") <= settings.REQUEST_MAX_BYTES_JSON \
                and b"\\u0000" in request.body:
            try:
                found = "JSON 内容" if _has_nul(json.loads(request.body)) else None
            except (ValueError, RecursionError):
                found = None  # malformed JSON: the parser answers for it
        if found:
            return error_response(request, 400, "nul_character", f"{found}不得包含 NUL（0x00）字符",
                                  rule="文本不得包含 NUL 字符")
        return None


__all__ = ["ApiErrorFormatMiddleware", "JsonDepthMiddleware", "NulCharacterMiddleware", "RateLimitMiddleware",
           "RequestSizeLimitMiddleware", "SecurityHeadersMiddleware"]
