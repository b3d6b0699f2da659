"""Template helpers for the portal's lists, where one row is drawn per decision."""

from __future__ import annotations

from django import template
from django.urls import get_script_prefix, reverse

register = template.Library()

_DECISION_PREFIX: dict[str, str] = {}


@register.filter
def decision_path(pk) -> str:
    """The same path as {% url 'portal:decision' pk %}, without a reverse() per row: the prefix is
    resolved once per script prefix (the URLconf does not change while the process runs)."""
    script = get_script_prefix()
    prefix = _DECISION_PREFIX.get(script)
    if prefix is None:
        prefix = _DECISION_PREFIX[script] = reverse("portal:decision", args=[0])[:-len("0/")]
    return f"{prefix}{int(pk)}/"
