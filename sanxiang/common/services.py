"""The generic write for registry-style rows: validate, save, log — one transaction."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from sanxiang.common.exceptions import ValidationFailed
from sanxiang.common.models import Recorded
from sanxiang.ledger.services import ledger_append


def validation_failed_from(exc: ValidationError) -> ValidationFailed:
    """The first message of a Django ValidationError as our domain error, naming the field."""
    if hasattr(exc, "error_dict"):
        field, errors = next(iter(exc.error_dict.items()))
        message = errors[0].messages[0] if hasattr(errors[0], "messages") else str(errors[0])
        return ValidationFailed(message, field=None if field == "__all__" else field,
                                code=getattr(errors[0], "code", None) or "validation_failed")
    return ValidationFailed(exc.messages[0])


@transaction.atomic
def record_save(instance: Recorded, *, actor, summary: str = "", agency=None) -> Recorded:
    """Create or update a Recorded row after full validation; the change is logged."""
    created = instance.pk is None
    try:
        instance.full_clean()
    except ValidationError as exc:
        raise validation_failed_from(exc) from exc
    instance.save()
    label = instance._meta.verbose_name
    ledger_append(
        kind=f"{instance._meta.label_lower}.{'create' if created else 'update'}", actor=actor,
        agency=agency or getattr(instance, "agency", None) if hasattr(instance, "agency_id") else agency,
        subjects=[instance], summary=summary or f"{'新增' if created else '修改'}{label}：{instance}",
    )
    return instance
