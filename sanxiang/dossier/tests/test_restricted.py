"""Issue 8, "Restricted evidence leaks": a same-agency officer who is not on the case got the whole
个人隐私 file inside the dossier export (empty reason), its name and hash on /staff/parties/, and
the export was logged with flagged=False. Now flagged material reaches only those allowed; the
others see "受限材料（哈希 …）"; the export needs a reason and is logged flagged=True."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from sanxiang.dossier.verify import verify_dossier
from sanxiang.ledger.models import Entry
from sanxiang.supervision.models import AccessLog
from sanxiang.testing import RecordsWorld, build_records_world

pytestmark = pytest.mark.django_db
PRIVATE_BYTES = b"medical record"


@pytest.fixture
def rw(settings, tmp_path):
    settings.EVIDENCE_UPLOAD_DIR = str(tmp_path / "uploads")
    return build_records_world()


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _zip_of(response) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


def _all_bytes(archive: zipfile.ZipFile) -> bytes:
    return b"".join(archive.read(name) + name.encode() for name in archive.namelist())


def test_export_of_a_dossier_with_restricted_material_needs_a_reason(rw):
    response = _client(rw.oscar).post(f"/staff/cases/{rw.case.pk}/dossier/", {"reason": ""})
    assert response.status_code == 428 and "调阅事由" in response.content.decode()
    assert not AccessLog.objects.filter(action="export").exists()  # refused: nothing shown, nothing logged


def test_officer_not_on_the_case_gets_the_restricted_file_by_hash_only(rw, tmp_path):
    response = _client(rw.oscar).post(f"/staff/cases/{rw.case.pk}/dossier/", {"reason": "移送法院"})
    assert response.status_code == 200
    data = b"".join(response.streaming_content)
    archive = zipfile.ZipFile(io.BytesIO(data))
    everything = _all_bytes(archive)
    sha = rw.flagged.file.sha256
    # Neither the file, nor its name, nor a ledger entry that names it.
    assert PRIVATE_BYTES not in everything
    assert RecordsWorld.PRIVATE_NAME.encode() not in everything
    assert f"受限材料（哈希 {sha}）".encode() in archive.read("90-证据清单.html")
    assert f"受限材料（哈希 {sha}）".encode() in archive.read("00-封面及卷内目录.html")
    manifest = json.loads(archive.read("manifest.json"))
    listed = [f for f in manifest["files"] if f["sha256"] == sha]
    assert listed == [{"path": listed[0]["path"], "sha256": sha, "size": rw.flagged.file.size, "role": "withheld",
                       "title": f"受限材料（哈希 {sha}）", "omitted": True, "withheld": True}]
    assert rw.flagged.ledger_index in {e["index"] for e in manifest["withheld_entries"]}
    assert rw.flagged.ledger_index not in {e["index"] for e in manifest["entries"]}
    # The plain evidence is there in full, and the archive still verifies offline.
    assert RecordsWorld.PLAIN_NAME.encode() in everything
    path = tmp_path / "d.zip"
    path.write_bytes(data)
    report = verify_dossier(path)
    assert report.ok, report.problems
    assert report.withheld == 1
    log = AccessLog.objects.get(action="export", actor=rw.oscar)
    assert log.flagged is True and log.reason == "移送法院"
    assert "其中 1 件仅附哈希" in log.target_label


def test_case_officer_gets_the_restricted_file_in_full(rw):
    response = _client(rw.world.alice).post(f"/staff/cases/{rw.case.pk}/dossier/", {"reason": "归档"})
    assert response.status_code == 200
    archive = _zip_of(response)
    names = archive.namelist()
    assert any(n.endswith(RecordsWorld.PRIVATE_NAME) for n in names)
    assert PRIVATE_BYTES in _all_bytes(archive)
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["withheld_entries"] == []
    log = AccessLog.objects.get(action="export", actor=rw.world.alice)
    assert log.flagged is True and log.reason == "归档"


def test_party_page_lists_restricted_evidence_by_hash_only(rw):
    sha = rw.flagged.file.sha256
    query = {"q": rw.case.party.id_number}
    page = _client(rw.oscar).get("/staff/parties/", query).content.decode()
    assert rw.case.number in page and RecordsWorld.PLAIN_NAME in page
    assert RecordsWorld.PRIVATE_NAME not in page
    assert f"受限材料（哈希 {sha}）" in page
    page = _client(rw.world.alice).get("/staff/parties/", query).content.decode()
    assert RecordsWorld.PRIVATE_NAME in page and "受限材料" not in page
    page = _client(rw.world.mallory).get("/staff/parties/", query).content.decode()
    assert rw.case.number not in page and sha not in page


def test_documents_do_not_name_restricted_files(rw):
    texts = {d.title: json.dumps(d.content, ensure_ascii=False) for d in rw.case.documents.all()}
    for title, text in texts.items():
        assert RecordsWorld.PRIVATE_NAME not in text, title
    # The decision lists the evidence: the restricted item by its hash.
    assert f"受限材料（哈希 {rw.flagged.file.sha256}）" in texts["行政处罚决定书"]


def test_export_command_honours_the_same_rule(rw, tmp_path):
    out = tmp_path / "cli.zip"
    with pytest.raises(CommandError, match="调阅事由"):
        call_command("export_dossier", rw.case.number, str(out), user="oscar")
    call_command("export_dossier", rw.case.number, str(out), user="oscar", reason="监督检查")
    with zipfile.ZipFile(out) as archive:
        assert PRIVATE_BYTES not in _all_bytes(archive)
        assert RecordsWorld.PRIVATE_NAME.encode() not in _all_bytes(archive)
    assert AccessLog.objects.get(action="export", actor=rw.oscar).flagged is True
    # Another agency's officer: refused, and the denial is in the audit trail.
    with pytest.raises(CommandError, match="不存在或无权查看"):
        call_command("export_dossier", rw.case.number, str(out), user="mallory", reason="x")
    entry = Entry.objects.filter(kind="audit.permission_denied").get()
    body = json.loads(bytes(entry.body))
    assert body["actor"] == "mallory" and body["data"]["object"] == rw.case.ledger_ref()


def test_a_forged_withheld_entry_fails_offline_verification(rw, tmp_path):
    response = _client(rw.oscar).post(f"/staff/cases/{rw.case.pk}/dossier/", {"reason": "移送法院"})
    source = _zip_of(response)
    manifest = json.loads(source.read("manifest.json"))
    manifest["withheld_entries"][0]["leaf_hash"] = "00" * 32
    forged = tmp_path / "forged.zip"
    with zipfile.ZipFile(forged, "w") as out:
        for name in source.namelist():
            out.writestr(name, json.dumps(manifest) if name == "manifest.json" else source.read(name))
    report = verify_dossier(forged)
    assert not report.ok and any("受限日志条目" in p for p in report.problems)
