"""The deployment's checkpoint signing keys: Ed25519 always, SM2 when SANXIANG_SM2_KEY is set.

A key is generated (into var/keys/ by default) only while the ledger has no checkpoint it would
have to match: once checkpoints exist, a missing key file is an error, never a new key — a new
key would make every old checkpoint fail and hide a lost or swapped key (see `key_problems`,
which the system check runs at start-up of serve, worker and migrate).
"""

from __future__ import annotations

import base64
import functools
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from django.conf import settings

from sanxiang.common.exceptions import DomainError
from sanxiang.ledger import guomi, note


class SigningKeyMissing(DomainError):
    """Checkpoints exist but the key that signed them is not where the settings say."""

    code = "signing_key_missing"
    status = 503


@functools.cache
def _key_for(path: str) -> Ed25519PrivateKey:
    return note.load_or_create_private_key(Path(path))


@functools.cache
def _sm2_for(path: str) -> guomi.Sm2Key:
    return guomi.load_sm2_key(Path(path))


def _checkpoints_exist() -> bool:
    from sanxiang.ledger.models import Checkpoint

    return Checkpoint.objects.exists()


def _missing_message(what: str, path: Path) -> str:
    return (f"签名密钥缺失：数据库中已有签名检查点，但{what}文件 {path} 不存在。不会自动生成新密钥"
            f"（新密钥会使全部旧检查点失效）；请从备份恢复密钥文件（sanxiang restore）或改正配置。"
            f" / Signing key missing: checkpoints exist but {path} does not; restore the key, a new one "
            f"is never generated once checkpoints exist.")


def signing_key() -> Ed25519PrivateKey:
    path = Path(settings.LEDGER_SIGNING_KEY)
    if not path.exists() and _checkpoints_exist():
        raise SigningKeyMissing(_missing_message("Ed25519 签名密钥（LEDGER_SIGNING_KEY）", path))
    return _key_for(str(path))


def public_key() -> Ed25519PublicKey:
    return signing_key().public_key()


def public_key_b64() -> str:
    raw = public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    return base64.b64encode(raw).decode()


def key_name() -> str:
    return settings.LEDGER_ORIGIN


def sm2_key_name() -> str:
    """The SM2 signature line's own key name (a note cannot carry two keys of one name)."""
    return f"{settings.LEDGER_ORIGIN}/sm2"


def sm2_configured() -> bool:
    return bool(getattr(settings, "LEDGER_SM2_KEY", None))


def _sm2_signed_checkpoints_exist() -> bool:
    from sanxiang.ledger.models import Checkpoint

    return Checkpoint.objects.filter(note__contains=f"\u2014 {sm2_key_name()} ").exists()


def sm2_key() -> guomi.Sm2Key | None:
    """The SM2 key when configured (made on first use while no checkpoint carries an SM2 signature)."""
    if not sm2_configured():
        return None
    path = Path(settings.LEDGER_SM2_KEY)
    if not path.exists():
        if _sm2_signed_checkpoints_exist():
            raise SigningKeyMissing(_missing_message("SM2 签名密钥（SANXIANG_SM2_KEY）", path), code="sm2_key_missing")
        guomi.create_sm2_key(path)
    return _sm2_for(str(path))


def sm2_key_if_present() -> guomi.Sm2Key | None:
    """The SM2 key if configured and on disk (never generates: for readers)."""
    if not sm2_configured() or not Path(settings.LEDGER_SM2_KEY).exists():
        return None
    return _sm2_for(str(settings.LEDGER_SM2_KEY))


def check_continues(previous_note: str) -> None:
    """Refuse to sign on with a key that did not sign the newest checkpoint (a swapped key file)."""
    try:
        note.verify_note(previous_note, key_name(), public_key())
    except note.NoteError as exc:
        raise SigningKeyMissing(
            f"签名密钥不匹配：配置的密钥 {settings.LEDGER_SIGNING_KEY} 不是签发既有检查点的密钥，拒绝签发新检查点（{exc}）。"
            f"请恢复原密钥。 / The configured key did not sign the existing checkpoints.", code="signing_key_mismatch") from exc


def key_problems() -> list[str]:
    """Why the configured keys cannot continue this ledger (empty when they can).

    The newest checkpoint must verify with the configured Ed25519 key (and with the SM2 key if it
    carries an SM2 signature line and SM2 is configured). Reads only; never generates a key.
    """
    from sanxiang.ledger.models import Checkpoint

    latest = Checkpoint.objects.order_by("-tree_size").first()
    if latest is None:
        return []
    problems = []
    path = Path(settings.LEDGER_SIGNING_KEY)
    if not path.exists():
        problems.append(_missing_message("Ed25519 签名密钥（LEDGER_SIGNING_KEY）", path))
    else:
        try:
            note.verify_note(latest.note, key_name(), _key_for(str(path)).public_key())
        except (note.NoteError, ValueError) as exc:
            problems.append(
                f"签名密钥不匹配：最新检查点（大小 {latest.tree_size}）不是由配置的密钥 {path} 签发的（{exc}）。"
                f"请恢复签发这些检查点的原密钥。 / The configured signing key {path} did not sign the "
                f"existing checkpoints (newest: size {latest.tree_size}); restore the original key.")
    if sm2_configured() and f"\u2014 {sm2_key_name()} " in latest.note:
        sm2_path = Path(settings.LEDGER_SM2_KEY)
        if not sm2_path.exists():
            problems.append(_missing_message("SM2 签名密钥（SANXIANG_SM2_KEY）", sm2_path))
        else:
            try:
                note.verify_note_sm2(latest.note, sm2_key_name(), _sm2_for(str(sm2_path)).public_bytes)
            except (note.NoteError, ValueError) as exc:
                problems.append(f"SM2 签名密钥不匹配：最新检查点不是由 {sm2_path} 签发的（{exc}）。 / "
                                f"The configured SM2 key {sm2_path} did not sign the newest checkpoint.")
    return problems
