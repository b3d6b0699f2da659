"""Full verification of the ledger and of what it commits to (`sanxiang verify_ledger`).

1. Entries: indexes 0..n-1 with no gap; each stored leaf hash equals SHA-256(0x00 ‖ body).
2. Tree: every stored subtree node equals the hash recomputed from the leaves.
3. Checkpoints: each root equals the recomputed root at its size, and each signature verifies.
4. Rows: every row of every Recorded model still hashes to the state its latest entry logged
   (an edited row, a deleted row, or a row written around the services is reported).
5. Content: stored files re-hash to their SHA-256; publications to their logged content hash.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

from django.apps import apps
from django.db import connection

from sanxiang.common.models import Recorded
from sanxiang.ledger import keys, merkle, note

_SUBJECTS = re.compile(rb'"subjects":\{([^}]*)\}')
_PAIR = re.compile(rb'"([^"]+)":"([0-9a-f]{64})"')


@dataclass
class Problem:
    index: int | None
    message: str


@dataclass
class Report:
    size: int = 0
    checkpoints: int = 0
    rows: int = 0
    files: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def first_bad_index(self) -> int | None:
        indexes = [p.index for p in self.problems if p.index is not None]
        return min(indexes) if indexes else None


def _stream(sql: str, params=(), size: int = 20000):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        while True:
            rows = cursor.fetchmany(size)
            if not rows:
                return
            yield from rows


def verify_tree(report: Report, latest: dict[str, tuple[int, str]] | None) -> list[bytes]:
    """Steps 1–3; fills `latest` (subject ref → (index, state hash)) when given."""
    sha256 = hashlib.sha256
    leaves: list[bytes] = []
    append = leaves.append
    expected = 0
    for index, stored_leaf, body in _stream('SELECT "index", leaf_hash, body FROM ledger_entry ORDER BY "index"'):
        body = bytes(body)
        if index != expected:
            report.problems.append(Problem(expected, f"条目 {expected} 缺失（下一个为 {index}）"))
            return leaves
        leaf = sha256(b"\x00" + body).digest()
        if leaf != bytes(stored_leaf):
            report.problems.append(Problem(index, f"条目 {index} 的内容与其叶哈希不符（内容被修改）"))
            return leaves
        append(leaf)
        if latest is not None:
            match = _SUBJECTS.search(body)
            if match and match.group(1):
                for ref, state in _PAIR.findall(match.group(1)):
                    latest[ref.decode()] = (index, state.decode())
        expected += 1
    report.size = expected
    head = next(_stream("SELECT size FROM ledger_ledgerhead WHERE id = 1"), (0,))[0]
    if head != expected:
        report.problems.append(Problem(min(head, expected), f"日志头记录 {head} 条，实有 {expected} 条"))
    # Recompute every perfect subtree level by level and compare with the stored nodes.
    store = merkle.MemoryNodeStore()
    level_hashes = leaves
    for i, h in enumerate(leaves):
        store.nodes[(0, i)] = h
    level = 0
    stored = {}
    for lvl, idx, h in _stream("SELECT level, \"index\", hash FROM ledger_treenode"):
        stored[(lvl, idx)] = bytes(h)
    while len(level_hashes) > 1:
        level += 1
        nxt = [sha256(b"\x01" + level_hashes[i] + level_hashes[i + 1]).digest()
               for i in range(0, len(level_hashes) - 1, 2)]
        for i, h in enumerate(nxt):
            store.nodes[(level, i)] = h
            if stored.pop((level, i), None) != h:
                report.problems.append(Problem(i << level, f"第 {level} 层节点 {i} 缺失或被修改"))
                return leaves
        level_hashes = nxt
    if stored:
        (lvl, idx) = min(stored)
        report.problems.append(Problem(idx << lvl, f"存在多余的树节点（第 {lvl} 层 {idx}）"))
    public = keys.public_key()
    for size, root, text in _stream("SELECT tree_size, root_hash, note FROM ledger_checkpoint ORDER BY tree_size"):
        report.checkpoints += 1
        if size > expected:
            report.problems.append(Problem(expected, f"检查点大小 {size} 超过日志条目数 {expected}"))
            continue
        if merkle.root(store, size) != bytes(root):
            report.problems.append(Problem(max(size - 1, 0), f"检查点（大小 {size}）的根哈希与重新计算的不符"))
        try:
            body = note.verify_note(text, keys.key_name(), public)
            origin, n, signed_root = note.parse_checkpoint(body)
            if n != size or signed_root != bytes(root):
                raise note.NoteError("signed body does not match the stored checkpoint")
        except note.NoteError as exc:
            report.problems.append(Problem(max(size - 1, 0), f"检查点（大小 {size}）签名无效：{exc}"))
    return leaves


def _recorded_models():
    return [m for m in apps.get_models() if issubclass(m, Recorded)]


def verify_rows(report: Report, latest: dict[str, tuple[int, str]]) -> None:
    """Step 4: each row's current state against the state its latest entry logged."""
    seen = set()
    for model in _recorded_models():
        label = model._meta.label_lower
        for row in model.objects.all().iterator(chunk_size=2000):
            report.rows += 1
            ref = row.ledger_ref()
            seen.add(ref)
            logged = latest.get(ref)
            if logged is None:
                report.problems.append(Problem(None, f"{model._meta.verbose_name} {ref} 未经服务写入、日志中无记录"))
            elif logged[1] != row.ledger_state_hash():
                report.problems.append(Problem(logged[0], f"{model._meta.verbose_name} {ref} 与日志条目 {logged[0]} 记录的状态不符（被修改）"))
        for ref, (index, _) in latest.items():
            if ref.startswith(label + ":") and ref not in seen:
                report.problems.append(Problem(index, f"{model._meta.verbose_name} {ref} 已被删除（最后记录于条目 {index}）"))


def verify_content(report: Report, latest: dict[str, tuple[int, str]]) -> None:
    """Step 5: stored files and publication texts against their logged hashes."""
    from django.core.files.storage import default_storage

    from sanxiang.common.canonical import canonical_bytes, sha256_hex
    from sanxiang.disclosure.models import Publication
    from sanxiang.records.models import StoredFile

    def index_of(row) -> int | None:
        return latest.get(row.ledger_ref(), (None,))[0]

    for stored in StoredFile.objects.all().iterator():
        report.files += 1
        index = index_of(stored)
        if not default_storage.exists(stored.storage_name):
            report.problems.append(Problem(index, f"文件 {stored.sha256} 已从存储中丢失"))
            continue
        digest = hashlib.sha256()
        with default_storage.open(stored.storage_name, "rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
        if digest.hexdigest() != stored.sha256:
            report.problems.append(Problem(index, f"文件 {stored.sha256} 的内容已被修改"))
    for publication in Publication.objects.select_related("agency"):
        if sha256_hex(canonical_bytes(publication.public_document())) != publication.content_sha256:
            index = publication.ledger_index if publication.ledger_index is not None else index_of(publication)
            report.problems.append(Problem(index, f"公示 {publication.decision_number} 的内容与记录的哈希不符"))


def verify_all(*, rows: bool = True, content: bool = True) -> Report:
    report = Report()
    latest: dict[str, tuple[int, str]] = {}
    verify_tree(report, latest if rows else None)
    if report.problems:
        return report
    if rows:
        verify_rows(report, latest)
    if content:
        verify_content(report, latest)
    return report
