"""Re-hash every stored evidence file (`sanxiang verify_evidence`).

Each StoredFile is read back through the configured storage in 1 MiB blocks and hashed with
SHA-256 and SM3 (国密) at once; a file that is gone, has another size, another SHA-256 or another
SM3 than recorded (files stored before SM3 was recorded have none) is reported with the ledger entry that first
logged it. With S3 Object Lock configured, an object version without a retention is reported too.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.files.storage import default_storage

from sanxiang.records.models import StoredFile
from sanxiang.records.services import BLOCK, FileHasher


@dataclass
class FileProblem:
    sha256: str
    storage_name: str
    ledger_index: int | None
    kind: str  # missing | changed | unlocked
    message: str


@dataclass
class FileReport:
    files: int = 0
    bytes: int = 0
    problems: list[FileProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def count(self, kind: str) -> int:
        return sum(1 for p in self.problems if p.kind == kind)


def _logged_at(stored: StoredFile) -> int | None:
    """The ledger entry that first logged the file (rows written before ledger_index existed: search)."""
    if stored.ledger_index is not None:
        return stored.ledger_index
    from sanxiang.ledger.models import Entry

    needle = f'"{stored.ledger_ref()}"'.encode()
    for index, body in Entry.objects.filter(kind__startswith="evidence.").values_list("index", "body").iterator():
        if needle in bytes(body):
            return index
    return None


def _digest(name: str) -> tuple[str, str, int]:
    digest, size = FileHasher(), 0
    with default_storage.open(name, "rb") as handle:
        while block := handle.read(BLOCK):
            digest.update(block)
            size += len(block)
    return digest.hexdigest(), digest.sm3_hexdigest(), size


def verify_files() -> FileReport:
    report = FileReport()
    lock_state = getattr(default_storage, "lock_state", None) if getattr(
        default_storage, "object_lock_mode", None) else None
    for stored in StoredFile.objects.order_by("pk").iterator(chunk_size=2000):
        report.files += 1

        def problem(kind: str, message: str, stored=stored) -> None:
            report.problems.append(FileProblem(stored.sha256, stored.storage_name, _logged_at(stored), kind, message))

        try:
            sha256, sm3, size = _digest(stored.storage_name)
        except FileNotFoundError:
            problem("missing", f"文件 {stored.sha256} 已从存储中丢失（{stored.storage_name}）")
            continue
        report.bytes += size
        if sha256 != stored.sha256 or size != stored.size:
            problem("changed", f"文件 {stored.sha256} 的内容已被修改（现为 {size} 字节，SHA-256 {sha256}）")
            continue
        if stored.sm3 and sm3 != stored.sm3:
            problem("changed", f"文件 {stored.sha256} 的 SM3 杂凑值与记录的不符（记录 {stored.sm3}，现为 {sm3}）")
            continue
        if lock_state is not None:
            mode, until = lock_state(stored.storage_name)
            if not mode:
                problem("unlocked", f"文件 {stored.sha256} 的对象未设置保留锁定（Object Lock）")
    return report
