"""国密 (Chinese commercial cryptography): SM3 hashes and SM2 signatures (密评, GB/T 39786-2021).

- SM3 (GB/T 32905-2016) is computed beside SHA-256 for every stored file. The streaming hasher is
  OpenSSL's (through hashlib, C speed: evidence files are gigabytes of video); gmssl's pure-Python
  SM3 is the fallback where OpenSSL was built without it, and the second implementation the tests
  compare against.
- SM2 (GB/T 32918.2-2016) signs checkpoints beside Ed25519 when SANXIANG_SM2_KEY is set, with
  SM3 over Z_A ‖ M as the standard prescribes (default user ID "1234567812345678"). gmssl does
  the curve arithmetic; the per-signature random k comes from `secrets` (gmssl's own helper uses
  `random`, which is not a cryptographic generator, and a guessable k gives away the key).

The SM2 key file holds the private scalar as 64 hex digits on one line (mode 0600); it is made
on first use like the Ed25519 key, and never once checkpoints carry SM2 signatures (see keys).
"""

from __future__ import annotations

import hashlib
import os
import secrets
import tempfile
from pathlib import Path

from gmssl import sm2 as _sm2
from gmssl import sm3 as _sm3

CURVE = _sm2.default_ecc_table
_N = int(CURVE["n"], 16)
SIGNATURE_SIZE = 64  # r ‖ s, 32 bytes each, big-endian
PUBLIC_KEY_SIZE = 65  # 0x04 ‖ x ‖ y


class _GmsslSm3:
    """hashlib-like wrapper over gmssl's one-shot SM3 (used only when OpenSSL lacks SM3)."""

    name = "sm3"
    digest_size = 32

    def __init__(self, data: bytes = b"") -> None:
        self._data = bytearray(data)

    def update(self, data: bytes) -> None:
        self._data += data

    def hexdigest(self) -> str:
        return _sm3.sm3_hash(list(self._data))

    def digest(self) -> bytes:
        return bytes.fromhex(self.hexdigest())


def _openssl_has_sm3() -> bool:
    try:
        hashlib.new("sm3")
    except ValueError:
        return False
    return True


_OPENSSL_SM3 = _openssl_has_sm3()


def sm3(data: bytes = b""):
    """A new SM3 hasher (hashlib interface: update, digest, hexdigest)."""
    return hashlib.new("sm3", data) if _OPENSSL_SM3 else _GmsslSm3(data)


def sm3_hex(data: bytes) -> str:
    return sm3(data).hexdigest()


def sm3_gmssl_hex(data: bytes) -> str:
    """SM3 by gmssl's pure-Python code (an independent implementation, for cross-checks)."""
    return _sm3.sm3_hash(list(data))


# --------------------------------------------------------------------------------------------
# SM2 keys and signatures
# --------------------------------------------------------------------------------------------


class Sm2Key:
    """An SM2 key pair; `public_hex` is x ‖ y (128 hex digits)."""

    def __init__(self, private_hex: str) -> None:
        d = int(private_hex, 16)
        if not 1 <= d < _N - 1:
            raise ValueError("SM2 private key out of range")
        self.private_hex = f"{d:064x}"
        self.public_hex = _sm2.CryptSM2(private_key=self.private_hex, public_key="")._kg(d, CURVE["g"])
        self._crypt = _sm2.CryptSM2(private_key=self.private_hex, public_key=self.public_hex)

    @property
    def public_bytes(self) -> bytes:
        """Uncompressed point 0x04 ‖ x ‖ y."""
        return b"\x04" + bytes.fromhex(self.public_hex)

    def sign(self, message: bytes) -> bytes:
        """SM2 signature r ‖ s of SM3(Z_A ‖ message) (GB/T 32918.2 §6.1)."""
        while True:
            k = f"{secrets.randbelow(_N - 1) + 1:064x}"
            signature = self._crypt.sign_with_sm3(message, k)
            if signature:  # None when r = 0 or r + k = n: draw another k, as the standard says
                return bytes.fromhex(signature)


def sm2_verify(public_key: bytes, signature: bytes, message: bytes) -> bool:
    """Whether `signature` (r ‖ s) over `message` verifies under `public_key` (0x04 ‖ x ‖ y)."""
    if len(public_key) != PUBLIC_KEY_SIZE or public_key[0] != 4 or len(signature) != SIGNATURE_SIZE:
        return False
    r, s = int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
    if not (1 <= r < _N and 1 <= s < _N):
        return False
    crypt = _sm2.CryptSM2(private_key="", public_key=public_key[1:].hex())
    try:
        return bool(crypt.verify_with_sm3(signature.hex(), message))
    except (ValueError, TypeError):
        return False


def generate_sm2_private_hex() -> str:
    return f"{secrets.randbelow(_N - 2) + 1:064x}"


def load_sm2_key(path: Path) -> Sm2Key:
    text = Path(path).read_text().strip()
    try:
        return Sm2Key(text)
    except ValueError as exc:
        raise ValueError(f"{path} 不是有效的 SM2 私钥（应为 64 位十六进制数）") from exc


def create_sm2_key(path: Path) -> Sm2Key:
    """Write a new SM2 key to `path` (0600, atomic, never overwriting an existing file)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    key = Sm2Key(generate_sm2_private_hex())
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w") as handle:
            os.fchmod(handle.fileno(), 0o600)
            handle.write(key.private_hex + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(temp, path)
        except FileExistsError:
            return load_sm2_key(path)
    finally:
        os.unlink(temp)
    return key
