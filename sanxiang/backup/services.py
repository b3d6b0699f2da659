"""Backup and restore (数据备份恢复, GB/T 22239-2019 8.1.4.10): `sanxiang backup DIR`, `sanxiang restore DIR`.

A backup directory holds everything a new machine needs to carry on the same ledger:

    manifest.json                 format, time, database vendor, ledger size, SHA-256 of every file below
    keys/ledger-ed25519.pem       the checkpoint signing key (and keys/ledger-sm2.key when SM2 is configured)
    secret_key                    var/secret_key, when SECRET_KEY is not set in the environment
    checkpoints/checkpoints.jsonl the checkpoint file (the log's witness outside the database)
    database/sanxiang.sqlite3     SQLite: an online copy through the sqlite3 backup API
    database/sanxiang.pgdump      PostgreSQL: pg_dump -Fc (one consistent snapshot)
    media/<storage name>          every stored file (local storage), or
    media-listing.json            S3: name, size, SHA-256 and SM3 of every object; the bucket itself is
                                  kept by its own versioning and Object Lock

Order matters for consistency without stopping the application: the keys and the checkpoint file
are copied first, then the database snapshot, then the files the snapshot's rows name. A checkpoint
line is written only after its transaction committed, so the snapshot holds every checkpoint the
copied file names; a blob is stored before the row that names it commits, so every file a row of
the snapshot names exists, complete, when it is copied.

Restore checks the manifest (every file present with its hash, nothing added), refuses a database
that is not empty, a key or checkpoint file that differs from the backup's, and a backup without
the signing key of its checkpoints — then loads the database, files, keys and checkpoint file.
"""

from __future__ import annotations

import glob
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import connection
from django.utils import timezone

from sanxiang.common.exceptions import DomainError
from sanxiang.ledger import checkpoint_file

FORMAT = "sanxiang-backup/1"
MANIFEST = "manifest.json"
ED25519_KEY = "keys/ledger-ed25519.pem"
SM2_KEY = "keys/ledger-sm2.key"
SECRET_KEY = "secret_key"
CHECKPOINTS = f"checkpoints/{checkpoint_file.FILE_NAME}"
SQLITE_FILE = "database/sanxiang.sqlite3"
PG_FILE = "database/sanxiang.pgdump"
MEDIA = "media"
MEDIA_LISTING = "media-listing.json"
_BLOCK = 1 << 20


class BackupRefused(DomainError):
    code = "backup_refused"


class RestoreRefused(DomainError):
    code = "restore_refused"


@dataclass
class Outcome:
    """What a backup or restore did (printed by the commands)."""

    directory: Path
    files: int = 0
    bytes: int = 0
    ledger_size: int = 0
    checkpoints: int = 0
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------------


def _private_dir(path: Path) -> None:
    """Create `path` and any missing parents with mode 0700 (mkdir(parents=True) would use the umask)."""
    missing = []
    while not path.exists():
        missing.append(path)
        path = path.parent
    for directory in reversed(missing):
        directory.mkdir(mode=0o700, exist_ok=True)


def _copy_stream(source, target: Path, mode: int = 0o600) -> tuple[str, int]:
    """Copy an open binary stream to a new file, hashing on the way; (SHA-256, size)."""
    _private_dir(target.parent)
    digest, size = hashlib.sha256(), 0
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    with os.fdopen(fd, "wb") as out:
        while block := source.read(_BLOCK):
            digest.update(block)
            out.write(block)
            size += len(block)
        out.flush()
        os.fsync(out.fileno())
    return digest.hexdigest(), size


def _copy_file(source: Path, target: Path, mode: int = 0o600) -> tuple[str, int]:
    with open(source, "rb") as handle:
        return _copy_stream(handle, target, mode)


def _sha256_file(path: Path) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    with open(path, "rb") as handle:
        while block := handle.read(_BLOCK):
            digest.update(block)
            size += len(block)
    return digest.hexdigest(), size


def _local_storage() -> bool:
    return hasattr(default_storage, "path") and settings.STORAGES["default"]["BACKEND"].endswith("FileSystemStorage")


def _secret_key_file() -> Path:
    return Path(settings.VAR_DIR) / "secret_key"


def _database() -> dict:
    return settings.DATABASES["default"]


def _pg_tool(name: str) -> str:
    """pg_dump / pg_restore matching the server's major version when several are installed."""
    connection.ensure_connection()
    major = connection.pg_version // 10000
    for candidate in (f"/usr/lib/postgresql/{major}/bin/{name}", shutil.which(name) or "",
                      *sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    raise BackupRefused(f"找不到 {name}：请安装 PostgreSQL 客户端（postgresql-client-{major}）", code="pg_tool_missing")


def _pg_env_args() -> tuple[dict[str, str], list[str]]:
    db = _database()
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    args = []
    for option, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if db.get(key):
            args += [option, str(db[key])]
    return env, [*args, "--dbname", str(db["NAME"])]


# --------------------------------------------------------------------------------------------
# Backup
# --------------------------------------------------------------------------------------------


def backup_create(target: Path) -> Outcome:
    """Write a consistent online backup of database, stored files, keys and checkpoint file to `target`."""
    from sanxiang.ledger.models import Checkpoint
    from sanxiang.ledger.services import ledger_size
    from sanxiang.records.models import StoredFile

    started = time.monotonic()
    target = Path(target)
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise BackupRefused(f"备份目录 {target} 已存在且不为空：请指定一个新的或空的目录", field="dir")
    _private_dir(target)
    outcome = Outcome(target)
    files: dict[str, dict] = {}

    def add(relative: str, digest: tuple[str, int]) -> None:
        files[relative] = {"sha256": digest[0], "size": digest[1]}

    # 1. Keys and the checkpoint file, before the database snapshot (see the module docstring).
    signing_key = Path(settings.LEDGER_SIGNING_KEY)
    if signing_key.exists():
        add(ED25519_KEY, _copy_file(signing_key, target / ED25519_KEY))
    sm2 = getattr(settings, "LEDGER_SM2_KEY", None)
    if sm2 and Path(sm2).exists():
        add(SM2_KEY, _copy_file(Path(sm2), target / SM2_KEY))
    if _secret_key_file().exists():
        add(SECRET_KEY, _copy_file(_secret_key_file(), target / SECRET_KEY))
    if checkpoint_file.path().exists():
        add(CHECKPOINTS, _copy_file(checkpoint_file.path(), target / CHECKPOINTS))
    outcome.ledger_size = ledger_size()
    outcome.checkpoints = Checkpoint.objects.count()
    if outcome.checkpoints and ED25519_KEY not in files:
        outcome.notes.append(f"警告：已有签名检查点，但签名密钥 {signing_key} 不存在，备份中没有密钥")

    # 2. The database, as one consistent snapshot.
    vendor = connection.vendor
    if vendor == "sqlite":
        add(SQLITE_FILE, _sqlite_backup(target / SQLITE_FILE))
    elif vendor == "postgresql":
        add(PG_FILE, _pg_dump(target / PG_FILE))
    else:
        raise BackupRefused(f"不支持备份 {vendor} 数据库", code="vendor_unsupported")

    # 3. The stored files the rows name (rows committed after the snapshot name complete files too).
    rows = list(StoredFile.objects.order_by("pk").values_list("storage_name", "sha256", "sm3", "size"))
    if _local_storage():
        for name, sha256, _sm3, _size in rows:
            relative = f"{MEDIA}/{name}"
            try:
                with default_storage.open(name, "rb") as handle:
                    digest = _copy_stream(handle, target / relative, 0o400)
            except FileNotFoundError:
                outcome.notes.append(f"警告：存储文件 {name} 缺失，未能备份（verify_evidence 会报告）")
                continue
            add(relative, digest)
            if digest[0] != sha256:
                outcome.notes.append(f"警告：存储文件 {name} 的内容与其 SHA-256 不符，已按现状备份")
    else:
        listing = [{"storage_name": name, "sha256": sha256, "sm3": sm3, "size": size}
                   for name, sha256, sm3, size in rows]
        path = target / MEDIA_LISTING
        path.write_text(json.dumps(listing, ensure_ascii=False, indent=1))
        os.chmod(path, 0o600)
        add(MEDIA_LISTING, _sha256_file(path))
        outcome.notes.append(f"对象存储中的 {len(rows)} 个文件未复制（由存储桶的版本控制与对象锁定保存），已写入清单 {MEDIA_LISTING}")

    manifest = {
        "format": FORMAT,
        "created_at": timezone.now().isoformat(),
        "database": {"vendor": vendor, "file": SQLITE_FILE if vendor == "sqlite" else PG_FILE},
        "storage": "local" if _local_storage() else "s3",
        "ledger": {"size_at_start": outcome.ledger_size, "checkpoints_at_start": outcome.checkpoints,
                   "origin": settings.LEDGER_ORIGIN},
        "files": dict(sorted(files.items())),
    }
    manifest_path = target / MANIFEST
    manifest_path.write_text(json.dumps(manifest, ensure_ascii=False, indent=1))
    os.chmod(manifest_path, 0o600)
    outcome.files = len(files)
    outcome.bytes = sum(f["size"] for f in files.values())
    outcome.seconds = time.monotonic() - started
    return outcome


def _sqlite_backup(target: Path) -> tuple[str, int]:
    """Online copy through SQLite's backup API: a consistent snapshot while writers carry on."""
    _private_dir(target.parent)
    connection.ensure_connection()
    destination = sqlite3.connect(target)
    try:
        connection.connection.backup(destination, pages=4096)
        # A single self-contained file: the copy inherits WAL mode, which would need -wal/-shm files.
        destination.execute("PRAGMA journal_mode=DELETE")
    finally:
        destination.close()
    os.chmod(target, 0o600)
    return _sha256_file(target)


def _pg_dump(target: Path) -> tuple[str, int]:
    _private_dir(target.parent)
    env, args = _pg_env_args()
    done = subprocess.run([_pg_tool("pg_dump"), "--format=custom", "--no-owner", "--file", str(target), *args],
                          env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupRefused(f"pg_dump 失败：{done.stderr.strip()[:500]}", code="pg_dump_failed")
    os.chmod(target, 0o600)
    return _sha256_file(target)


# --------------------------------------------------------------------------------------------
# Restore
# --------------------------------------------------------------------------------------------


def manifest_check(source: Path) -> dict:
    """The manifest, once every file it lists is present with its hash and nothing was added."""
    source = Path(source)
    try:
        manifest = json.loads((source / MANIFEST).read_text())
    except FileNotFoundError:
        raise RestoreRefused(f"{source} 不是备份目录：缺少 {MANIFEST}", field="dir") from None
    except ValueError:
        raise RestoreRefused(f"{source / MANIFEST} 不是有效的 JSON", field="dir") from None
    if manifest.get("format") != FORMAT:
        raise RestoreRefused(f"备份格式 {manifest.get('format')!r} 不受支持（应为 {FORMAT}）", field="dir")
    listed = manifest.get("files") or {}
    present = {str(p.relative_to(source)) for p in source.rglob("*") if p.is_file()} - {MANIFEST}
    for relative in sorted(set(listed) - present):
        raise RestoreRefused(f"备份不完整：清单中的文件 {relative} 缺失", field="dir", code="backup_incomplete")
    for relative in sorted(present - set(listed)):
        raise RestoreRefused(f"备份被改动：{relative} 不在清单中", field="dir", code="backup_tampered")
    for relative, expected in sorted(listed.items()):
        digest, size = _sha256_file(source / relative)
        if digest != expected["sha256"] or size != expected["size"]:
            raise RestoreRefused(f"备份被改动或损坏：{relative} 的 SHA-256 与清单不符", field="dir",
                                 code="backup_tampered")
    if manifest["ledger"].get("checkpoints_at_start") and ED25519_KEY not in listed:
        raise RestoreRefused("备份中没有签名密钥（keys/ledger-ed25519.pem），而其数据库已有签名检查点：恢复后旧检查点将无法"
                             "验证，因此拒绝恢复。请找回原密钥文件。 / The backup lacks the signing key of its checkpoints.",
                             field="dir", code="backup_without_key")
    return manifest


def _database_tables() -> list[str]:
    with connection.cursor() as cursor:
        return connection.introspection.table_names(cursor)


def _same_or_absent(path: Path, source: Path, what: str) -> bool:
    """True if `path` must be written; refuses when it exists with other content."""
    if not path.exists():
        return True
    if _sha256_file(path)[0] == _sha256_file(source)[0]:
        return False
    raise RestoreRefused(f"目标位置已有不同的{what}：{path}。恢复不会覆盖它；请移走后重试。", code="target_exists")


def backup_restore(source: Path) -> Outcome:
    """Restore a backup into an EMPTY database, with its files, keys and checkpoint file."""
    from sanxiang.ledger import keys

    started = time.monotonic()
    source = Path(source)
    manifest = manifest_check(source)
    listed = manifest["files"]
    vendor = manifest["database"]["vendor"]
    if vendor != connection.vendor:
        raise RestoreRefused(f"备份来自 {vendor} 数据库，当前配置的是 {connection.vendor}：请配置相同类型的数据库",
                             code="vendor_mismatch")
    tables = _database_tables()
    if tables:
        raise RestoreRefused(f"目标数据库不是空的（已有 {len(tables)} 张表，如 {tables[0]}）：恢复只写入新建的空数据库。"
                             f"请新建一个空数据库（不要先运行 migrate）后重试。 / The target database is not empty.",
                             code="database_not_empty")
    # Keys, checkpoint file and secret: checked before anything is written.
    targets = [(ED25519_KEY, Path(settings.LEDGER_SIGNING_KEY), "签名密钥")]
    if SM2_KEY in listed:
        if not getattr(settings, "LEDGER_SM2_KEY", None):
            raise RestoreRefused("备份含 SM2 签名密钥，但未配置 SANXIANG_SM2_KEY：请先设置其路径", code="sm2_not_configured")
        targets.append((SM2_KEY, Path(settings.LEDGER_SM2_KEY), "SM2 签名密钥"))
    targets.append((CHECKPOINTS, checkpoint_file.path(), "检查点文件"))
    to_write = [(relative, path) for relative, path, what in targets
                if relative in listed and _same_or_absent(path, source / relative, what)]

    outcome = Outcome(source, ledger_size=manifest["ledger"].get("size_at_start", 0))
    if vendor == "sqlite":
        _sqlite_restore(source / listed_name(listed, SQLITE_FILE))
    else:
        _pg_restore(source / listed_name(listed, PG_FILE))
    for relative, path in to_write:
        _private_dir(path.parent)
        shutil.copyfile(source / relative, path)
        os.chmod(path, 0o600)
        outcome.files += 1
    if SECRET_KEY in listed:
        if os.environ.get("SECRET_KEY"):
            outcome.notes.append("环境变量 SECRET_KEY 已设置：备份中的 secret_key 未使用")
        else:
            # A fresh var/ got a new secret at start-up; the database was empty, so nothing used it yet.
            _private_dir(_secret_key_file().parent)
            shutil.copyfile(source / SECRET_KEY, _secret_key_file())
            os.chmod(_secret_key_file(), 0o600)
            outcome.files += 1
            outcome.notes.append("已恢复 secret_key；请重新启动服务使其生效")
    keys._key_for.cache_clear()
    keys._sm2_for.cache_clear()
    media = sorted(r for r in listed if r.startswith(MEDIA + "/"))
    for relative in media:
        name = relative[len(MEDIA) + 1:]
        if default_storage.exists(name):
            continue  # content-addressed: the same name holds the same bytes (verify_evidence checks)
        with open(source / relative, "rb") as handle:
            saved = default_storage.save(name, File(handle, name=name))
        if saved != name:
            raise RestoreRefused(f"存储后端改写了文件名 {name}", code="storage_name_changed")
        outcome.files += 1
        outcome.bytes += listed[relative]["size"]
    if MEDIA_LISTING in listed:
        outcome.notes.append("备份来自对象存储：文件仍在原存储桶中，请确认 STORAGE_URL 指向它，再运行 verify_evidence")
    outcome.seconds = time.monotonic() - started
    return outcome


def listed_name(listed: dict, expected: str) -> str:
    if expected not in listed:
        raise RestoreRefused(f"备份中没有数据库文件 {expected}", code="backup_incomplete")
    return expected


def _sqlite_restore(backup: Path) -> None:
    name = str(_database()["NAME"])
    connection.close()
    # immutable: reading the backup creates no -shm/-wal file beside it (the manifest lists every file).
    source = sqlite3.connect(f"file:{backup}?mode=ro&immutable=1", uri=True)
    try:
        if name.startswith("file:") or name == ":memory:":
            connection.ensure_connection()
            source.backup(connection.connection)
        else:
            Path(name).parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            destination = sqlite3.connect(name)
            try:
                source.backup(destination)
            finally:
                destination.close()
            os.chmod(name, 0o600)
    finally:
        source.close()


def _pg_restore(dump: Path) -> None:
    env, args = _pg_env_args()
    connection.close()
    done = subprocess.run([_pg_tool("pg_restore"), "--no-owner", "--no-privileges", "--exit-on-error", *args,
                           str(dump)], env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise RestoreRefused(f"pg_restore 失败：{done.stderr.strip()[:500]}", code="pg_restore_failed")
