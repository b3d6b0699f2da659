"""Audit of permission denials (安全审计: 越权访问). One place records them, after the response.

A denial is a 403, a refused role (RoleNotAllowed, whatever page answers it), or a 404 that hides
an object which exists but lies outside the user's scope (accounts.scoping.OutOfScope; the user
sees the same 404 as for a missing object). Views and the API mark the request (`note_denial`);
this middleware writes one audit entry once the response is made, outside any transaction the
refused request rolled back.

Only authenticated users are recorded: anonymous probing is answered (302 to the login page, 403,
404) but writes nothing, so it cannot grow the log.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from sanxiang.accounts.scoping import OutOfScope
from sanxiang.common.exceptions import RoleNotAllowed

_ATTR = "_sanxiang_denial"


def _chain(exc):
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        yield exc
        exc = exc.__cause__ or exc.__context__


def note_denial(request, exc) -> None:
    """Remember on the (Django) request that `exc`, or what caused it, was a permission denial."""
    if request is None:
        return
    for cause in _chain(exc):
        if isinstance(cause, OutOfScope):
            setattr(request, _ATTR, cause.object_ref or "")
            return
        if isinstance(cause, RoleNotAllowed | PermissionDenied):
            setattr(request, _ATTR, getattr(cause, "object_ref", "") or "")
            return


def _object_of(request) -> str:
    match = getattr(request, "resolver_match", None)
    if match is None:
        return ""
    args = ",".join(f"{k}={v}" for k, v in sorted(match.kwargs.items()))
    return f"{match.view_name}({args})"


class PermissionDenialAuditMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if not getattr(user, "is_authenticated", False):
            return response
        # Marked: an out-of-scope object or a refused role, whatever the answer (404, 403, or a
        # redirect back with the message); unmarked 403s come from Django or DRF permission checks.
        if hasattr(request, _ATTR) or response.status_code == 403:
            from sanxiang.ledger.audit import audit_record

            target = getattr(request, _ATTR, "") or _object_of(request)
            audit_record("permission_denied", request=request, user=user,
                         summary=f"越权访问被拒绝：{request.method} {request.path[:200]}",
                         detail={"object": target, "path": request.path[:300], "method": request.method,
                                 "status": response.status_code})
        return response

    def process_exception(self, request, exception):
        note_denial(request, exception)
        return None
