"""Dossier export and offline verification: any change to the archive is found without a database."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from sanxiang.cases.services import case_open
from sanxiang.cases.walkthrough import Cast, walk
from sanxiang.dossier.export import dossier_export, manifest_of
from sanxiang.dossier.verify import verify_dossier
from sanxiang.ledger import keys, note
from sanxiang.records.services import evidence_attach
from sanxiang.supervision.models import AccessLog
from sanxiang.testing import citizen_party

TODAY = timezone.localdate()
VIDEO = b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 4096  # 1 MiB: larger than any document


def archived_case(world):
    case = case_open(actor=world.alice, item=world.item, party=citizen_party(), title="擅自倾倒建筑垃圾",
                     officers=[world.alice_officer, world.bob_officer], opened_on=TODAY - dt.timedelta(days=30))
    cast = Cast(world.alice, world.carol, world.dave, world.erin)
    case = walk(case, cast, until="investigation")
    evidence_attach(case=case, actor=world.alice, uploaded=ContentFile(b"\xff\xd8\xff\xe0photo", name="现场.jpg"),
                    kind="photo", description="现场照片")
    evidence_attach(case=case, actor=world.alice, uploaded=ContentFile(VIDEO, name="执法记录仪.mp4"), kind="video",
                    description="执法记录仪视频")
    return walk(case, cast, fine=800)


def rewrite(src: str, dst: Path, change) -> Path:
    """Copy the archive, passing each member through change(name, data) -> data."""
    with zipfile.ZipFile(src) as old, zipfile.ZipFile(dst, "w") as new:
        for info in old.infolist():
            data = change(info.filename, old.read(info.filename))
            if data is not None:
                new.writestr(info.filename, data)
    return dst


@pytest.mark.django_db
class TestDossier:
    def test_export_verifies_offline(self, world, tmp_path):
        case = archived_case(world)
        path = dossier_export(case=case, actor=world.carol, reason="归档")
        report = verify_dossier(path)
        assert report.ok, report.problems
        documents = case.documents.count()
        # Issued before 立卷归档 (no hearing and no review for this fine, so none of theirs).
        assert set(case.documents.values_list("kind", flat=True)) == {
            "filing_approval", "inquiry_record", "prior_notice", "decision", "service_receipt", "closing_approval"}
        assert report.case_number == case.number and report.files == 2 + 2 + 2 * documents
        assert report.omitted == 0
        manifest = manifest_of(path)
        kinds = [e["kind"] for e in manifest["entries"]]
        assert kinds[0] == "case.open" and "case.archive" in kinds and "evidence.attach" in kinds
        assert "document.issue" in kinds
        assert kinds[-1] == "dossier.export"
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
            assert archive.read([n for n in names if n.endswith(".mp4")][0]) == VIDEO
            assert any("行政处罚决定书" in n and n.endswith(".pdf") for n in names)
        assert names[0].startswith("00-封面") and "90-证据清单.html" in names
        # The export is an access of its own, logged with the reason.
        access = AccessLog.objects.get(action="export")
        assert access.reason == "归档" and access.actor == world.carol

    def test_a_failed_export_leaves_no_archive_behind(self, world, monkeypatch):
        import tempfile

        from sanxiang.dossier import export

        case = archived_case(world)

        def broken(archive, item):
            raise OSError("存储不可读")

        monkeypatch.setattr(export, "_copy_into", broken)
        with pytest.raises(OSError):
            dossier_export(case=case, actor=world.carol)
        assert list(Path(tempfile.gettempdir()).iterdir()) == []

    def test_trusted_key_is_checked(self, world):
        path = dossier_export(case=archived_case(world), actor=world.carol)
        vkey = note.make_vkey(keys.key_name(), keys.public_key())
        assert verify_dossier(path, trusted_vkey=vkey).ok
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

        other = note.make_vkey(keys.key_name(), Ed25519PrivateKey.generate().public_key())
        report = verify_dossier(path, trusted_vkey=other)
        assert not report.ok and "受信公钥" in report.problems[0]

    def test_changed_evidence_is_found(self, world, tmp_path):
        path = dossier_export(case=archived_case(world), actor=world.carol)
        bad = rewrite(path, tmp_path / "bad.zip",
                      lambda name, data: data[:-1] + b"X" if name.endswith(".mp4") else data)
        report = verify_dossier(bad)
        assert not report.ok and any("被修改" in p for p in report.problems)

    def test_changed_entry_is_found(self, world, tmp_path):
        path = dossier_export(case=archived_case(world), actor=world.carol)

        def change(name, data):
            if name.startswith("entries/") and b'"case.decide"' in data:
                return data.replace(b'"actor":"erin"', b'"actor":"carol"')
            return data

        report = verify_dossier(rewrite(path, tmp_path / "bad.zip", change))
        assert not report.ok and any("包含证明无效" in p for p in report.problems)

    def test_forged_manifest_file_hash_is_found(self, world, tmp_path):
        path = dossier_export(case=archived_case(world), actor=world.carol)
        replacement = b"\xff\xd8\xff\xe0 another photo"

        def change(name, data):
            if name.endswith(".jpg"):
                return replacement
            if name == "manifest.json":
                import hashlib

                manifest = json.loads(data)
                for f in manifest["files"]:
                    if f["path"].endswith(".jpg"):
                        f["sha256"], f["size"] = hashlib.sha256(replacement).hexdigest(), len(replacement)
                return json.dumps(manifest).encode()
            return data

        report = verify_dossier(rewrite(path, tmp_path / "bad.zip", change))
        assert any("未被任何日志条目记录" in p for p in report.problems)

    def test_removed_file_and_bad_signature(self, world, tmp_path):
        path = dossier_export(case=archived_case(world), actor=world.carol)
        report = verify_dossier(rewrite(path, tmp_path / "a.zip",
                                        lambda name, data: None if name.endswith(".jpg") else data))
        assert any("缺失" in p for p in report.problems)

        def forge(name, data):
            if name != "manifest.json":
                return data
            manifest = json.loads(data)
            manifest["checkpoint"]["note"] = manifest["checkpoint"]["note"].replace(
                str(manifest["checkpoint"]["tree_size"]), str(manifest["checkpoint"]["tree_size"] + 1), 1)
            return json.dumps(manifest).encode()

        report = verify_dossier(rewrite(path, tmp_path / "b.zip", forge))
        assert not report.ok and "检查点签名无效" in report.problems[0]
        assert not verify_dossier(tmp_path / "missing.zip").ok

    def test_large_evidence_is_listed_by_hash_only(self, world, settings):
        settings.DOSSIER_EMBED_MAX_BYTES = 700 * 1024
        path = dossier_export(case=archived_case(world), actor=world.carol)
        report = verify_dossier(path)
        assert report.ok and report.omitted == 1
        with zipfile.ZipFile(path) as archive:
            assert not any(n.endswith(".mp4") for n in archive.namelist())

    def test_command_line_and_standalone_verifier(self, world, tmp_path):
        case = archived_case(world)
        out = tmp_path / "case.zip"
        call_command("export_dossier", case.number, str(out), "--user", "carol", "--reason", "移送法院")
        call_command("verify_dossier", str(out))
        # The standalone verifier runs with no Django settings and no database at all.
        alone = tmp_path / "alone"
        alone.mkdir()
        shutil.copy(out, alone / "case.zip")
        result = subprocess.run([sys.executable, "-m", "sanxiang.dossier.verify", "case.zip"], cwd=alone,
                                capture_output=True, text=True, env={"PATH": "/usr/bin:/bin"})
        assert result.returncode == 0, result.stderr
        assert "校验通过" in result.stdout
        bad = rewrite(str(out), tmp_path / "bad.zip", lambda n, d: d.replace(b"\xff\xd8", b"\xff\xd9")
                      if n.endswith(".jpg") else d)
        with pytest.raises(CommandError):
            call_command("verify_dossier", str(bad))
        with pytest.raises(CommandError):
            call_command("export_dossier", case.number, str(out), "--user", "mallory")

    def test_export_page_downloads_a_verifiable_archive(self, world, tmp_path):
        case = archived_case(world)
        client = Client()
        client.force_login(world.carol)
        page = client.get(f"/staff/cases/{case.pk}/dossier/")
        assert page.status_code == 200 and "完整性检查" in page.content.decode()
        response = client.post(f"/staff/cases/{case.pk}/dossier/", {"reason": "监督检查"})
        assert response.status_code == 200 and response["Content-Type"] == "application/zip"
        target = tmp_path / "download.zip"
        target.write_bytes(b"".join(response.streaming_content))
        assert verify_dossier(target).ok
        client.force_login(world.mallory)
        assert client.get(f"/staff/cases/{case.pk}/dossier/").status_code == 404


@pytest.mark.django_db
def test_party_records_across_cases(world):
    party = citizen_party(41, name="周芷若")
    first = case_open(actor=world.alice, item=world.item, party=party, title="倾倒建筑垃圾",
                      officers=[world.alice_officer, world.bob_officer])
    second = case_open(actor=world.alice, item=world.item, party=party, title="占道经营",
                       officers=[world.alice_officer, world.bob_officer])
    case_open(actor=world.alice, item=world.item, party=citizen_party(42, name="张无忌"), title="其他",
              officers=[world.alice_officer, world.bob_officer])
    evidence_attach(case=second, actor=world.alice, uploaded=ContentFile(b"\xff\xd8\xff\xe0x", name="a.jpg"),
                    kind="photo")
    from sanxiang.dossier.selectors import party_records

    records = party_records(world.carol, party["id_number"])
    assert {c.pk for c in records.cases} == {first.pk, second.pk} and len(records.evidence) == 1
    assert party_records(world.mallory, party["id_number"]).cases == []
    client = Client()
    client.force_login(world.carol)
    page = client.get("/staff/parties/", {"q": party["id_number"]}).content.decode()
    assert first.number in page and second.number in page and "张无忌" not in page


@pytest.mark.django_db
def test_archive_is_refused_until_the_dossier_is_complete(world):
    from sanxiang.cases.services import case_transition
    from sanxiang.common.exceptions import EvidenceMissing
    from sanxiang.dossier.checklist import missing

    case = case_open(actor=world.alice, item=world.item, party=citizen_party(), title="擅自倾倒建筑垃圾",
                     officers=[world.alice_officer, world.bob_officer], opened_on=TODAY - dt.timedelta(days=30))
    case = walk(case, Cast(world.alice, world.carol, world.dave, world.erin), until="archive", documents=False,
                decision_document=False)
    gaps = {g.label for g in missing(case)}
    assert {"立案审批表", "行政处罚事先告知书", "行政处罚决定书", "送达回证", "结案审批表"} <= gaps
    assert "听证笔录" not in gaps  # no hearing was held: nothing required of it
    with pytest.raises(EvidenceMissing) as err:
        case_transition(case=case, action="archive", actor=world.alice, data={"archive_note": "卷1"})
    assert err.value.code == "dossier_incomplete" and "立案审批表" in err.value.message
    from sanxiang.cases.walkthrough import issue_dossier_documents

    # Made after 结案 they are 补正: only with a reason, and made (approved) by the agency head.
    cast = Cast(world.alice, world.carol, world.dave, world.erin)
    assert issue_dossier_documents(case, cast) == []
    issued = issue_dossier_documents(case, cast, correction_reason="归档前发现漏制作，予以补正")
    assert issued and all(d.issued_by == world.erin and d.content["correction"]["approved_by"] for d in issued)
    assert missing(case) == []
    assert case_transition(case=case, action="archive", actor=world.alice,
                           data={"archive_note": "卷1"}).to_state == "archived"
