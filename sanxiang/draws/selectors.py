from __future__ import annotations

from sanxiang.draws.models import Draw, SeedCommitment


def public_draw(pk: int) -> Draw | None:
    """Every draw is public once revealed (it holds no personal data: pools carry ids and strata)."""
    return Draw.objects.select_related("agency").filter(pk=pk).first()


def draws_for(subject: str):
    return Draw.objects.filter(subject=subject).order_by("drawn_at", "pk")


def current_draw(subject: str) -> Draw | None:
    return Draw.objects.filter(subject=subject, redrawn_by__isnull=True).order_by("-pk").first()


def waiting_commitment(subject: str) -> SeedCommitment | None:
    """The commitment recorded for `subject` and not drawn yet (its seed is not for display)."""
    return SeedCommitment.objects.filter(subject=subject, draw__isnull=True).select_related("redraw_of").first()
