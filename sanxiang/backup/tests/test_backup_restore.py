"""Backup and restore for real (issue 8 §9): `sanxiang backup` of a running installation, then
`sanxiang restore` into a fresh database and a fresh var/ directory, after which verify_ledger and
verify_evidence pass; and every refusal — a database that is not empty, a backup without its
signing key, a changed backup, a restored database whose key is gone.

Every step is a separate `sanxiang` process, as an operator would run them. On SQLite each side has
its own var/; under scripts/with_postgres.sh (DATABASE_URL=postgres://…) the source and each target
are new databases created on that server, and the dump goes through pg_dump / pg_restore.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
SANXIANG = [sys.executable, "-m", "sanxiang.manage"]
POSTGRES = os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))

BUILD = """
import os
from django.core.files.uploadedfile import SimpleUploadedFile
from sanxiang.cases.services import case_open
from sanxiang.ledger.services import ledger_checkpoint
from sanxiang.records.services import evidence_attach
from sanxiang.testing import build_world, citizen_party

w = build_world()
case = case_open(actor=w.alice, item=w.item, party=citizen_party(), title="擅自倾倒建筑垃圾",
                 officers=[w.alice_officer, w.bob_officer])
for i in range(3):
    evidence_attach(case=case, actor=w.alice, kind="photo", uploaded=SimpleUploadedFile(
        f"现场{i}.png", b"\\x89PNG\\r\\n\\x1a\\n" + os.urandom(20000), content_type="image/png"))
print(ledger_checkpoint().tree_size)
"""


def _new_database() -> str | None:
    """A new empty PostgreSQL database on the DATABASE_URL server (None on SQLite)."""
    if not POSTGRES:
        return None
    import psycopg

    name = f"sx_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(os.environ["DATABASE_URL"], autocommit=True) as db:
        db.execute(f'CREATE DATABASE "{name}"')
    base = os.environ["DATABASE_URL"].rsplit("/", 1)[0]
    return f"{base}/{name}"


class Site:
    """One installation: its var/ directory and, on PostgreSQL, its own database."""

    def __init__(self, var: Path) -> None:
        self.var = var
        self.database_url = _new_database()

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "SECRET_KEY"}}
        env.update(PYTHONPATH=str(ROOT), DJANGO_SETTINGS_MODULE="config.settings", SANXIANG_VAR_DIR=str(self.var),
                   SANXIANG_SM2_KEY=str(self.var / "keys" / "ledger-sm2.key"), SANXIANG_JOBS_IMMEDIATE="1")
        if self.database_url:
            env["DATABASE_URL"] = self.database_url
        return env

    def run(self, *args: str, ok: bool = True) -> subprocess.CompletedProcess:
        done = subprocess.run([*SANXIANG, *args], env=self.env(), cwd=ROOT, capture_output=True, text=True,
                              timeout=600)
        if ok:
            assert done.returncode == 0, f"sanxiang {' '.join(args)}:\n{done.stdout}\n{done.stderr}"
        return done


@pytest.fixture(scope="module")
def backup(tmp_path_factory) -> tuple[Path, Site, dict]:
    """A source installation with cases, evidence and checkpoints (Ed25519 + SM2), and its backup."""
    source = Site(tmp_path_factory.mktemp("source") / "var")
    timings = {}
    source.run("migrate", "--noinput", "-v0")
    source.run("shell", "--no-imports", "-c", BUILD)
    directory = tmp_path_factory.mktemp("backups") / "full"
    started = time.monotonic()
    out = source.run("backup", str(directory)).stdout
    timings["backup"] = time.monotonic() - started
    assert "备份完成" in out
    return directory, source, timings


@pytest.fixture
def copy(backup, tmp_path) -> Path:
    """A private copy of the backup a test may damage."""
    target = tmp_path / "backup"
    shutil.copytree(backup[0], target)
    return target


def test_round_trip_into_a_fresh_database_and_var_passes_both_verifications(backup, tmp_path):
    directory, source, timings = backup
    manifest = json.loads((directory / "manifest.json").read_text())
    names = set(manifest["files"])
    assert {"keys/ledger-ed25519.pem", "keys/ledger-sm2.key", "checkpoints/checkpoints.jsonl", "secret_key"} <= names
    assert ("database/sanxiang.pgdump" if POSTGRES else "database/sanxiang.sqlite3") in names
    assert sum(1 for name in names if name.startswith("media/evidence/")) == 3
    assert oct((directory / "keys" / "ledger-ed25519.pem").stat().st_mode & 0o777) == "0o600"

    target = Site(tmp_path / "var")
    started = time.monotonic()
    restored = target.run("restore", str(directory)).stdout
    timings["restore"] = time.monotonic() - started
    assert restored.count("校验通过") == 2, restored
    # Again, as separate commands on the restored installation.
    assert "校验通过" in target.run("verify_ledger").stdout
    assert "校验通过" in target.run("verify_evidence").stdout
    assert target.run("check").returncode == 0
    for relative in ("keys/ledger-ed25519.pem", "keys/ledger-sm2.key", "checkpoints/checkpoints.jsonl"):
        assert (target.var / relative).read_bytes() == (source.var / relative).read_bytes()
    # The restored installation carries on the same ledger with the same keys.
    signed = target.run("ledger_checkpoint").stdout
    assert "\u2014 sanxiang.example/ledger " in signed and "\u2014 sanxiang.example/ledger/sm2 " in signed
    assert "校验通过" in target.run("verify_ledger", "--tree-only").stdout
    print(f"\nbackup {timings['backup']:.1f} s, restore + migrate + verification {timings['restore']:.1f} s "
          f"({'PostgreSQL' if POSTGRES else 'SQLite'})")


def test_restore_refuses_a_database_that_is_not_empty(backup, tmp_path):
    target = Site(tmp_path / "var")
    target.run("migrate", "--noinput", "-v0")
    done = target.run("restore", str(backup[0]), ok=False)
    assert done.returncode != 0 and "目标数据库不是空的" in done.stderr


def test_restore_refuses_a_backup_without_its_signing_key(copy, tmp_path):
    (copy / "keys" / "ledger-ed25519.pem").unlink()
    target = Site(tmp_path / "var")
    done = target.run("restore", str(copy), ok=False)
    assert done.returncode != 0 and "备份不完整" in done.stderr and "ledger-ed25519.pem" in done.stderr
    # Nor when the manifest is edited to hide that the key is missing.
    manifest = json.loads((copy / "manifest.json").read_text())
    del manifest["files"]["keys/ledger-ed25519.pem"]
    (copy / "manifest.json").write_text(json.dumps(manifest))
    done = target.run("restore", str(copy), ok=False)
    assert done.returncode != 0 and "备份中没有签名密钥" in done.stderr
    assert not (target.var / "keys" / "ledger-ed25519.pem").exists()


def test_restore_refuses_a_changed_backup(copy, tmp_path):
    evidence = next(p for p in (copy / "media" / "evidence").rglob("*") if p.is_file())
    evidence.chmod(0o600)
    evidence.write_bytes(evidence.read_bytes() + b"x")
    done = Site(tmp_path / "var").run("restore", str(copy), ok=False)
    assert done.returncode != 0 and "SHA-256 与清单不符" in done.stderr


def test_a_restored_database_without_its_key_refuses_to_start(backup, tmp_path):
    target = Site(tmp_path / "var")
    target.run("restore", str(backup[0]), "--no-verify")
    (target.var / "keys" / "ledger-ed25519.pem").unlink()
    check = target.run("check", ok=False)
    assert check.returncode != 0 and "sanxiang.ledger.E001" in check.stderr and "签名密钥缺失" in check.stderr
    # serve, worker and migrate run the same check before they start; none makes a new key.
    for command in (["serve", "--port", "9"], ["worker"], ["migrate", "--noinput"]):
        done = target.run(*command, ok=False)
        assert done.returncode != 0 and "sanxiang.ledger.E001" in done.stderr
    assert not (target.var / "keys" / "ledger-ed25519.pem").exists()


def test_backup_refuses_a_directory_that_is_not_empty(backup, tmp_path):
    (tmp_path / "used").mkdir()
    (tmp_path / "used" / "old.txt").write_text("x")
    done = backup[1].run("backup", str(tmp_path / "used"), ok=False)
    assert done.returncode != 0 and "不为空" in done.stderr


def test_restore_never_overwrites_another_key(backup, tmp_path):
    target = Site(tmp_path / "var")
    target.run("shell", "--no-imports", "-c",
               "from django.conf import settings; from sanxiang.ledger import note;"
               "note.load_or_create_private_key(settings.LEDGER_SIGNING_KEY)")
    before = (target.var / "keys" / "ledger-ed25519.pem").read_bytes()
    done = target.run("restore", str(backup[0]), ok=False)
    assert done.returncode != 0 and "目标位置已有不同的签名密钥" in done.stderr
    assert (target.var / "keys" / "ledger-ed25519.pem").read_bytes() == before
