"""A transparency-log witness (C2SP tlog-witness) and its cosignatures (C2SP tlog-cosignature).

Pure Python, no Django and no application database: the witness is run by another body (the
justice bureau, the procuratorate) with its own key file and its own small JSON state file, and
`sanxiang witness` only wraps `serve()`.

- https://c2sp.org/tlog-cosignature — a cosignature/v1 is an Ed25519 signature over
  "cosignature/v1\\ntime <unix seconds>\\n" followed by the checkpoint body. Its signature line is
  "— <witness name> base64(key ID || 8-byte big-endian time || 64-byte signature)", the key ID
  being the first four bytes of SHA-256(name || 0x0A || 0x04 || public key), and the witness's
  verifier key "<name>+<hex key ID>+base64(0x04 || public key)".
- https://c2sp.org/tlog-witness — POST /add-checkpoint with the body "old <size>\\n", one base64
  consistency-proof hash per line, a blank line, then the log's signed checkpoint note. The
  witness checks the log's signature, that `old` is the size it last cosigned for that log (409
  Conflict with its size in text/x.tlog.size otherwise, also for a rolled-back tree), and that
  the proof leads from its stored root to the new root (422 otherwise); then it records the new
  size and root and answers 200 with its cosignature line. Unknown log: 404; the log's signature
  missing or wrong: 403; malformed request: 400.

The state is replaced atomically (temporary file, fsync, rename) under a lock, and a checkpoint
is cosigned only once its state is durable, so a witness that crashes never forgets a tree it
vouched for.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import struct
import tempfile
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from sanxiang.ledger import merkle, note

ALG_COSIGNATURE_V1 = 0x04
COSIGNATURE_PREFIX = "cosignature/v1\ntime "
SIZE_CONTENT_TYPE = "text/x.tlog.size"
MAX_BODY = 64 * 1024  # a checkpoint and a proof of a 2^63 tree are a few KiB
MAX_PROOF = 64


class WitnessError(ValueError):
    """A request the witness refuses; `status` is the HTTP status tlog-witness gives it."""

    def __init__(self, status: int, message: str, size: int | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.size = size


# --------------------------------------------------------------------------------------------
# Cosignatures
# --------------------------------------------------------------------------------------------


def _raw(public_key: Ed25519PublicKey) -> bytes:
    return public_key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def cosignature_key_id(name: str, public_key: Ed25519PublicKey) -> bytes:
    note._check_key_name(name)
    return hashlib.sha256(name.encode() + b"\n" + bytes([ALG_COSIGNATURE_V1]) + _raw(public_key)).digest()[:4]


def cosignature_vkey(name: str, public_key: Ed25519PublicKey) -> str:
    kid = cosignature_key_id(name, public_key)
    return f"{name}+{kid.hex()}+{base64.b64encode(bytes([ALG_COSIGNATURE_V1]) + _raw(public_key)).decode()}"


@dataclass(frozen=True)
class WitnessKey:
    name: str
    key_id: bytes
    public_key: Ed25519PublicKey

    @property
    def vkey(self) -> str:
        return cosignature_vkey(self.name, self.public_key)

    @property
    def fingerprint(self) -> str:
        """SHA-256 of the raw public key, in hex: what the README and the portal footer print."""
        return hashlib.sha256(_raw(self.public_key)).hexdigest()


def parse_cosignature_vkey(vkey: str) -> WitnessKey:
    name, sep1, rest = vkey.strip().partition("+")
    hex_id, sep2, encoded = rest.partition("+")
    if not (sep1 and sep2) or len(hex_id) != 8:
        raise note.NoteError("witness key must look like <name>+<key ID>+<key>")
    raw = note._b64decode(encoded, "witness key")
    if len(raw) != 33 or raw[0] != ALG_COSIGNATURE_V1:
        raise note.NoteError("witness key is not a cosignature/v1 (0x04) Ed25519 key")
    public_key = Ed25519PublicKey.from_public_bytes(raw[1:])
    kid = cosignature_key_id(name, public_key)
    if kid.hex() != hex_id.lower():
        raise note.NoteError("witness key ID does not match its name and key")
    return WitnessKey(name, kid, public_key)


def cosignature_message(body: str, timestamp: int) -> bytes:
    return f"{COSIGNATURE_PREFIX}{timestamp}\n{body}".encode()


def cosign(body: str, name: str, private_key: Ed25519PrivateKey, timestamp: int | None = None) -> str:
    """The signature line "— name base64(key ID || time || signature)\\n" over checkpoint `body`."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    kid = cosignature_key_id(name, private_key.public_key())
    signature = private_key.sign(cosignature_message(body, timestamp))
    return f"\u2014 {name} {base64.b64encode(kid + struct.pack('>Q', timestamp) + signature).decode()}\n"


def verify_cosignature(body: str, line: str, key: WitnessKey) -> int:
    """The cosignature's time, once `line` (one signature line) verifies for `body` with `key`."""
    line = line.rstrip("\n")
    prefix = f"\u2014 {key.name} "
    if not line.startswith(prefix):
        raise note.NoteError(f"not a signature line of witness {key.name!r}")
    raw = note._b64decode(line[len(prefix):], "cosignature")
    if len(raw) != 4 + 8 + 64 or raw[:4] != key.key_id:
        raise note.NoteError(f"not a cosignature/v1 by witness {key.name!r}")
    (timestamp,) = struct.unpack(">Q", raw[4:12])
    try:
        key.public_key.verify(raw[12:], cosignature_message(body, timestamp))
    except InvalidSignature as exc:
        raise note.NoteError(f"cosignature by witness {key.name!r} does not verify") from exc
    return timestamp


def note_text(signed: str) -> str:
    """The text (checkpoint body) of a signed note."""
    return note._split_note(signed)[0]


# --------------------------------------------------------------------------------------------
# add-checkpoint requests
# --------------------------------------------------------------------------------------------


def add_checkpoint_body(old_size: int, proof: list[bytes], signed_checkpoint: str) -> bytes:
    lines = [f"old {old_size}"] + [base64.b64encode(h).decode() for h in proof]
    return ("\n".join(lines) + "\n\n" + signed_checkpoint).encode()


def parse_add_checkpoint(data: bytes) -> tuple[int, list[bytes], str]:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise WitnessError(400, "request is not UTF-8") from exc
    head, sep, signed = text.partition("\n\n")
    if not sep:
        raise WitnessError(400, "request has no blank line before the checkpoint")
    lines = head.split("\n")
    first = lines[0]
    if not first.startswith("old ") or not note._DECIMAL.fullmatch(first[4:]):
        raise WitnessError(400, "first line must be 'old <size>'")
    if len(lines) - 1 > MAX_PROOF:
        raise WitnessError(400, "consistency proof is too long")
    try:
        proof = [note._b64decode(line, "proof hash") for line in lines[1:]]
    except note.NoteError as exc:
        raise WitnessError(400, str(exc)) from exc
    if any(len(h) != 32 for h in proof):
        raise WitnessError(400, "proof hashes must be 32 bytes")
    return int(first[4:]), proof, signed


# --------------------------------------------------------------------------------------------
# The witness
# --------------------------------------------------------------------------------------------


class Witness:
    """Cosigns checkpoints of the logs it knows, never two trees of one log that disagree."""

    def __init__(self, name: str, private_key: Ed25519PrivateKey, state_path: Path, logs: dict[str, str]) -> None:
        """`logs` maps each log's origin to its signed-note verifier key (the log's Ed25519 key)."""
        note._check_key_name(name)
        self.name = name
        self.private_key = private_key
        self.key = WitnessKey(name, cosignature_key_id(name, private_key.public_key()), private_key.public_key())
        self.state_path = Path(state_path)
        self.logs = {origin: note.parse_vkey(vkey) for origin, vkey in logs.items()}
        self._lock = threading.Lock()

    def _state(self) -> dict:
        try:
            return json.loads(self.state_path.read_text())
        except FileNotFoundError:
            return {}

    def _save(self, state: dict) -> None:
        self.state_path.parent.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(dir=self.state_path.parent, prefix=f".{self.state_path.name}.")
        try:
            with os.fdopen(fd, "w") as handle:
                json.dump(state, handle, sort_keys=True, indent=1)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temp, self.state_path)
        except BaseException:
            if os.path.exists(temp):
                os.unlink(temp)
            raise

    def latest(self, origin: str) -> tuple[int, bytes | None]:
        record = self._state().get(origin)
        return (0, None) if record is None else (record["size"], base64.b64decode(record["root"]))

    def add_checkpoint(self, data: bytes) -> str:
        """Handle one add-checkpoint request body; the cosignature line, or WitnessError."""
        old_size, proof, signed = parse_add_checkpoint(data)
        try:
            body = note_text(signed)
            origin = body.split("\n", 1)[0]
        except note.NoteError as exc:
            raise WitnessError(400, f"checkpoint note is malformed: {exc}") from exc
        log_key = self.logs.get(origin)
        if log_key is None:
            raise WitnessError(404, f"unknown log {origin!r}")
        try:
            note.verify_note(signed, log_key.name, log_key.public_key)
            _, size, root = note.parse_checkpoint(body, origin)
        except note.NoteError as exc:
            raise WitnessError(403, f"checkpoint is not signed by the log's key: {exc}") from exc
        with self._lock:
            state = self._state()
            record = state.get(origin)
            known_size = record["size"] if record else 0
            if size < known_size:
                raise WitnessError(409, f"rolled back: witness has size {known_size} for this log, the checkpoint "
                                        f"{size}", known_size)
            if old_size > size:
                raise WitnessError(400, f"old size {old_size} is larger than the checkpoint's size {size}")
            if old_size != known_size:
                # Also a rolled-back tree: its old size can only be one the witness moved past.
                raise WitnessError(409, f"witness has size {known_size} for this log, not {old_size}", known_size)
            if known_size:
                known_root = base64.b64decode(record["root"])
                try:
                    merkle.verify_consistency(known_size, size, known_root, root, proof)
                except merkle.ProofError as exc:
                    raise WitnessError(422, f"checkpoint is not consistent with size {known_size}: {exc}") from exc
            elif proof:
                raise WitnessError(422, "a checkpoint after size 0 takes an empty proof")
            if size > known_size or record is None:
                state[origin] = {"size": size, "root": base64.b64encode(root).decode(), "note": signed,
                                 "time": int(time.time())}
                self._save(state)
            return cosign(body, self.name, self.private_key)


class _Handler(BaseHTTPRequestHandler):
    witness: Witness
    server_version = "sanxiang-witness/1"

    def log_message(self, format, *args):  # noqa: A002 — the base class's name
        if getattr(self.server, "verbose", False):
            super().log_message(format, *args)

    def _answer(self, status: int, text: str, content_type: str = "text/plain; charset=utf-8") -> None:
        data = text.encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):  # noqa: N802
        if self.path == "/":
            self._answer(200, f"{self.witness.key.vkey}\n")
        else:
            self._answer(404, "not found\n")

    def do_POST(self):  # noqa: N802
        if self.path != "/add-checkpoint":
            self._answer(404, "not found\n")
            return
        try:
            length = int(self.headers.get("Content-Length", ""))
        except ValueError:
            self._answer(411, "Content-Length required\n")
            return
        if length > MAX_BODY:
            self._answer(413, "request too large\n")
            return
        try:
            self._answer(200, self.witness.add_checkpoint(self.rfile.read(length)))
        except WitnessError as exc:
            if exc.status == 409:
                self._answer(409, f"{exc.size}\n", SIZE_CONTENT_TYPE)
            else:
                self._answer(exc.status, exc.message + "\n")


def make_server(witness: Witness, host: str = "127.0.0.1", port: int = 0, verbose: bool = False) -> ThreadingHTTPServer:
    handler = type("WitnessHandler", (_Handler,), {"witness": witness})
    server = ThreadingHTTPServer((host, port), handler)
    server.verbose = verbose
    server.daemon_threads = True
    return server


def load_witness(name: str, key_path: Path, state_path: Path, logs: dict[str, str]) -> Witness:
    """A witness with its key from `key_path` (made on first use, mode 0600)."""
    return Witness(name, note.load_or_create_private_key(Path(key_path)), state_path, logs)


# --------------------------------------------------------------------------------------------
# Client (the log's side)
# --------------------------------------------------------------------------------------------


def submit(url: str, old_size: int, proof: list[bytes], signed_checkpoint: str, timeout: float = 10.0) -> tuple[int, str]:
    """POST add-checkpoint to the witness at `url`; (HTTP status, response text)."""
    import urllib.error
    import urllib.request

    request = urllib.request.Request(url.rstrip("/") + "/add-checkpoint", method="POST",
                                     data=add_checkpoint_body(old_size, proof, signed_checkpoint),
                                     headers={"Content-Type": "text/plain; charset=utf-8"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:  # noqa: S310 — configured witness URL
            return answer.status, answer.read(MAX_BODY).decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read(MAX_BODY).decode("utf-8", "replace")
