"""`{% transparency_keys %}`: the log's and the witnesses' public keys, printed (fingerprints in the
portal footer) and handed to the in-browser verifier, which pins them (disclosure/static/portal/verify.js)."""

from __future__ import annotations

import base64
import hashlib

from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from django import template

register = template.Library()


def pinned_keys() -> dict:
    from sanxiang.ledger import keys, note, witnessing

    try:
        public = keys.public_key()
    except Exception:  # noqa: BLE001 — a missing key is reported by the system check; the footer still renders
        public = None
    log = None
    if public is not None:
        raw = public.public_bytes(Encoding.Raw, PublicFormat.Raw)
        log = {"name": keys.key_name(), "key": base64.b64encode(raw).decode(),
               "vkey": note.make_vkey(keys.key_name(), public), "fingerprint": hashlib.sha256(raw).hexdigest()}
    return {"log": log, "witnesses": [{"name": k.name, "vkey": k.vkey, "fingerprint": k.fingerprint}
                                      for k in witnessing.witness_keys()]}


@register.inclusion_tag("ledger/_transparency_keys.html")
def transparency_keys():
    return {"pins": pinned_keys()}


@register.inclusion_tag("ledger/_checkpoint_witnesses.html")
def checkpoint_witnesses():
    """The newest checkpoint and the witnesses that cosigned it (server-side; the verifier checks them)."""
    from sanxiang.ledger.services import latest_checkpoint

    cp = latest_checkpoint()
    rows = list(cp.cosignatures.all()) if cp is not None else []
    return {"cp": cp, "cosignatures": rows}
