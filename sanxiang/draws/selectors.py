from __future__ import annotations

from sanxiang.draws.models import Draw


def public_draw(pk: int) -> Draw | None:
    """Every draw is public once revealed (it holds no personal data: pools carry ids and strata)."""
    return Draw.objects.select_related("agency").filter(pk=pk).first()


def draws_for(subject: str):
    return Draw.objects.filter(subject=subject).order_by("drawn_at", "pk")


def current_draw(subject: str) -> Draw | None:
    return Draw.objects.filter(subject=subject, redrawn_by__isnull=True).order_by("-pk").first()
