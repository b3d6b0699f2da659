"""Offline verification of an exported dossier (no database, no network, no Django).

A dossier archive (see dossier.export) holds:

    manifest.json            case summary, the file list, the ledger entries and the checkpoint
    entries/<index>.json     each ledger entry's canonical bytes, exactly as hashed into the log
    documents/…, evidence/…  the files themselves (or only their hashes when too large)

The checks, in order:
1. The checkpoint note verifies with the Ed25519 key in the manifest (and, when the verifier is
   given a trusted key with --vkey, that the key is the trusted one).
2. Every entry's leaf hash, with its inclusion proof, leads to the checkpoint's root.
3. Every file in the archive hashes to its manifest SHA-256, and every file hash (present or
   omitted) is committed by one of the included entries (its "files" list), so the ledger
   vouches for each file.
4. The manifest's case reference appears among the entries' subjects.

Restricted material the exporter could not open is listed by hash only ("withheld"): its file
is absent and the entries that name it are represented by their leaf hashes ("withheld_entries"),
whose inclusion proofs are checked like the others'. Such a file's hash cannot be tied to an entry
offline; the report counts it as withheld instead.

`verify_dossier(path)` returns a Report; `main()` is the command-line form.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import sys
import zipfile
from dataclasses import dataclass, field

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from sanxiang.ledger import merkle, note

FORMAT = "sanxiang-dossier/1"


@dataclass
class DossierReport:
    case_number: str = ""
    entries: int = 0
    files: int = 0
    omitted: int = 0
    withheld: int = 0
    tree_size: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _sha256_member(archive: zipfile.ZipFile, name: str) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with archive.open(name) as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
            size += len(block)
    return digest.hexdigest(), size


def verify_dossier(path, *, trusted_vkey: str | None = None) -> DossierReport:
    report = DossierReport()
    try:
        archive = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as exc:
        report.problems.append(f"无法打开案卷文件：{exc}")
        return report
    with archive:
        try:
            manifest = json.loads(archive.read("manifest.json"))
        except (KeyError, ValueError) as exc:
            report.problems.append(f"案卷缺少有效的 manifest.json：{exc}")
            return report
        if manifest.get("format") != FORMAT:
            report.problems.append(f"不支持的案卷格式：{manifest.get('format')!r}")
            return report
        report.case_number = manifest.get("case", {}).get("number", "")
        root = _check_checkpoint(manifest, report, trusted_vkey)
        committed, subjects = _check_entries(archive, manifest, root, report)
        _check_withheld_entries(manifest, root, report)
        _check_files(archive, manifest, committed, report)
        case_ref = manifest.get("case", {}).get("ref")
        if case_ref and case_ref not in subjects:
            report.problems.append(f"日志条目中没有案件 {case_ref} 的记录")
    return report


def _check_checkpoint(manifest: dict, report: DossierReport, trusted_vkey: str | None) -> bytes | None:
    cp = manifest.get("checkpoint") or {}
    try:
        raw_key = base64.b64decode(cp["public_key"], validate=True)
        public = Ed25519PublicKey.from_public_bytes(raw_key)
        body = note.verify_note(cp["note"], cp["origin"], public)
        origin, size, root = note.parse_checkpoint(body)
    except (KeyError, ValueError, note.NoteError) as exc:
        report.problems.append(f"检查点签名无效：{exc}")
        return None
    if trusted_vkey:
        try:
            trusted = note.parse_vkey(trusted_vkey)
        except note.NoteError as exc:
            report.problems.append(f"给定的验证公钥格式无效：{exc}")
            return None
        if trusted.name != origin or note.make_vkey(origin, public) != trusted_vkey.strip():
            report.problems.append("检查点不是由给定的受信公钥签名的")
            return None
    report.tree_size = size
    return root


def _check_entries(archive, manifest, root, report) -> tuple[set[str], set[str]]:
    committed: set[str] = set()
    subjects: set[str] = set()
    for item in manifest.get("entries", []):
        index = item.get("index")
        try:
            raw = archive.read(item["path"])
        except KeyError:
            report.problems.append(f"日志条目 {index} 的内容文件缺失")
            continue
        report.entries += 1
        leaf = merkle.leaf_hash(raw)
        if root is not None:
            try:
                merkle.verify_inclusion(leaf, index, report.tree_size, [bytes.fromhex(h) for h in item["audit_path"]],
                                        root)
            except (merkle.ProofError, ValueError, KeyError) as exc:
                report.problems.append(f"日志条目 {index} 的包含证明无效（内容被修改或不属于该日志）：{exc}")
                continue
        body = json.loads(raw)
        if body.get("index") != index:
            report.problems.append(f"日志条目 {index} 的序号与内容不符")
        committed.update(body.get("files", []))
        committed.update(body.get("content", {}).values())
        subjects.update(body.get("subjects", {}).keys())
    return committed, subjects


def _check_withheld_entries(manifest, root, report) -> None:
    for item in manifest.get("withheld_entries", []):
        index = item.get("index")
        if root is None:
            continue
        try:
            merkle.verify_inclusion(bytes.fromhex(item["leaf_hash"]), index, report.tree_size,
                                    [bytes.fromhex(h) for h in item["audit_path"]], root)
        except (merkle.ProofError, ValueError, KeyError, TypeError) as exc:
            report.problems.append(f"受限日志条目 {index} 的包含证明无效：{exc}")


def _check_files(archive, manifest, committed, report) -> None:
    names = set(archive.namelist())
    for item in manifest.get("files", []):
        sha = item.get("sha256", "")
        if item.get("withheld"):
            report.withheld += 1
            continue
        if sha not in committed:
            report.problems.append(f"文件 {item.get('path') or sha} 的哈希未被任何日志条目记录")
        if item.get("omitted"):
            report.omitted += 1
            continue
        path = item.get("path", "")
        if path not in names:
            report.problems.append(f"文件 {path} 缺失")
            continue
        actual, size = _sha256_member(archive, path)
        report.files += 1
        if actual != sha:
            report.problems.append(f"文件 {path} 的内容与记录的哈希不符（被修改）")
        elif size != item.get("size"):
            report.problems.append(f"文件 {path} 的大小与清单不符")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="离线校验 Sanxiang 导出的案卷（无需数据库和网络）")
    parser.add_argument("file")
    parser.add_argument("--vkey", help="受信的检查点验证公钥（name+hex+base64 格式）")
    args = parser.parse_args(argv)
    report = verify_dossier(args.file, trusted_vkey=args.vkey)
    print(f"案卷 {report.case_number}：日志条目 {report.entries} 条（树大小 {report.tree_size}），"
          f"文件 {report.files} 个，仅含哈希 {report.omitted} 个，受限材料仅列哈希 {report.withheld} 个")
    if report.ok:
        print("校验通过")
        return 0
    for problem in report.problems:
        print(problem, file=sys.stderr)
    print("校验失败", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
