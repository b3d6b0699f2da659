"""Export a case as one self-contained archive that verifies offline (see dossier.verify).

Filing order (立卷顺序): cover, table of contents, documents in the order issued, the evidence
list, then the evidence. Large evidence (over DOSSIER_EMBED_MAX_BYTES) is listed by hash only.
The export is itself logged (调阅监督) with the hashes of the generated cover and contents,
a checkpoint is signed after it, and every entry of the case carries its inclusion proof
against that checkpoint.

What goes in is what the exporting user may see (Evidence.objects.visible_to): restricted
evidence (国家秘密、商业秘密、个人隐私) the user may not open appears only as a line
"受限材料（哈希 …）" — never its file, its name or the ledger entries that name it (those are
represented by their leaf hash and inclusion proof alone). A dossier containing restricted
material cannot be exported without a reason (调阅事由) and is logged with flagged=True.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from sanxiang.common.canonical import canonical_bytes
from sanxiang.dossier.checklist import dossier_checklist
from sanxiang.dossier.verify import FORMAT
from sanxiang.ledger import keys, merkle, note
from sanxiang.ledger.models import Entry
from sanxiang.ledger.services import ledger_append, ledger_checkpoint
from sanxiang.ledger.store import DbNodeStore


@dataclass
class DossierFile:
    path: str
    sha256: str
    size: int
    storage_name: str
    role: str  # document | evidence | withheld
    title: str


def case_documents(case, user) -> list:
    """The case's issued documents the user may see (latest and earlier versions), oldest first."""
    from sanxiang.documents.models import Document

    return list(Document.objects.visible_to(user).filter(case=case).select_related("docx", "pdf")
                .order_by("issued_at", "pk"))


def withheld_line(sha256: str) -> str:
    """How restricted material the reader may not open is named: by its hash, nothing else."""
    return f"受限材料（哈希 {sha256}）"


def document_title(doc) -> str:
    """The contents line of a document; a 补正 shows its reason (and who approved it after 结案)."""
    title = f"{doc.title} {doc.number} 第{doc.version}版"
    correction = (doc.content or {}).get("correction")
    if correction:
        approved = f"，经{correction['approved_by']}批准" if correction.get("approved_by") else ""
        title += f"（补正：{correction['reason']}{approved}）"
    return title


def _document_files(case, user) -> list[DossierFile]:
    files = []
    for n, doc in enumerate(case_documents(case, user), start=1):
        name = f"{n:02d}-{doc.title}-{doc.number}-v{doc.version}".replace("/", "-").replace(" ", "")
        for ext in ("pdf", "docx"):
            stored = getattr(doc, ext, None)
            if stored is not None:
                files.append(DossierFile(f"documents/{name}.{ext}", stored.sha256, stored.size,
                                         stored.storage_name, "document", document_title(doc)))
    return files


def _evidence_files(case, user) -> tuple[list[DossierFile], list]:
    """(files, withheld rows): the evidence the user may open, and restricted evidence listed by
    hash only, in upload order."""
    from sanxiang.records.models import Evidence

    visible = set(Evidence.objects.visible_to(user).filter(case=case).values_list("pk", flat=True))
    withheld = list(Evidence.objects.withheld_from(user).filter(case=case))
    files = []
    for n, ev in enumerate(Evidence.objects.filter(case=case, pk__in=visible | {e.pk for e in withheld})
                           .select_related("file").order_by("pk"), start=1):
        if ev.pk in visible:
            safe = ev.original_name.replace("/", "-").replace("\\", "-")
            files.append(DossierFile(f"evidence/{n:03d}-{safe}", ev.file.sha256, ev.file.size, ev.file.storage_name,
                                     "evidence", f"{ev.get_kind_display()} {ev.description or ev.original_name}"))
        else:
            files.append(DossierFile(f"evidence/{n:03d}-受限材料", ev.file.sha256, ev.file.size, "", "withheld",
                                     withheld_line(ev.file.sha256)))
    return files, withheld


def _withheld_refs(case, withheld) -> set[str]:
    """Ledger subjects whose entries name restricted evidence: the evidence rows and the looks at them."""
    from sanxiang.supervision.models import AccessLog

    refs = {ev.ledger_ref() for ev in withheld}
    looks = AccessLog.objects.filter(case=case, target__in=refs)
    return refs | {row.ledger_ref() for row in looks}


def case_refs(case) -> list[str]:
    """Every Recorded row that belongs to the case, as ledger references."""
    refs = [case.ledger_ref()]
    for party in case.parties_in_order():
        refs.append(party.ledger_ref())
        refs.extend(name.ledger_ref() for name in party.names.all())
    for related in ("case_parties", "events", "assignments", "evidence", "reviews", "publications", "access_log",
                    "documents"):
        manager = getattr(case, related, None)
        if manager is not None:
            refs.extend(row.ledger_ref() for row in manager.all())
    decision = getattr(case, "decision", None) if hasattr(case, "decision") else None
    if decision is not None:
        refs.append(decision.ledger_ref())
        refs.extend(row.ledger_ref() for row in decision.party_rows.all())
    return refs


def _case_entries(case) -> list[Entry]:
    refs = case_refs(case)
    entries = {}
    for start in range(0, len(refs), 500):
        for entry in Entry.objects.filter(subject__in=refs[start:start + 500]):
            entries[entry.index] = entry
    return [entries[i] for i in sorted(entries)]


def dossier_export(*, case, actor, reason: str = "") -> str:
    """Write the dossier archive to a temporary file and return its path (the caller streams it).

    Only what `actor` may see goes in; a case out of the actor's scope is refused (OutOfScope).
    """
    from sanxiang.cases.models import Case
    from sanxiang.records.models import RESTRICTED
    from sanxiang.supervision.services import access_record

    case = Case.objects.select_related("agency", "flow").prefetch_related("case_parties__party").get_visible(actor, pk=case.pk,
                                                                               message="案件不存在或无权查看")
    documents = _document_files(case, actor)
    evidence, withheld = _evidence_files(case, actor)
    flagged = case.evidence.filter(RESTRICTED).count()
    hidden_refs = _withheld_refs(case, withheld)
    limit = settings.DOSSIER_EMBED_MAX_BYTES
    checklist = dossier_checklist(case)
    context = {"case": case, "documents": documents, "evidence": evidence, "checklist": checklist,
               "limit": limit, "exported_at": timezone.now(), "actor": actor}
    cover = render_to_string("dossier/cover.html", context).encode()
    evidence_list = render_to_string("dossier/evidence_list.html", context).encode()
    generated = {"00-封面及卷内目录.html": cover, "90-证据清单.html": evidence_list}
    with transaction.atomic():
        label = f"导出案卷 {case.number}"
        if flagged:
            label += f"（含受限材料 {flagged} 件，其中 {len(withheld)} 件仅附哈希）"
        access = access_record(actor=actor, case=case, target=case, action="export", reason=reason,
                               flagged=bool(flagged), label=label)
        ledger_append(kind="dossier.export", actor=actor, agency=case.agency, subjects=[access],
                      content={name: hashlib.sha256(data).hexdigest() for name, data in generated.items()},
                      summary=f"导出案卷 {case.number}")
    checkpoint = ledger_checkpoint()
    entries = [e for e in _case_entries(case) if e.index < checkpoint.tree_size]
    export_entries = Entry.objects.filter(kind="dossier.export", subject=access.ledger_ref())
    entries = sorted({e.index: e for e in [*entries, *export_entries]}.values(), key=lambda e: e.index)
    hidden_entries = [e for e in entries if e.subject in hidden_refs]
    entries = [e for e in entries if e.subject not in hidden_refs]
    store = DbNodeStore()
    manifest = {
        "format": FORMAT,
        "case": {"ref": case.ledger_ref(), "number": case.number, "title": case.title, "agency": case.agency.name,
                 "state": case.state, "opened_on": case.opened_on.isoformat()},
        "exported_at": timezone.now().isoformat(), "exported_by": actor.get_username(),
        "checkpoint": {"origin": settings.LEDGER_ORIGIN, "tree_size": checkpoint.tree_size,
                       "root_hash": bytes(checkpoint.root_hash).hex(), "note": checkpoint.note,
                       "public_key": keys.public_key_b64()},
        "checklist": [{"step": c.step_name, "requirement": c.label, "satisfied": c.satisfied} for c in checklist],
        "entries": [], "files": [], "withheld_entries": [],
    }
    handle = tempfile.NamedTemporaryFile(prefix="dossier-", suffix=".zip", delete=False)
    try:
        with zipfile.ZipFile(handle, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
            for name, data in generated.items():
                archive.writestr(name, data)
                manifest["files"].append({"path": name, "sha256": hashlib.sha256(data).hexdigest(), "size": len(data),
                                          "role": "generated", "title": name})
            for entry in entries:
                path = f"entries/{entry.index:012d}.json"
                archive.writestr(path, bytes(entry.body))
                proof = merkle.inclusion_proof(store, entry.index, checkpoint.tree_size)
                manifest["entries"].append({"index": entry.index, "path": path, "kind": entry.kind,
                                            "audit_path": [h.hex() for h in proof]})
            for entry in hidden_entries:
                # The entry names restricted material: only its leaf hash and proof go in, so the reader
                # can check the log holds it without learning what it says.
                proof = merkle.inclusion_proof(store, entry.index, checkpoint.tree_size)
                manifest["withheld_entries"].append({"index": entry.index, "leaf_hash": bytes(entry.leaf_hash).hex(),
                                                     "audit_path": [h.hex() for h in proof]})
            for item in [*documents, *evidence]:
                record = {"path": item.path, "sha256": item.sha256, "size": item.size, "role": item.role,
                          "title": item.title}
                if item.role == "withheld":
                    record.update(omitted=True, withheld=True)
                elif item.size > limit:
                    record["omitted"] = True
                else:
                    _copy_into(archive, item)
                manifest["files"].append(record)
            archive.writestr("manifest.json", canonical_bytes(manifest))
            archive.writestr("README.txt", _readme(case, checkpoint).encode())
    except BaseException:
        # A failed export leaves no half-written archive in the temporary directory.
        handle.close()
        os.unlink(handle.name)
        raise
    handle.close()
    return handle.name


def _copy_into(archive: zipfile.ZipFile, item: DossierFile) -> None:
    """Stream a stored file into the archive (memory stays flat for large videos)."""
    compress = zipfile.ZIP_STORED if item.role == "evidence" else zipfile.ZIP_DEFLATED
    info = zipfile.ZipInfo(item.path, date_time=timezone.now().timetuple()[:6])
    info.compress_type = compress
    with default_storage.open(item.storage_name, "rb") as source, archive.open(info, "w", force_zip64=True) as target:
        for block in iter(lambda: source.read(1 << 20), b""):
            target.write(block)


def _readme(case, checkpoint) -> str:
    return (
        f"案卷 {case.number}（{case.title}）\n"
        f"本压缩包可离线校验：sanxiang verify_dossier 本文件.zip\n"
        f"或 python -m sanxiang.dossier.verify 本文件.zip\n"
        f"检查点：日志大小 {checkpoint.tree_size}，根哈希 {bytes(checkpoint.root_hash).hex()}\n"
        f"验证公钥（Ed25519，base64）：{keys.public_key_b64()}\n"
        f"验证公钥（C2SP vkey）：{note.make_vkey(settings.LEDGER_ORIGIN, keys.public_key())}\n"
    )


def manifest_of(path: str) -> dict:
    with zipfile.ZipFile(path) as archive:
        return json.loads(archive.read("manifest.json"))
