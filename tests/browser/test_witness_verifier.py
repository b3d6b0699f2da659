"""The in-browser verifier with witnesses: it pins the log's and the witnesses' keys (footer), checks
their cosignatures, remembers the last checkpoint it saw and proves the next one consistent with it;
a rewritten (forked) log is caught both by the witnesses and by the reader's own browser."""

from __future__ import annotations

import re
import threading

import pytest
from django.db import transaction
from playwright.sync_api import expect

from tests.browser.helpers import HAVE_CHROMIUM, Session, launched_chromium

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not HAVE_CHROMIUM, reason="Debian's Chromium is not installed"),
]


@pytest.fixture
def tx_world(transactional_db):
    from sanxiang.testing import build_world

    return build_world()


@pytest.fixture(scope="module")
def browser():
    with launched_chromium() as chromium:
        yield chromium


def _append(n: int) -> None:
    from sanxiang.ledger.services import ledger_append

    for i in range(n):
        with transaction.atomic():
            ledger_append(kind="test.event", summary=f"事件 {i}")


def _rewrite_entry(index: int) -> None:
    """What an operator with database access could do: another entry at `index`, the tree rebuilt."""
    from sanxiang.ledger import merkle
    from sanxiang.ledger.models import Entry, TreeNode

    leaves = [bytes(h) for h in Entry.objects.order_by("index").values_list("leaf_hash", flat=True)]
    leaves[index] = merkle.leaf_hash(b'{"rewritten":true}')
    with transaction.atomic():
        Entry.objects.filter(index=index).update(leaf_hash=leaves[index])
        TreeNode.objects.all().delete()
        TreeNode.objects.bulk_create([TreeNode(level=lv, index=i, hash=h)
                                      for lv, i, h in merkle.append_batch(0, leaves, merkle.MemoryNodeStore()) if lv > 0])


def _verify(page, pk):
    page.goto(f"/decisions/{pk}/")
    page.click("#verify-button")
    result = page.locator("#verify-result")
    expect(result).to_have_attribute("data-verified", re.compile("^(true|false)$"))
    return result


def test_verifier_pins_keys_checks_cosignatures_and_consistency(live_server, tx_world, browser, settings, tmp_path):
    from sanxiang.jobs.tasks import checkpoint_job
    from sanxiang.ledger import keys, note, witness
    from tests.browser.test_security_headers import _published_case

    settings.LEDGER_CHECKPOINT_DIR = tmp_path / "checkpoints"
    logs = {keys.key_name(): note.make_vkey(keys.key_name(), keys.public_key())}
    servers = []
    for name in ("justice.example/witness", "procuratorate.example/witness"):
        w = witness.load_witness(name, tmp_path / f"{name.split('/')[0]}.pem", tmp_path / f"{name.split('/')[0]}.json", logs)
        server = witness.make_server(w)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append((server, w))
    settings.LEDGER_WITNESSES = [f"http://127.0.0.1:{s.server_address[1]} {w.key.vkey}" for s, w in servers]
    _, _, publication = _published_case(tx_world)
    checkpoint_job.call_local()
    session = Session(browser, live_server.url)
    try:
        page = session.page()
        result = _verify(page, publication.pk)
        expect(result).to_have_attribute("data-verified", "true")
        steps = page.locator("#verify-steps")
        expect(steps).to_contain_text("见证者联署有效：justice.example/witness、procuratorate.example/witness（2/2）")
        expect(steps).to_contain_text("首次核验")
        # The footer prints the fingerprints the verifier pinned.
        footer = page.locator("#transparency-fingerprints")
        for _, w in servers:
            expect(footer).to_contain_text(w.key.fingerprint)
        expect(page.locator("#checkpoint-witnesses")).to_contain_text("已获 2 个见证者联署")

        # A second reader, on a day no witness was configured, remembers that checkpoint too.
        configured, settings.LEDGER_WITNESSES = settings.LEDGER_WITNESSES, []
        reader = session.page()
        expect(_verify(reader, publication.pk)).to_have_attribute("data-verified", "true")
        settings.LEDGER_WITNESSES = configured

        # The log grows; the next visit proves the new checkpoint extends the one it saw.
        first_size = checkpoint_job.call_local()
        _append(3)
        checkpoint_job.call_local()
        result = _verify(page, publication.pk)
        expect(result).to_have_attribute("data-verified", "true")
        expect(page.locator("#verify-steps")).to_contain_text(f"与您上次核验时见到的检查点（树大小 {first_size}）一致")

        # A rewritten log (another entry at index 1), signed with the real key: the witnesses refuse
        # it, so the newest checkpoint carries no cosignature and the verifier says so.
        _rewrite_entry(1)
        _append(1)
        checkpoint_job.call_local()
        result = _verify(page, publication.pk)
        expect(result).to_have_attribute("data-verified", "false")
        expect(result).to_contain_text("未获任何见证者的有效联署")

        # Without witnesses the reader's own memory catches the fork: the consistency proof from
        # the checkpoint this browser saw fails.
        settings.LEDGER_WITNESSES = []
        result = _verify(reader, publication.pk)
        expect(result).to_have_attribute("data-verified", "false")
        expect(result).to_contain_text("分叉")

        # A pinned key that changes is refused (here: another witness key replaces a pinned one).
        settings.LEDGER_WITNESSES = [f"http://127.0.0.1:1 {witness.cosignature_vkey('x.example/w', keys.public_key())}"]
        result = _verify(page, publication.pk)
        expect(result).to_have_attribute("data-verified", "false")
        expect(result).to_contain_text("见证者公钥与您此前核验时不同")
    finally:
        session.close()
        for server, _ in servers:
            server.shutdown()
            server.server_close()
