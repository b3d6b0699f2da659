"""The database ledger: appends in the writer's transaction, the fixed transparency API, and
`verify_ledger` naming the first bad index for every kind of tampering."""

from __future__ import annotations

import base64
import datetime as dt
import json

import pytest
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.db import transaction
from django.test import Client
from django.utils import timezone

from sanxiang.cases.models import Case
from sanxiang.cases.services import case_open
from sanxiang.cases.walkthrough import Cast, walk
from sanxiang.common.services import record_save
from sanxiang.disclosure.models import Publication
from sanxiang.disclosure.services import publication_publish
from sanxiang.ledger import keys, merkle, note
from sanxiang.ledger.models import Checkpoint, Entry, LedgerHead, TreeNode
from sanxiang.ledger.services import ledger_append, ledger_checkpoint, ledger_size
from sanxiang.ledger.store import DbNodeStore
from sanxiang.ledger.verification import verify_all
from sanxiang.registry.models import Officer
from sanxiang.testing import citizen_party

TODAY = timezone.localdate()


def published_case(world):
    case = case_open(actor=world.alice, item=world.item, party=citizen_party(), title="擅自倾倒建筑垃圾",
                     officers=[world.alice_officer, world.bob_officer], opened_on=TODAY - dt.timedelta(days=30))
    case = walk(case, Cast(world.alice, world.carol, world.dave, world.erin), fine=800, until="service")
    publication = publication_publish(publication=Publication.objects.get(case=case), actor=world.erin)
    return case, publication


def run_verify(*args) -> tuple[int, str]:
    """Exit status and message as the console script would give them."""
    try:
        call_command("verify_ledger", *args)
    except CommandError as exc:
        return exc.returncode, str(exc)
    return 0, ""


@pytest.mark.django_db(transaction=True)
def test_append_outside_a_transaction_is_refused():
    with pytest.raises(RuntimeError):
        ledger_append(kind="test")
    assert ledger_size() == 0


@pytest.mark.django_db
class TestAppend:
    def test_rolled_back_write_leaves_no_entry_and_no_gap(self, world):
        size = ledger_size()
        with pytest.raises(ZeroDivisionError), transaction.atomic():
            ledger_append(kind="test.rollback")
            raise ZeroDivisionError("abort the writing transaction")
        assert ledger_size() == size
        with transaction.atomic():
            entry = ledger_append(kind="test.after")
        assert entry.index == size
        assert list(Entry.objects.values_list("index", flat=True)) == list(range(size + 1))

    def test_tree_matches_an_in_memory_tree(self, world):
        published_case(world)
        leaves = [bytes(h) for h in Entry.objects.order_by("index").values_list("leaf_hash", flat=True)]
        store = merkle.MemoryNodeStore()
        for level, index, value in merkle.append_batch(0, leaves, store):
            store.nodes[(level, index)] = value
        assert merkle.root(DbNodeStore(), len(leaves)) == merkle.root(store, len(leaves))

    def test_entry_commits_to_subject_state(self, world):
        officer = world.alice_officer
        officer.enforcement_area = "西工区"
        record_save(officer, actor=world.carol)
        body = json.loads(bytes(Entry.objects.order_by("-index").first().body))
        assert body["subjects"][officer.ledger_ref()] == officer.ledger_state_hash()
        assert body["actor"] == "carol" and body["kind"] == "registry.officer.update"


@pytest.mark.django_db
class TestTransparencyApi:
    def test_checkpoint_is_signed_and_matches_the_tree(self, world, django_capture_on_commit_callbacks):
        # A public entry queues the checkpoint job once its transaction commits.
        with django_capture_on_commit_callbacks(execute=True):
            published_case(world)
        data = Client().get("/transparency/v1/checkpoint").json()
        assert set(data) == {"origin", "tree_size", "root_hash", "note", "public_key", "cosignatures", "cosigned_note", "witnesses"}
        assert data["tree_size"] == ledger_size()
        public = base64.b64decode(data["public_key"])
        assert data["public_key"] == keys.public_key_b64() and len(public) == 32
        body = note.verify_note(data["note"], keys.key_name(), keys.public_key())
        origin, size, root = note.parse_checkpoint(body)
        assert origin == data["origin"] and size == data["tree_size"] and root.hex() == data["root_hash"]

    def test_inclusion_proof_of_a_published_decision_verifies(self, world, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            case, publication = published_case(world)
        client = Client()
        cp = client.get("/transparency/v1/checkpoint").json()
        proof = client.get(f"/transparency/v1/proof/inclusion?index={publication.ledger_index}"
                           f"&tree_size={cp['tree_size']}").json()
        assert set(proof) == {"index", "tree_size", "leaf_hash", "audit_path"}
        raw = base64.b64decode(client.get(f"/transparency/v1/entries/{publication.ledger_index}").content)
        assert merkle.leaf_hash(raw).hex() == proof["leaf_hash"]
        merkle.verify_inclusion(bytes.fromhex(proof["leaf_hash"]), proof["index"], proof["tree_size"],
                                [bytes.fromhex(h) for h in proof["audit_path"]], bytes.fromhex(cp["root_hash"]))
        with pytest.raises(merkle.ProofError):
            merkle.verify_inclusion(bytes.fromhex(proof["leaf_hash"]), proof["index"], proof["tree_size"],
                                    [bytes.fromhex(h) for h in proof["audit_path"]], b"\x01" * 32)
        # The public entry carries the published (redacted) document itself.
        entry = json.loads(raw)
        assert entry["public"] is True and entry["data"]["publication"]["party_name"] == "张某"
        assert "张三丰" not in raw.decode()

    def test_private_entries_are_not_served(self, world):
        case, _ = published_case(world)
        index = case.events.first().ledger_index
        response = Client().get(f"/transparency/v1/entries/{index}")
        assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"

    def test_leaves_and_consistency(self, world):
        published_case(world)
        client = Client()
        size = ledger_size()
        leaves = client.get(f"/transparency/v1/leaves?start=0&end={size}").json()["leaves"]
        assert [leaf["index"] for leaf in leaves] == list(range(size))
        first_root = merkle.root(DbNodeStore(), 5)
        proof = client.get(f"/transparency/v1/proof/consistency?first=5&second={size}").json()
        merkle.verify_consistency(5, size, first_root, merkle.root(DbNodeStore(), size),
                                  [bytes.fromhex(h) for h in proof["proof"]])
        assert len(leaves) == size and proof["first"] == 5

    @pytest.mark.parametrize("url", [
        "/transparency/v1/leaves?start=5&end=2", "/transparency/v1/leaves?start=a&end=2",
        "/transparency/v1/proof/inclusion?index=10000&tree_size=20000",
        "/transparency/v1/proof/consistency?first=0&second=3",
    ])
    def test_bad_parameters_are_named(self, world, url):
        response = Client().get(url)
        assert response.status_code == 400
        assert response.json()["error"]["code"] in {"bad_parameter", "bad_range"}

    def test_leaves_page_is_capped_and_says_so(self, world, settings):
        settings.LEDGER_PAGE_LIMIT = 3
        data = Client().get("/transparency/v1/leaves?start=0&end=10").json()
        assert len(data["leaves"]) == 3 and data["truncated"] is True and data["next_start"] == 3


@pytest.mark.django_db
class TestVerifyLedger:
    def test_clean_ledger_verifies(self, world, capsys):
        published_case(world)
        ledger_checkpoint()
        report = verify_all()
        assert report.ok and report.size == ledger_size() and report.rows > 20 and report.checkpoints == 1
        assert run_verify() == (0, "")
        assert "校验通过" in capsys.readouterr().out

    def test_edited_entry_body_names_its_index(self, world):
        published_case(world)
        target = Entry.objects.get(index=7)
        Entry.objects.filter(index=7).update(body=bytes(target.body).replace(b'"v":1', b'"v":2'))
        report = verify_all()
        assert not report.ok and report.first_bad_index == 7
        status, message = run_verify()
        assert status == 1 and "首个异常条目序号 7" in message

    def test_deleted_entry_names_the_gap(self, world):
        published_case(world)
        TreeNode.objects.all().delete()
        Entry.objects.filter(index=4).delete()
        assert verify_all().first_bad_index == 4

    def test_edited_row_outside_services_is_found(self, world):
        case, _ = published_case(world)
        Case.objects.filter(pk=case.pk).update(fine_amount=1)
        report = verify_all()
        assert not report.ok
        last = case.events.order_by("-ledger_index").first().ledger_index
        assert report.first_bad_index == last
        assert any("被修改" in p.message for p in report.problems)

    def test_row_written_around_the_services_is_found(self, world):
        Officer.objects.create(agency=world.agency, name="临时", staff_type="civil_servant",
                               certificate_no=None, enforcement_kinds=[], status="active")
        report = verify_all()
        assert any("未经服务写入" in p.message for p in report.problems)

    def test_deleted_row_is_found(self, world):
        officer = world.bob_officer
        logged = Entry.objects.filter(subject=officer.ledger_ref()).order_by("-index").first().index
        Officer.objects.filter(pk=officer.pk).update(user=None)
        Officer.objects.filter(pk=officer.pk).delete()
        report = verify_all()
        assert any("已被删除" in p.message for p in report.problems)
        assert report.first_bad_index == logged

    def test_changed_publication_text_is_found(self, world):
        _, publication = published_case(world)
        Publication.objects.filter(pk=publication.pk).update(text=publication.text + "（已改）")
        report = verify_all()
        assert not report.ok and report.first_bad_index is not None
        assert any("公示" in p.message for p in report.problems)

    def test_changed_evidence_file_is_found(self, world):
        from django.core.files.storage import default_storage

        from sanxiang.records.services import evidence_attach

        case = case_open(actor=world.alice, item=world.item, party=citizen_party(), title="倾倒",
                         officers=[world.alice_officer, world.bob_officer])
        evidence = evidence_attach(case=case, actor=world.alice, uploaded=ContentFile(b"\xff\xd8\xff\xe0photo", name="p.jpg"),
                                   kind="photo")
        assert verify_all().ok
        with open(default_storage.path(evidence.file.storage_name), "wb") as handle:
            handle.write(b"other bytes")
        report = verify_all()
        assert any("内容已被修改" in p.message for p in report.problems)
        assert report.first_bad_index == Entry.objects.get(kind="evidence.attach").index

    def test_forged_checkpoint_signature_is_found(self, world):
        published_case(world)
        cp = ledger_checkpoint()
        lines = cp.note.split("\n")
        lines[-2] = lines[-2][:-4] + ("AAA=" if not lines[-2].endswith("AAA=") else "BBB=")
        Checkpoint.objects.filter(pk=cp.pk).update(note="\n".join(lines))
        report = verify_all()
        assert not report.ok and any("签名" in p.message for p in report.problems)

    def test_edited_tree_node_is_found(self, world):
        published_case(world)
        node = TreeNode.objects.filter(level=2).order_by("index").first()
        TreeNode.objects.filter(pk=node.pk).update(hash=b"\x00" * 32)
        report = verify_all()
        assert not report.ok and report.first_bad_index == node.index << 2

    def test_head_mismatch_is_found(self, world):
        LedgerHead.objects.filter(pk=1).update(size=ledger_size() + 3)
        assert not verify_all().ok
