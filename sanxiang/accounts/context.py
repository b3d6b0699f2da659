"""The request being served, for code Django calls without one (admin forms, LogEntry signals),
so that their audit entries still carry the address and user agent."""

from __future__ import annotations

from contextvars import ContextVar

_current_request: ContextVar = ContextVar("sanxiang_current_request", default=None)


def current_request():
    return _current_request.get()


def set_current_request(request):
    return _current_request.set(request)


def reset_current_request(token) -> None:
    _current_request.reset(token)
