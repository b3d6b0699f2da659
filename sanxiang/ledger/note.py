"""C2SP checkpoints and signed notes with Ed25519 (pure Python, no Django).

- https://c2sp.org/tlog-checkpoint — the checkpoint body: origin, tree size, base64 root hash.
- https://c2sp.org/signed-note — the note: body, a blank line, then one line per signature,
  "— <key name> <base64(key ID || signature)>". The Ed25519 key ID is the first four bytes of
  SHA-256(key name || 0x0A || 0x01 || public key), and the signature covers the body's UTF-8
  bytes exactly.
- Verifier keys travel as "<name>+<hex key ID>+<base64(0x01 || public key)>", the encoding
  used by golang.org/x/mod/sumdb/note and every tlog witness, so outside tools can check our
  checkpoints with their own code.

The formats are kept byte-for-byte interoperable, so parsing is strict: anything that a
conforming signer would not produce is refused with `NoteError` rather than guessed at.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import re
import tempfile
from pathlib import Path
from typing import NamedTuple

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
    load_pem_private_key,
)

__all__ = [
    "ALG_ED25519",
    "NoteError",
    "VerifierKey",
    "checkpoint_body",
    "key_id",
    "load_or_create_private_key",
    "make_vkey",
    "parse_checkpoint",
    "parse_vkey",
    "add_sm2_signature",
    "sign_note",
    "sm2_key_id",
    "verify_note",
    "verify_note_sm2",
]

ALG_ED25519 = 0x01
"""Signature algorithm byte for Ed25519 in key IDs and verifier keys (signed-note spec)."""
ALG_OTHER = 0xFF
"""The signed-note escape for algorithms it does not define: the key ID hashes 0xFF, then an
identifier string naming the algorithm, then the key. Ours for SM2 is `SM2_IDENTIFIER`."""
SM2_IDENTIFIER = b"sanxiang/sm2-sm3"

_SIG_PREFIX = "\u2014 "  # em dash and a space start every signature line
_KEY_ID_SIZE = 4
_ED25519_SIG_SIZE = 64
_ED25519_KEY_SIZE = 32
_ROOT_SIZE = 32
# Go's note package refuses more than 100 signatures; a note with more is not ours.
_MAX_SIGNATURES = 100
_DECIMAL = re.compile(r"0|[1-9][0-9]*")
_HEX_KEY_ID = re.compile(r"[0-9a-fA-F]{8}")


class NoteError(ValueError):
    """A note, checkpoint or key string is malformed or its signature does not verify."""


class VerifierKey(NamedTuple):
    """A parsed verifier key: its name, 4-byte key ID and Ed25519 public key."""

    name: str
    key_id: bytes
    public_key: Ed25519PublicKey


# --------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------


def _raw_public(public_key: Ed25519PublicKey) -> bytes:
    return public_key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def _check_key_name(name: str) -> None:
    # Spec: non-empty, no Unicode spaces, no "+" (the vkey separator).
    if not isinstance(name, str) or not name:
        raise NoteError("key name must be a non-empty string")
    if "+" in name or any(ch.isspace() for ch in name) or not name.isprintable():
        raise NoteError(f"key name {name!r} must not contain spaces, '+' or control characters")


def _b64decode(text: str, what: str) -> bytes:
    """Strict standard base64 (with padding); re-encoding must reproduce the input."""
    try:
        raw = base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError) as exc:
        raise NoteError(f"{what} is not valid base64") from exc
    if base64.b64encode(raw).decode("ascii") != text:
        raise NoteError(f"{what} is not canonical base64")
    return raw


def _check_text(body: str) -> None:
    """A note body: non-empty UTF-8 text ending in a newline, with no other control characters."""
    if not isinstance(body, str) or not body:
        raise NoteError("note text must be a non-empty string")
    if not body.endswith("\n"):
        raise NoteError("note text must end with a newline")
    if any((ch < " " and ch != "\n") or ch == "\x7f" for ch in body):
        raise NoteError("note text must not contain control characters other than newline")
    try:
        body.encode("utf-8")
    except UnicodeEncodeError as exc:  # lone surrogates
        raise NoteError("note text is not valid UTF-8") from exc


def key_id(key_name: str, public_key: Ed25519PublicKey) -> bytes:
    """First 4 bytes of SHA-256(key name || 0x0A || 0x01 || 32-byte public key)."""
    _check_key_name(key_name)
    material = key_name.encode("utf-8") + b"\n" + bytes([ALG_ED25519]) + _raw_public(public_key)
    return hashlib.sha256(material).digest()[:_KEY_ID_SIZE]


# --------------------------------------------------------------------------------------------
# Checkpoints
# --------------------------------------------------------------------------------------------


def checkpoint_body(origin: str, size: int, root: bytes) -> str:
    """The tlog-checkpoint body "origin\\nsize\\nbase64(root)\\n"."""
    if not isinstance(origin, str) or not origin or "\n" in origin or not origin.isprintable():
        raise NoteError("origin must be a non-empty single line of printable text")
    if not isinstance(size, int) or isinstance(size, bool) or size < 0:
        raise NoteError(f"tree size must be a non-negative integer, got {size!r}")
    if not isinstance(root, bytes | bytearray) or len(root) != _ROOT_SIZE:
        raise NoteError(f"root hash must be {_ROOT_SIZE} bytes")
    return f"{origin}\n{size}\n{base64.b64encode(bytes(root)).decode('ascii')}\n"


def parse_checkpoint(body: str, origin: str | None = None) -> tuple[str, int, bytes]:
    """(origin, tree size, root hash) from a checkpoint body, strictly validated.

    Extension lines after the root are allowed by the spec and ignored here; they must still
    be non-empty. Pass `origin` to also require a particular log.
    """
    _check_text(body)
    lines = body[:-1].split("\n")
    if len(lines) < 3:
        raise NoteError("checkpoint must have an origin line, a size line and a root hash line")
    found_origin, size_text, root_text, *extensions = lines
    if not found_origin:
        raise NoteError("checkpoint origin line is empty")
    if origin is not None and found_origin != origin:
        raise NoteError(f"checkpoint is for log {found_origin!r}, expected {origin!r}")
    # Decimal without sign or leading zeros, so one size has exactly one spelling.
    if not _DECIMAL.fullmatch(size_text):
        raise NoteError(f"checkpoint tree size {size_text!r} is not a decimal number")
    root = _b64decode(root_text, "checkpoint root hash")
    if len(root) != _ROOT_SIZE:
        raise NoteError(f"checkpoint root hash must be {_ROOT_SIZE} bytes, got {len(root)}")
    if any(not line for line in extensions):
        raise NoteError("checkpoint extension lines must not be empty")
    return found_origin, int(size_text), root


# --------------------------------------------------------------------------------------------
# Signed notes
# --------------------------------------------------------------------------------------------


def sign_note(body: str, key_name: str, private_key: Ed25519PrivateKey) -> str:
    """The signed note: `body`, a blank line, and one signature line by `key_name`."""
    _check_text(body)
    _check_key_name(key_name)
    if "\n\n" in body:
        # The first blank line would be read as the end of the text.
        raise NoteError("note text must not contain a blank line")
    kid = key_id(key_name, private_key.public_key())
    signature = private_key.sign(body.encode("utf-8"))
    encoded = base64.b64encode(kid + signature).decode("ascii")
    return f"{body}\n{_SIG_PREFIX}{key_name} {encoded}\n"


def _split_note(note: str) -> tuple[str, list[tuple[str, bytes]]]:
    """(text, [(key name, key ID || signature), ...]) of a note, format checked."""
    if not isinstance(note, str):
        raise NoteError("note must be a string")
    split = note.find("\n\n")
    if split < 0:
        raise NoteError("note has no blank line between text and signatures")
    text, block = note[: split + 1], note[split + 2 :]
    _check_text(text)
    if not block:
        raise NoteError("note has no signature lines")
    if not block.endswith("\n"):
        raise NoteError("note signature block must end with a newline")
    lines = block[:-1].split("\n")
    if len(lines) > _MAX_SIGNATURES:
        raise NoteError(f"note has more than {_MAX_SIGNATURES} signatures")
    signatures: list[tuple[str, bytes]] = []
    for line in lines:
        if not line.startswith(_SIG_PREFIX):
            raise NoteError("signature line does not start with an em dash and a space")
        name, sep, encoded = line[len(_SIG_PREFIX) :].partition(" ")
        if not sep:
            raise NoteError("signature line has no key name and signature")
        _check_key_name(name)
        raw = _b64decode(encoded, "signature")
        if len(raw) <= _KEY_ID_SIZE:
            raise NoteError("signature is too short to hold a key ID")
        signatures.append((name, raw))
    return text, signatures


def verify_note(note: str, key_name: str, public_key: Ed25519PublicKey) -> str:
    """The note's text, once a signature by (`key_name`, `public_key`) on it verifies.

    Signatures by other keys are ignored, as the spec requires (a log may carry witness
    cosignatures). Raises `NoteError` when the note is malformed, carries no signature from
    this key, or that signature is wrong.
    """
    text, signatures = _split_note(note)
    kid = key_id(key_name, public_key)
    ours = [raw for name, raw in signatures if name == key_name and raw[:_KEY_ID_SIZE] == kid]
    if not ours:
        raise NoteError(f"note has no signature from key {key_name!r} ({kid.hex()}): unknown key")
    message = text.encode("utf-8")
    for raw in ours:
        signature = raw[_KEY_ID_SIZE:]
        if len(signature) != _ED25519_SIG_SIZE:
            raise NoteError("Ed25519 signature must be 64 bytes")
        try:
            public_key.verify(signature, message)
        except InvalidSignature as exc:
            raise NoteError(f"signature by key {key_name!r} does not verify") from exc
    return text


def sm2_key_id(key_name: str, public_key: bytes) -> bytes:
    """First 4 bytes of SHA-256(key name || 0x0A || 0xFF || "sanxiang/sm2-sm3" || 0x04 || x || y)."""
    _check_key_name(key_name)
    material = key_name.encode("utf-8") + b"\n" + bytes([ALG_OTHER]) + SM2_IDENTIFIER + public_key
    return hashlib.sha256(material).digest()[:_KEY_ID_SIZE]


def add_sm2_signature(signed: str, key_name: str, key) -> str:
    """`signed` with one more signature line: SM2 (with SM3, GB/T 32918.2) by `key` over the text.

    Verifiers that do not know the key skip the line, as the spec requires, so an Ed25519-only
    client reads the note unchanged. `key` is a `guomi.Sm2Key`.
    """
    text, signatures = _split_note(signed)
    if any(name == key_name for name, _ in signatures):
        raise NoteError(f"note already carries a signature named {key_name!r}")
    kid = sm2_key_id(key_name, key.public_bytes)
    encoded = base64.b64encode(kid + key.sign(text.encode("utf-8"))).decode("ascii")
    return f"{signed}{_SIG_PREFIX}{key_name} {encoded}\n"


def verify_note_sm2(note: str, key_name: str, public_key: bytes) -> str:
    """The note's text, once its SM2 signature by (`key_name`, `public_key`) verifies."""
    from sanxiang.ledger import guomi

    text, signatures = _split_note(note)
    kid = sm2_key_id(key_name, public_key)
    ours = [raw for name, raw in signatures if name == key_name and raw[:_KEY_ID_SIZE] == kid]
    if not ours:
        raise NoteError(f"note has no SM2 signature from key {key_name!r} ({kid.hex()})")
    for raw in ours:
        if not guomi.sm2_verify(public_key, raw[_KEY_ID_SIZE:], text.encode("utf-8")):
            raise NoteError(f"SM2 signature by key {key_name!r} does not verify")
    return text


def signature_names(note: str) -> list[str]:
    """The key names of a note's signature lines."""
    return [name for name, _ in _split_note(note)[1]]


# --------------------------------------------------------------------------------------------
# Verifier keys
# --------------------------------------------------------------------------------------------


def make_vkey(key_name: str, public_key: Ed25519PublicKey) -> str:
    """The verifier key string "<name>+<hex key ID>+<base64(0x01 || public key)>"."""
    kid = key_id(key_name, public_key)
    encoded = base64.b64encode(bytes([ALG_ED25519]) + _raw_public(public_key)).decode("ascii")
    return f"{key_name}+{kid.hex()}+{encoded}"


def parse_vkey(vkey: str) -> VerifierKey:
    """Parse a verifier key string, checking that its key ID matches its name and key."""
    if not isinstance(vkey, str):
        raise NoteError("verifier key must be a string")
    # The name cannot contain "+", so the first two "+" are the separators; base64 may hold more.
    name, sep1, rest = vkey.partition("+")
    hex_id, sep2, encoded = rest.partition("+")
    if not (sep1 and sep2):
        raise NoteError("verifier key must look like <name>+<key ID>+<key>")
    _check_key_name(name)
    if not _HEX_KEY_ID.fullmatch(hex_id):
        raise NoteError("verifier key ID must be 8 hex digits")
    raw = _b64decode(encoded, "verifier key")
    if len(raw) != 1 + _ED25519_KEY_SIZE or raw[0] != ALG_ED25519:
        raise NoteError("verifier key is not an Ed25519 key")
    public_key = Ed25519PublicKey.from_public_bytes(raw[1:])
    kid = key_id(name, public_key)
    if kid != bytes.fromhex(hex_id):
        raise NoteError("verifier key ID does not match its name and key")
    return VerifierKey(name, kid, public_key)


# --------------------------------------------------------------------------------------------
# Key file
# --------------------------------------------------------------------------------------------


def _load_private_key(path: Path) -> Ed25519PrivateKey:
    key = load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise NoteError(f"{path} does not hold an Ed25519 private key")
    return key


def load_or_create_private_key(path: Path) -> Ed25519PrivateKey:
    """The Ed25519 key in PEM file `path`, generated (PKCS8, unencrypted, mode 0600) on first use.

    Creation is atomic and never overwrites: the key is written to a private temporary file
    and hard-linked into place, so two processes starting at once end up with the same key
    (the loser of the race reads the winner's) and nobody ever reads a half-written file.
    """
    path = Path(path)
    if path.exists():
        return _load_private_key(path)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
    # mkstemp creates the file with mode 0600 whatever the umask; fchmod makes that explicit.
    fd, temp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            os.fchmod(handle.fileno(), 0o600)
            handle.write(pem)
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(temp_name, path)
        except FileExistsError:
            return _load_private_key(path)
        except OSError:
            # Some filesystems refuse hard links; exclusive create still never overwrites.
            try:
                _write_exclusive(path, pem)
            except FileExistsError:
                return _load_private_key(path)
    finally:
        os.unlink(temp_name)
    return key


def _write_exclusive(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        os.fchmod(handle.fileno(), 0o600)
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
