"""国密 (issue 8 §10): SM3 beside SHA-256 for every stored file, SM2 beside Ed25519 on checkpoints.

SM3 is checked against the examples of GB/T 32905-2016 (Appendix A) in both implementations the
platform carries (OpenSSL through hashlib, gmssl). SM2 signatures made by the platform (gmssl) are
verified by an independent implementation written here from GB/T 32918.2-2016 §6–7 with the
recommended curve of GB/T 32918.5-2017 (affine arithmetic, SM3 from OpenSSL), and the other way
round: signatures made here verify in the platform.
"""

from __future__ import annotations

import base64
import hashlib
import io
import secrets

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from sanxiang.ledger import guomi, keys, note
from sanxiang.ledger.models import Checkpoint
from sanxiang.ledger.services import ledger_checkpoint
from sanxiang.ledger.verification import verify_all
from sanxiang.records.models import StoredFile
from sanxiang.records.services import FileHasher
from sanxiang.records.verification import verify_files

ABC = "66c7f0f4 62eeedd9 d1f2d46b dc10e4e2 4167c487 5cf2f7a2 297da02b 8f4ba8e0".replace(" ", "")
ABCD16 = "debe9ff9 2275b8a1 38604889 c18e5a4d 6fdb70e5 387e5765 293dcba3 9c0c5732".replace(" ", "")


# --- SM3 ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("message", "digest"), [(b"abc", ABC), (b"abcd" * 16, ABCD16)])
def test_sm3_matches_gb_t_32905_examples_in_both_implementations(message, digest):
    assert guomi.sm3_hex(message) == digest
    assert guomi.sm3_gmssl_hex(message) == digest
    assert hashlib.new("sm3", message).hexdigest() == digest


def test_streamed_hashes_equal_one_shot_hashes():
    data = secrets.token_bytes(3 * (1 << 20) + 17)
    hasher = FileHasher()
    for start in range(0, len(data), 65536):
        hasher.update(data[start:start + 65536])
    assert hasher.hexdigest() == hashlib.sha256(data).hexdigest()
    assert hasher.sm3_hexdigest() == guomi.sm3_hex(data)
    # gmssl's pure-Python SM3 is slow: cross-check it on a prefix streamed the same way.
    prefix = data[:200_000]
    streamed = guomi.sm3()
    for start in range(0, len(prefix), 4096):
        streamed.update(prefix[start:start + 4096])
    assert streamed.hexdigest() == guomi.sm3_gmssl_hex(prefix)


@pytest.mark.django_db
class TestSm3PerFile:
    def _case(self, world):
        from sanxiang.cases.services import case_open
        from sanxiang.testing import citizen_party

        return case_open(actor=world.alice, item=world.item, party=citizen_party(), title="擅自倾倒建筑垃圾",
                         officers=[world.alice_officer, world.bob_officer])

    def test_evidence_upload_records_sm3(self, world):
        from sanxiang.records.services import evidence_attach

        data = b"\x89PNG\r\n\x1a\n" + secrets.token_bytes(5000)
        evidence = evidence_attach(case=self._case(world), actor=world.alice, kind="photo",
                                   uploaded=SimpleUploadedFile("现场.png", data, content_type="image/png"))
        stored = evidence.file
        assert stored.sha256 == hashlib.sha256(data).hexdigest() and stored.sm3 == guomi.sm3_hex(data)
        assert verify_files().ok and verify_all().ok

    def test_chunked_upload_records_sm3(self, world):
        from sanxiang.records.chunked import upload_chunk_append, upload_session_create

        data = b"\x89PNG\r\n\x1a\n" + secrets.token_bytes(300_000)
        session = upload_session_create(case=self._case(world), actor=world.alice, filename="现场.png",
                                        size=len(data), kind="photo")
        half = len(data) // 2
        upload_chunk_append(session=session, actor=world.alice, offset=0, stream=io.BytesIO(data[:half]), length=half)
        session = upload_chunk_append(session=session, actor=world.alice, offset=half,
                                      stream=io.BytesIO(data[half:]), length=len(data) - half)
        assert session.evidence.file.sm3 == guomi.sm3_hex(data)

    def test_verify_evidence_checks_sm3_too(self, world):
        from sanxiang.records.services import evidence_attach

        data = b"\x89PNG\r\n\x1a\n" + secrets.token_bytes(2000)
        evidence = evidence_attach(case=self._case(world), actor=world.alice, kind="photo",
                                   uploaded=SimpleUploadedFile("现场.png", data, content_type="image/png"))
        StoredFile.objects.filter(pk=evidence.file.pk).update(sm3="0" * 64)
        report = verify_files()
        assert [p.kind for p in report.problems] == ["changed"] and "SM3" in report.problems[0].message
        # The edited row no longer hashes to its logged state either.
        assert not verify_all().ok

    def test_a_file_stored_before_sm3_keeps_its_logged_state(self, world):
        """Rows from before the SM3 field: no SM3 recorded, state hash unchanged, still verified."""
        from sanxiang.records.services import evidence_attach

        data = b"\x89PNG\r\n\x1a\n" + secrets.token_bytes(2000)
        evidence = evidence_attach(case=self._case(world), actor=world.alice, kind="photo",
                                   uploaded=SimpleUploadedFile("现场.png", data, content_type="image/png"))
        stored = evidence.file
        assert "sm3" in stored.ledger_state()
        stored.sm3 = ""
        assert "sm3" not in stored.ledger_state()
        with default_storage.open(stored.storage_name, "rb") as handle:
            assert handle.read() == data

    def test_generated_documents_record_sm3(self, world):
        from sanxiang.documents.services import _store

        stored, new = _store(b"%PDF-1.7 test document", "test.pdf")
        assert new and stored.sm3 == guomi.sm3_hex(b"%PDF-1.7 test document")


# --- SM2: an independent implementation from GB/T 32918 --------------------------------------

P = int("FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFF", 16)
A = int("FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFC", 16)
B = int("28E9FA9E9D9F5E344D5A9E4BCF6509A7F39789F515AB8F92DDBCBD414D940E93", 16)
N = int("FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54123", 16)
G = (int("32C4AE2C1F1981195F9904466A39C9948FE30BBFF2660BE1715A4589334C74C7", 16),
     int("BC3736A2F4F6779C59BDCEE36B692153D0A9877CC62A474002DF32E52139F0A0", 16))
DEFAULT_ID = b"1234567812345678"


def _add(p1, p2):
    if p1 is None:
        return p2
    if p2 is None:
        return p1
    (x1, y1), (x2, y2) = p1, p2
    if x1 == x2 and (y1 + y2) % P == 0:
        return None
    if p1 == p2:
        slope = (3 * x1 * x1 + A) * pow(2 * y1, -1, P) % P
    else:
        slope = (y2 - y1) * pow(x2 - x1, -1, P) % P
    x3 = (slope * slope - x1 - x2) % P
    return x3, (slope * (x1 - x3) - y1) % P


def _mul(k, point):
    result = None
    while k:
        if k & 1:
            result = _add(result, point)
        point = _add(point, point)
        k >>= 1
    return result


def _b32(value: int) -> bytes:
    return value.to_bytes(32, "big")


def _e(message: bytes, public: tuple[int, int]) -> int:
    """e = SM3(Z_A ‖ M), Z_A = SM3(ENTL_A ‖ ID_A ‖ a ‖ b ‖ x_G ‖ y_G ‖ x_A ‖ y_A) (§5.5, §6.1)."""
    entl = (len(DEFAULT_ID) * 8).to_bytes(2, "big")
    za = hashlib.new("sm3", entl + DEFAULT_ID + _b32(A) + _b32(B) + _b32(G[0]) + _b32(G[1])
                     + _b32(public[0]) + _b32(public[1])).digest()
    return int.from_bytes(hashlib.new("sm3", za + message).digest(), "big")


def independent_verify(public_key: bytes, signature: bytes, message: bytes) -> bool:
    """GB/T 32918.2 §7.1 B1–B7."""
    assert public_key[0] == 4 and len(public_key) == 65
    public = (int.from_bytes(public_key[1:33], "big"), int.from_bytes(public_key[33:], "big"))
    r, s = int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
    if not (1 <= r < N and 1 <= s < N):
        return False
    t = (r + s) % N
    if t == 0:
        return False
    point = _add(_mul(s, G), _mul(t, public))
    return point is not None and (_e(message, public) + point[0]) % N == r


def independent_sign(d: int, message: bytes) -> bytes:
    """GB/T 32918.2 §6.1 A1–A7."""
    public = _mul(d, G)
    e = _e(message, public)
    while True:
        k = secrets.randbelow(N - 1) + 1
        x1 = _mul(k, G)[0]
        r = (e + x1) % N
        if r == 0 or r + k == N:
            continue
        s = pow(1 + d, -1, N) * (k - r * d) % N
        if s:
            return _b32(r) + _b32(s)


def test_the_independent_curve_is_the_recommended_one():
    x, y = G
    assert (y * y - (x ** 3 + A * x + B)) % P == 0
    assert _mul(N, G) is None
    assert guomi.CURVE["n"].lower() == f"{N:064x}" and guomi.CURVE["p"].lower() == f"{P:064x}"


def test_platform_sm2_signatures_verify_independently_and_back():
    key = guomi.Sm2Key(guomi.generate_sm2_private_hex())
    x, y = _mul(int(key.private_hex, 16), G)
    assert key.public_bytes == b"\x04" + _b32(x) + _b32(y)
    message = b"sanxiang.example/ledger\n42\nAAAA\n"
    signature = key.sign(message)
    assert independent_verify(key.public_bytes, signature, message)
    assert not independent_verify(key.public_bytes, signature, message + b"x")
    forged = bytearray(signature)
    forged[40] ^= 1
    assert not independent_verify(key.public_bytes, bytes(forged), message)
    assert not guomi.sm2_verify(key.public_bytes, bytes(forged), message)
    # Signed here, verified by the platform.
    mine = independent_sign(int(key.private_hex, 16), message)
    assert guomi.sm2_verify(key.public_bytes, mine, message)
    assert not guomi.sm2_verify(key.public_bytes, mine, message[:-1])


# --- SM2 on checkpoints ------------------------------------------------------------------------


@pytest.mark.django_db
class TestSm2Checkpoints:
    @pytest.fixture
    def sm2(self, settings, tmp_path):
        settings.LEDGER_SM2_KEY = tmp_path / "keys" / "ledger-sm2.key"
        return settings.LEDGER_SM2_KEY

    def test_checkpoint_carries_a_second_signature_line_checked_independently(self, world, sm2):
        cp = ledger_checkpoint()
        assert sm2.exists() and oct(sm2.stat().st_mode & 0o777) == "0o600"
        text, lines = cp.note.split("\n\n", 1)
        names = [line.split(" ")[1] for line in lines.splitlines()]
        assert names == [keys.key_name(), keys.sm2_key_name()]
        # An Ed25519-only verifier reads the note as before.
        note.verify_note(cp.note, keys.key_name(), keys.public_key())
        raw = base64.b64decode(lines.splitlines()[1].split(" ")[2])
        key = guomi.load_sm2_key(sm2)
        assert raw[:4] == note.sm2_key_id(keys.sm2_key_name(), key.public_bytes)
        assert independent_verify(key.public_bytes, raw[4:], (text + "\n").encode())
        assert verify_all().ok
        data = Client().get("/transparency/v1/checkpoint").json()
        assert base64.b64decode(data["sm2_public_key"]) == key.public_bytes

    def test_a_bad_sm2_signature_is_reported(self, world, sm2):
        cp = ledger_checkpoint()
        text, lines = cp.note.split("\n\n", 1)
        ed, sm = lines.splitlines()
        raw = bytearray(base64.b64decode(sm.split(" ")[2]))
        raw[10] ^= 1
        bad = f"{text}\n\n{ed}\n\u2014 {keys.sm2_key_name()} {base64.b64encode(bytes(raw)).decode()}\n"
        Checkpoint.objects.filter(pk=cp.pk).update(note=bad)
        report = verify_all()
        assert any("SM2 signature" in p.message for p in report.problems)

    def test_a_lost_sm2_key_is_never_replaced(self, world, sm2, settings):
        ledger_checkpoint()
        sm2.unlink()
        keys._sm2_for.cache_clear()
        from sanxiang.common.models import CalendarYear
        from sanxiang.common.services import record_save

        record_save(CalendarYear(year=2043, source="测试"), actor="tester")
        with pytest.raises(keys.SigningKeyMissing):
            ledger_checkpoint()
        assert not sm2.exists()
        assert any("SM2" in problem for problem in keys.key_problems())
