"""The deployment's Ed25519 signing key for checkpoints (generated into var/ on first use)."""

from __future__ import annotations

import base64
import functools

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from django.conf import settings

from sanxiang.ledger import note


@functools.cache
def _key_for(path: str) -> Ed25519PrivateKey:
    from pathlib import Path

    return note.load_or_create_private_key(Path(path))


def signing_key() -> Ed25519PrivateKey:
    return _key_for(str(settings.LEDGER_SIGNING_KEY))


def public_key() -> Ed25519PublicKey:
    return signing_key().public_key()


def public_key_b64() -> str:
    raw = public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    return base64.b64encode(raw).decode()


def key_name() -> str:
    return settings.LEDGER_ORIGIN
