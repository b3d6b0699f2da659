"""C2SP checkpoints and signed notes: format, Ed25519 signatures, verifier keys, the key file."""

from __future__ import annotations

import base64
import hashlib
import stat

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from sanxiang.ledger.note import (
    NoteError,
    checkpoint_body,
    key_id,
    load_or_create_private_key,
    make_vkey,
    parse_checkpoint,
    parse_vkey,
    sign_note,
    verify_note,
)

ORIGIN = "sanxiang.example.gov.cn/ledger"
ROOT = bytes.fromhex("5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328")

# The worked example of golang.org/x/mod/sumdb/note (its package documentation and tests).
# Ed25519 is deterministic, so signing the same text with the same key must give the same note
# byte for byte: that is what makes our checkpoints readable by Go witnesses and monitors.
GO_SIGNER_KEY = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
GO_VERIFIER_KEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
GO_TEXT = (
    "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n"
)
GO_NOTE = (
    GO_TEXT
    + "\n"
    + "\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"
)


def go_private_key() -> Ed25519PrivateKey:
    # "PRIVATE+KEY+<name>+<id>+base64(0x01 || seed)"; the base64 itself may contain "+".
    encoded = GO_SIGNER_KEY.split("+", 4)[4]
    raw = base64.b64decode(encoded)
    assert raw[0] == 0x01
    return Ed25519PrivateKey.from_private_bytes(raw[1:])


@pytest.fixture
def key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


@pytest.fixture
def signed(key) -> str:
    return sign_note(checkpoint_body(ORIGIN, 8, ROOT), ORIGIN, key)


def raw_public(private_key: Ed25519PrivateKey) -> bytes:
    return private_key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


# --------------------------------------------------------------------------------------------
# Checkpoint bodies
# --------------------------------------------------------------------------------------------


def test_checkpoint_body_is_origin_size_and_base64_root_on_three_lines():
    body = checkpoint_body(ORIGIN, 8, ROOT)
    assert body == f"{ORIGIN}\n8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n"
    assert parse_checkpoint(body) == (ORIGIN, 8, ROOT)
    assert parse_checkpoint(body, origin=ORIGIN) == (ORIGIN, 8, ROOT)


def test_checkpoint_extension_lines_are_allowed_and_ignored():
    body = checkpoint_body(ORIGIN, 0, ROOT) + "Timestamp: 1700000000\n"
    assert parse_checkpoint(body) == (ORIGIN, 0, ROOT)


@pytest.mark.parametrize(
    "body",
    [
        "",
        f"{ORIGIN}\n8\n",  # no root line
        f"{ORIGIN}\n8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=",  # no final newline
        "\n8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n",  # empty origin
        f"{ORIGIN}\n08\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n",  # leading zero
        f"{ORIGIN}\n-8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n",  # sign
        f"{ORIGIN}\n8 \nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n",  # trailing space
        f"{ORIGIN}\n8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg\n",  # unpadded base64
        f"{ORIGIN}\n8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQw==\n",  # 31 bytes
        f"{ORIGIN}\n8\nXcnaeacG WamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n",  # space inside base64
        f"{ORIGIN}\n8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n\n",  # empty extension line
        f"{ORIGIN}\r\n8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n",  # control character
    ],
)
def test_malformed_checkpoint_bodies_are_rejected(body):
    with pytest.raises(NoteError):
        parse_checkpoint(body)


def test_checkpoint_for_another_log_is_rejected_when_the_origin_is_given():
    with pytest.raises(NoteError, match="expected"):
        parse_checkpoint(checkpoint_body("other.example/log", 8, ROOT), origin=ORIGIN)


def test_checkpoint_body_refuses_values_it_cannot_represent():
    for origin, size, root in [("", 1, ROOT), ("a\nb", 1, ROOT), (ORIGIN, -1, ROOT), (ORIGIN, 1, ROOT[:31])]:
        with pytest.raises(NoteError):
            checkpoint_body(origin, size, root)


# --------------------------------------------------------------------------------------------
# Signed notes
# --------------------------------------------------------------------------------------------


def test_signed_checkpoint_round_trips_through_verification(key, signed):
    body = checkpoint_body(ORIGIN, 8, ROOT)
    assert signed.startswith(body + "\n\u2014 " + ORIGIN + " ")
    assert signed.endswith("\n") and signed.count("\n") == 5
    assert verify_note(signed, ORIGIN, key.public_key()) == body
    assert parse_checkpoint(verify_note(signed, ORIGIN, key.public_key())) == (ORIGIN, 8, ROOT)


def test_signature_line_holds_key_id_and_a_signature_over_the_body_bytes(key, signed):
    body = checkpoint_body(ORIGIN, 8, ROOT)
    blob = base64.b64decode(signed.rsplit(" ", 1)[1])
    assert len(blob) == 4 + 64
    assert blob[:4] == key_id(ORIGIN, key.public_key())
    key.public_key().verify(blob[4:], body.encode("utf-8"))  # raises if not over exactly the body


def test_signing_reproduces_the_go_sumdb_note_example_byte_for_byte():
    assert sign_note(GO_TEXT, "PeterNeumann", go_private_key()) == GO_NOTE
    verifier = parse_vkey(GO_VERIFIER_KEY)
    assert verify_note(GO_NOTE, "PeterNeumann", verifier.public_key) == GO_TEXT


def test_a_tampered_body_is_rejected(key, signed):
    forged = signed.replace("\n8\n", "\n9\n", 1)
    assert forged != signed
    with pytest.raises(NoteError, match="does not verify"):
        verify_note(forged, ORIGIN, key.public_key())
    with pytest.raises(NoteError):
        verify_note(
            GO_NOTE.replace("cryptography", "cryptographY"),
            "PeterNeumann",
            parse_vkey(GO_VERIFIER_KEY).public_key,
        )


def test_a_tampered_signature_is_rejected(key, signed):
    head, blob = signed.rstrip("\n").rsplit(" ", 1)
    raw = bytearray(base64.b64decode(blob))
    raw[-1] ^= 1
    forged = f"{head} {base64.b64encode(bytes(raw)).decode()}\n"
    with pytest.raises(NoteError, match="does not verify"):
        verify_note(forged, ORIGIN, key.public_key())


def test_a_note_signed_by_another_key_is_rejected_as_unknown(signed):
    stranger = Ed25519PrivateKey.generate()
    with pytest.raises(NoteError, match="unknown key"):
        verify_note(signed, ORIGIN, stranger.public_key())


def test_a_note_checked_under_another_key_name_is_rejected_as_unknown(key, signed):
    with pytest.raises(NoteError, match="unknown key"):
        verify_note(signed, "other.example/log", key.public_key())


def test_signatures_from_other_keys_are_ignored_so_cosigned_notes_verify(key, signed):
    witness = Ed25519PrivateKey.generate()
    body = checkpoint_body(ORIGIN, 8, ROOT)
    witness_line = sign_note(body, "witness.example", witness).split("\n\n", 1)[1]
    cosigned = signed + witness_line
    assert verify_note(cosigned, ORIGIN, key.public_key()) == body
    assert verify_note(cosigned, "witness.example", witness.public_key()) == body


@pytest.mark.parametrize(
    "mangle",
    [
        lambda n: n.replace("\n\n", "\n", 1),  # no blank line
        lambda n: n.split("\n\n")[0] + "\n\n",  # no signature lines
        lambda n: n.rstrip("\n"),  # signature block without final newline
        lambda n: n.replace("\u2014 ", "- ", 1),  # hyphen instead of em dash
        lambda n: n.replace("\u2014 ", "\u2014", 1),  # no space after the dash
        lambda n: n.replace("\n\n", "\n\n\n", 1),  # empty signature line
        lambda n: n[:-3] + "!!\n",  # signature not base64
        lambda n: n.rsplit(" ", 1)[0] + " AAAA\n",  # too short for a key ID
        lambda n: n + "plain text\n",  # trailing line that is not a signature
    ],
)
def test_malformed_notes_are_rejected(key, signed, mangle):
    with pytest.raises(NoteError):
        verify_note(mangle(signed), ORIGIN, key.public_key())


def test_signing_refuses_text_a_verifier_could_not_read_back(key):
    for body in ["", "no newline", "two\n\nparagraphs\n", "tab\there\n"]:
        with pytest.raises(NoteError):
            sign_note(body, ORIGIN, key)
    for name in ["", "has space", "has+plus", "tab\tname"]:
        with pytest.raises(NoteError):
            sign_note("text\n", name, key)


# --------------------------------------------------------------------------------------------
# Key IDs and verifier keys
# --------------------------------------------------------------------------------------------


def test_key_id_is_the_first_four_bytes_of_sha256_of_name_newline_alg_and_key(key):
    expected = hashlib.sha256(ORIGIN.encode() + b"\n" + b"\x01" + raw_public(key)).digest()[:4]
    assert key_id(ORIGIN, key.public_key()) == expected
    assert key_id("PeterNeumann", go_private_key().public_key()).hex() == "c74f20a3"


def test_verifier_key_round_trips(key):
    vkey = make_vkey(ORIGIN, key.public_key())
    name, hex_id, encoded = vkey.split("+", 2)
    assert name == ORIGIN
    assert hex_id == key_id(ORIGIN, key.public_key()).hex()
    assert base64.b64decode(encoded) == b"\x01" + raw_public(key)
    parsed = parse_vkey(vkey)
    assert parsed.name == ORIGIN
    assert parsed.key_id == key_id(ORIGIN, key.public_key())
    assert raw_public(key) == parsed.public_key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def test_published_verifier_keys_parse_and_re_encode_identically():
    for vkey in [
        GO_VERIFIER_KEY,
        "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop",
        "TEST+7997405c+AQcC+FTVKf0jlTdHDY3rbevmnKxxPjigCXlVtGe6RIr6",  # "+" inside the base64
    ]:
        parsed = parse_vkey(vkey)
        assert make_vkey(parsed.name, parsed.public_key) == vkey
    assert make_vkey("PeterNeumann", go_private_key().public_key()) == GO_VERIFIER_KEY


@pytest.mark.parametrize(
    "vkey",
    [
        "PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",  # wrong key ID
        "PeterNeuman+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",  # wrong name
        "PeterNeumann+c74f20a3+AhpcAQcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",  # wrong algorithm
        "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10",  # truncated key
        "PeterNeumann+c74f20+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",  # short key ID
        "PeterNeumann+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",  # no key ID
        "+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",  # no name
    ],
)
def test_malformed_or_mismatched_verifier_keys_are_rejected(vkey):
    with pytest.raises(NoteError):
        parse_vkey(vkey)


# --------------------------------------------------------------------------------------------
# The signing key file
# --------------------------------------------------------------------------------------------


def test_signing_key_file_is_created_private_and_then_reused(tmp_path):
    path = tmp_path / "var" / "keys" / "ledger.pem"
    first = load_or_create_private_key(path)
    assert path.is_file()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----")  # PKCS8, unencrypted
    second = load_or_create_private_key(path)
    assert raw_public(second) == raw_public(first)
    assert [p.name for p in path.parent.iterdir()] == ["ledger.pem"]  # no temporary file left


def test_a_key_file_that_is_not_ed25519_is_refused(tmp_path):
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.serialization import NoEncryption, PrivateFormat

    path = tmp_path / "ledger.pem"
    other = ec.generate_private_key(ec.SECP256R1())
    path.write_bytes(other.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()))
    with pytest.raises(NoteError, match="Ed25519"):
        load_or_create_private_key(path)
