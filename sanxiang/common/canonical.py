"""Canonical bytes for hashing: sorted-key, compact UTF-8 JSON of plain values."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from decimal import Decimal


def _default(value):
    """JSON for the non-JSON values rows hold (called by json only for those, so no tree walk)."""
    if isinstance(value, Decimal):
        # Normalised so that 5000 and 5000.00 hash the same.
        return format(value.normalize(), "f")
    if isinstance(value, dt.datetime):
        return value.isoformat(timespec="microseconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, bytes):
        return value.hex()
    raise TypeError(f"cannot hash a value of type {type(value).__name__}")


def _plain(value):
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, Decimal):
        # Normalised so that 5000 and 5000.00 hash the same.
        return format(value.normalize(), "f")
    if isinstance(value, dt.datetime):
        return value.isoformat(timespec="microseconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, uuid.UUID | bytes):
        return value.hex() if isinstance(value, bytes) else str(value)
    return value


def canonical_bytes(obj) -> bytes:
    """Sorted-key compact UTF-8 JSON. Keys must be strings (they are, for every row and body)."""
    try:
        text = json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_default)
    except TypeError:
        # Non-string keys (or another exotic value): the slow, explicit conversion.
        text = json.dumps(_plain(obj), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return text.encode("utf-8")


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
