"""Witnesses (C2SP tlog-witness / tlog-cosignature): two witnesses on loopback cosign the log's
checkpoints, and refuse a fork of the log (a different entry at one index) and a rolled-back tree."""

from __future__ import annotations

import base64
import hashlib
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.db import transaction
from django.test import override_settings

from sanxiang.ledger import keys, merkle, note, witness, witnessing
from sanxiang.ledger.models import CheckKind, Checkpoint, Cosignature, Entry, IntegrityCheck
from sanxiang.ledger.services import ledger_append, ledger_checkpoint

ROOT = Path(__file__).resolve().parents[3]


# --- cosignature format ---------------------------------------------------------------------


def test_cosignature_key_id_and_signed_message_follow_c2sp():
    key = Ed25519PrivateKey.generate()
    raw = key.public_key().public_bytes_raw()
    body = "example.com/log\n5\n" + base64.b64encode(b"\x01" * 32).decode() + "\n"
    line = witness.cosign(body, "w.example", key, timestamp=1_700_000_000)
    blob = base64.b64decode(line.split(" ")[2])
    # key ID: SHA-256(name || 0x0A || 0x04 || key)[:4]; then the 8-byte big-endian time.
    assert blob[:4] == hashlib.sha256(b"w.example\n\x04" + raw).digest()[:4]
    assert int.from_bytes(blob[4:12], "big") == 1_700_000_000
    key.public_key().verify(blob[12:], b"cosignature/v1\ntime 1700000000\n" + body.encode())
    wkey = witness.parse_cosignature_vkey(witness.cosignature_vkey("w.example", key.public_key()))
    assert witness.verify_cosignature(body, line, wkey) == 1_700_000_000
    with pytest.raises(note.NoteError):  # another checkpoint body
        witness.verify_cosignature(body.replace("\n5\n", "\n6\n"), line, wkey)
    with pytest.raises(note.NoteError):  # a signed-note (0x01) key is not a cosignature key
        witness.parse_cosignature_vkey(note.make_vkey("w.example", key.public_key()))


# --- two witnesses on loopback --------------------------------------------------------------


class Running:
    def __init__(self, tmp: Path, name: str, logs: dict[str, str]) -> None:
        self.witness = witness.load_witness(name, tmp / f"{name}.pem", tmp / f"{name}.json", logs)
        self.server = witness.make_server(self.witness, "127.0.0.1", 0)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def setting(self) -> str:
        return f"{self.url} {self.witness.key.vkey}"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def witnesses(tmp_path, settings):
    settings.LEDGER_CHECKPOINT_DIR = tmp_path / "checkpoints"
    logs = {keys.key_name(): note.make_vkey(keys.key_name(), keys.public_key())}
    pair = [Running(tmp_path, "justice.example/witness", logs), Running(tmp_path, "procuratorate.example/witness", logs)]
    settings.LEDGER_WITNESSES = [w.setting for w in pair]
    yield pair
    for w in pair:
        w.stop()


def _append(n: int) -> None:
    for i in range(n):
        with transaction.atomic():
            ledger_append(kind="test.event", summary=f"事件 {i}")


def _forked_checkpoint(fork_at: int, size: int, old: int) -> tuple[str, list[bytes]]:
    """A copy of the log whose entry `fork_at` differs, signed with the log's own key (an operator
    who rewrote the database has it): its checkpoint at `size` and its proof from `old`."""
    leaves = [bytes(h) for h in Entry.objects.order_by("index").values_list("leaf_hash", flat=True)][:size]
    leaves[fork_at] = merkle.leaf_hash(b'{"forged":true}')
    store = merkle.MemoryNodeStore()
    store.put_many(merkle.append_batch(0, leaves, store))
    root = merkle.root(store, size)
    body = note.checkpoint_body(keys.key_name(), size, root)
    return note.sign_note(body, keys.key_name(), keys.signing_key()), merkle.consistency_proof(store, old, size)


@pytest.mark.django_db(transaction=True)
def test_two_witnesses_cosign_then_refuse_a_fork_and_a_rollback(witnesses):
    _append(5)
    first = ledger_checkpoint()
    outcomes = witnessing.witness_collect(first)
    assert [o.ok for o in outcomes] == [True, True], outcomes
    body = witness.note_text(first.note)
    for w in witnesses:
        row = Cosignature.objects.get(checkpoint=first, witness=w.witness.name)
        witness.verify_cosignature(body, row.line, w.witness.key)

    # The log grows: the witnesses check the consistency proof from size 5 and cosign again.
    _append(6)
    second = ledger_checkpoint()
    assert second.tree_size == first.tree_size + 6
    assert all(o.ok for o in witnessing.witness_collect(second))
    assert Cosignature.objects.filter(checkpoint=second).count() == 2
    cosigned = witnessing.cosigned_note(second)
    for w in witnesses:
        wkey = w.witness.key
        line = next(ln for ln in cosigned.splitlines() if ln.startswith(f"\u2014 {wkey.name} "))
        witness.verify_cosignature(body=witness.note_text(second.note), line=line, key=wkey)
    note.verify_note(cosigned, keys.key_name(), keys.public_key())  # still a valid signed note for the log key

    # A fork: a copy of the log with a different entry at index 3, grown further and signed with
    # the log's key. Both witnesses hold size `second`: the fork's proof from there fails (422).
    _append(4)
    size = second.tree_size + 4
    forged, proof = _forked_checkpoint(3, size, second.tree_size)
    for w in witnesses:
        status, text = witness.submit(w.url, second.tree_size, proof, forged)
        assert status == 422, text
    # The fork's checkpoint at a size the witnesses hold: same size, other root — refused too.
    forged_same, _ = _forked_checkpoint(3, second.tree_size, second.tree_size)
    for w in witnesses:
        assert witness.submit(w.url, second.tree_size, [], forged_same)[0] == 422
    # The honest log goes on and is still cosigned; the fork never got a cosignature.
    third = ledger_checkpoint()
    assert all(o.ok for o in witnessing.witness_collect(third))

    # A rollback: the log's older checkpoint (a smaller tree) is refused with the witness's size.
    for w in witnesses:
        status, text = witness.submit(w.url, first.tree_size, [], first.note)
        assert status == 409 and int(text) == third.tree_size
        # Claiming the witness's own size as `old` does not help: the tree is smaller than it.
        status, text = witness.submit(w.url, third.tree_size, [], first.note)
        assert status == 409 and int(text) == third.tree_size


@pytest.mark.django_db(transaction=True)
def test_the_log_reports_witnesses_refusing_a_rewritten_database(witnesses):
    """An operator rewrites entry 2 in the database (and the tree nodes); the next checkpoint is
    signed with the real key, but both witnesses refuse it and the supervisors see it."""
    _append(6)
    first = ledger_checkpoint()
    assert all(o.ok for o in witnessing.witness_collect(first))
    _append(3)
    from sanxiang.ledger.models import TreeNode

    leaves = [bytes(h) for h in Entry.objects.order_by("index").values_list("leaf_hash", flat=True)]
    leaves[2] = merkle.leaf_hash(b'{"rewritten":true}')
    with transaction.atomic():
        Entry.objects.filter(index=2).update(leaf_hash=leaves[2], body=b'{"rewritten":true}')
        TreeNode.objects.all().delete()
        store = merkle.MemoryNodeStore()
        TreeNode.objects.bulk_create([TreeNode(level=lv, index=i, hash=h)
                                      for lv, i, h in merkle.append_batch(0, leaves, store) if lv > 0])
    forked = ledger_checkpoint()
    outcomes = witnessing.witness_collect(forked)
    assert [(o.ok, o.status) for o in outcomes] == [(False, 422), (False, 422)], outcomes
    assert not Cosignature.objects.filter(checkpoint=forked).exists()
    refusals = IntegrityCheck.objects.filter(kind=CheckKind.CHECKPOINT, ok=False)
    assert refusals.count() == 2 and "拒绝联署" in refusals.first().message


@pytest.mark.django_db(transaction=True)
def test_witness_refuses_unknown_logs_bad_signatures_and_bad_requests(witnesses):
    _append(2)
    cp = ledger_checkpoint()
    url = witnesses[0].url
    other = Ed25519PrivateKey.generate()
    body = note.checkpoint_body("other.example/log", 2, bytes(cp.root_hash))
    assert witness.submit(url, 0, [], note.sign_note(body, "other.example/log", other))[0] == 404
    impostor = note.sign_note(witness.note_text(cp.note), keys.key_name(), other)
    assert witness.submit(url, 0, [], impostor)[0] == 403
    assert witness.submit(url, 0, [b"\x00" * 32], cp.note)[0] == 422  # a proof from size 0
    import urllib.request

    request = urllib.request.Request(url + "/add-checkpoint", data=b"new 3\n\n" + cp.note.encode(), method="POST")
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=5)
    assert refused.value.code == 400
    # Nothing of that was recorded: the first honest submission still starts from 0.
    assert witness.submit(url, 0, [], cp.note)[0] == 200


@pytest.mark.django_db(transaction=True)
def test_witness_state_survives_a_restart(tmp_path, witnesses):
    _append(3)
    cp = ledger_checkpoint()
    assert all(o.ok for o in witnessing.witness_collect(cp))
    w = witnesses[0].witness
    again = witness.load_witness(w.name, tmp_path / f"{w.name}.pem", w.state_path,
                                 {keys.key_name(): note.make_vkey(keys.key_name(), keys.public_key())})
    assert again.key.vkey == w.key.vkey
    assert again.latest(keys.key_name()) == (3, bytes(cp.root_hash))
    with pytest.raises(witness.WitnessError) as refused:
        again.add_checkpoint(witness.add_checkpoint_body(0, [], cp.note))
    assert refused.value.status == 409 and refused.value.size == 3


@pytest.mark.django_db(transaction=True)
def test_checkpoint_job_collects_and_the_api_shows_cosignatures(witnesses, client):
    from sanxiang.jobs.tasks import checkpoint_job

    _append(4)
    size = checkpoint_job.call_local()
    data = client.get("/transparency/v1/checkpoint").json()
    assert data["tree_size"] == size
    assert {c["witness"] for c in data["cosignatures"]} == {w.witness.name for w in witnesses}
    assert [w["vkey"] for w in data["witnesses"]] == [w.witness.key.vkey for w in witnesses]
    assert data["cosigned_note"].startswith(data["note"]) and data["cosigned_note"].count("\u2014 ") == 3
    assert Checkpoint.objects.get(tree_size=size).cosignatures.count() == 2


def test_system_check_refuses_a_malformed_witness_setting():
    from sanxiang.ledger.checks import witnesses_check

    with override_settings(LEDGER_WITNESSES=["http://127.0.0.1:1 not-a-key"]):
        assert [e.id for e in witnesses_check()] == ["sanxiang.ledger.E002"]
    with override_settings(LEDGER_WITNESSES=[]):
        assert witnesses_check() == []


def test_witness_command_runs_as_a_separate_process_without_the_app_database(tmp_path):
    """`sanxiang witness` in a subprocess, its key and state in their own files."""
    log_key = Ed25519PrivateKey.generate()
    origin = "cmd.example/log"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "DATABASE_URL": f"sqlite:///{tmp_path / 'absent' / 'no.sqlite3'}"}
    base = [sys.executable, "-m", "sanxiang.manage", "witness", "--name", "cmd.example/witness",
            "--key", str(tmp_path / "w.pem"), "--state", str(tmp_path / "w.json")]
    printed = subprocess.run([*base, "--print-vkey"], capture_output=True, text=True, env=env, cwd=ROOT, check=True)
    vkey = printed.stdout.split()[0]
    wkey = witness.parse_cosignature_vkey(vkey)
    server = subprocess.Popen([*base, "--port", "0", "--log", f"{origin} {note.make_vkey(origin, log_key.public_key())}"],
                              stdout=subprocess.PIPE, text=True, env=env, cwd=ROOT)
    try:
        line = server.stdout.readline()
        url = line.split(" listening on ")[1].split()[0]
        root = merkle.leaf_hash(b"one")
        body = note.checkpoint_body(origin, 1, root)
        status, text = witness.submit(url, 0, [], note.sign_note(body, origin, log_key))
        assert status == 200
        witness.verify_cosignature(body, text, wkey)
        assert (tmp_path / "w.json").exists() and not (tmp_path / "absent" / "no.sqlite3").exists()
    finally:
        server.terminate()
        server.wait(timeout=10)
