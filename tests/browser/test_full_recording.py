"""执法全过程记录 through the staff UI in headless Chromium: a photo and a body-camera video go up
through the resumable uploader (the audio-video list refuses the investigation until the video is
there), the decision document is made and downloaded as PDF, archiving is refused while the
dossier is incomplete, and the exported dossier verifies offline with the evidence bytes intact.

The quick steps in between go through the services (walkthrough.walk); screenshots of the key
steps go to var/screenshots/ (gitignored) as full-*.png.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import subprocess
import sys
import zipfile

import pytest
from django.utils import timezone

from tests.browser.helpers import HAVE_CHROMIUM, Session, act, launched_chromium, shot

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not HAVE_CHROMIUM, reason="Debian's Chromium is not installed"),
]

MiB = 1024 * 1024
PHOTO = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01" + bytes(range(256)) * 64
# Body-camera footage: an ISO-BMFF header and 3 MiB of varied bytes (so a changed byte would show).
VIDEO = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + hashlib.sha256(b"seed").digest() * (3 * MiB // 32)
UPLOAD_CHUNK = "var CHUNK = 32 * 1024 * 1024;"


@pytest.fixture
def tx_world(transactional_db):
    """The personas, committed so that the live server's thread sees them."""
    from sanxiang.testing import build_world

    return build_world()


@pytest.fixture(scope="module")
def browser():
    with launched_chromium() as chromium:
        yield chromium


def small_chunks(route):
    """Serve uploader.js with 1 MiB chunks, so that the 3 MiB video goes up in several requests."""
    response = route.fetch()
    script = response.text()
    assert UPLOAD_CHUNK in script, "uploader.js no longer declares its chunk size as expected"
    route.fulfill(response=response, body=script.replace(UPLOAD_CHUNK, "var CHUNK = 1024 * 1024;"))


def upload(page, name: str, mime: str, data: bytes, kind: str, description: str) -> None:
    """Send one file through the chunked uploader and wait for the page to reload with it listed."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    from playwright.sync_api import expect

    page.set_input_files("#cu-file", files=[{"name": name, "mimeType": mime, "buffer": data}])
    page.select_option("#cu-kind", kind)
    page.fill("#cu-description", description)
    try:
        with page.expect_navigation(timeout=30_000):  # uploader.js reloads the page once the file is saved
            page.click("#chunked-upload button[type=submit]")
    except PlaywrightTimeout:
        pytest.fail(f"{name} was not uploaded: {page.locator('#chunked-upload [data-role=error]').text_content()}")
    expect(page.locator("#evidence tbody")).to_contain_text(name)


def test_photo_video_decision_document_archive_and_dossier(live_server, tx_world, browser, tmp_path):
    from playwright.sync_api import expect

    from sanxiang.cases.services import case_open
    from sanxiang.cases.walkthrough import Cast, issue_dossier_documents, walk
    from sanxiang.dossier.verify import verify_dossier
    from sanxiang.registry.services import av_list_install
    from sanxiang.testing import citizen_party

    w = tx_world
    av_list_install(agency=w.agency)
    opened_on = timezone.localdate() - dt.timedelta(days=30)
    case = case_open(actor=w.alice, item=w.item, party=citizen_party(), officers=[w.alice_officer, w.bob_officer],
                     title="擅自倾倒建筑垃圾", source="群众举报", opened_on=opened_on)
    cast = Cast(officer=w.alice, unit_head=w.carol, reviewer=w.dave, head=w.erin)
    walk(case, cast, until="investigation")
    case_url = f"/staff/cases/{case.pk}/"

    session = Session(browser, live_server.url)
    try:
        page = session.page("alice")
        page.route("**/records/uploader.js", small_chunks)
        chunks = []
        page.on("request", lambda r: chunks.append(r) if r.method == "PATCH" and "/uploads/" in r.url else None)
        page.goto(case_url)
        expect(page.locator("#case-state")).to_have_text("调查取证")

        # --- a scene photo, then the investigation is refused: the AV list wants a video ---------
        upload(page, "现场照片.jpg", "image/jpeg", PHOTO, "photo", "现场照片，拍摄于幸福路")
        investigation = {
            "facts": "经查，当事人于幸福路倾倒建筑垃圾约三立方米，有现场照片及执法记录仪视频为证。",
            "investigation_report": "调查终结，事实清楚，证据确凿，建议罚款。",
            "proposed_fine": "500",
        }
        fine_kind = ('input[name=proposed_penalty_kinds][value="fine"]',)
        act(page, "submit_investigation", investigation, check=fine_kind)
        refusal = page.locator("#case-panel [role=alert]").first
        expect(refusal).to_contain_text("音像记录事项清单")
        expect(refusal).to_contain_text("现场检查、抽样取证、证据先行登记保存")
        expect(page.locator("#case-state")).to_have_text("调查取证")
        shot(page, "full-01-av-refused")

        # --- the body-camera video, in several chunks of the resumable uploader -----------------
        chunks.clear()
        upload(page, "执法记录仪-现场检查.mp4", "video/mp4", VIDEO, "video", "现场检查全程录像")
        assert len(chunks) == 4, f"the 3 MiB video went up in {len(chunks)} chunk(s), not 4 of 1 MiB"
        for name, data in (("现场照片.jpg", PHOTO), ("执法记录仪-现场检查.mp4", VIDEO)):
            sha = hashlib.sha256(data).hexdigest()
            cell = page.locator("#evidence tbody tr", has_text=name).locator("td.mono")
            expect(cell).to_have_text(f"{sha[:16]}…")
            expect(cell).to_have_attribute("title", sha)
        expect(page.locator("#evidence .count")).to_have_text("2")
        shot(page, "full-02-evidence")

        act(page, "submit_investigation", investigation, check=fine_kind)
        expect(page.locator("#case-state")).to_have_text("案件审查")

        # --- examination and notice through the services; erin decides in the browser ----------
        walk(case, cast, until="decision")
        erin = session.page("erin")
        erin.goto(case_url)
        expect(erin.locator('form[data-action="decide"] [name="fine_amount"]')).to_have_value("500.00")
        act(erin, "decide", {
            "decided_on": (opened_on + dt.timedelta(days=16)).isoformat(),
            "reasons": "依据《城市市容和环境卫生管理条例》第三十四条，决定给予上述行政处罚。",
        })
        expect(erin.locator("#case-state")).to_have_text("送达")
        case.refresh_from_db()
        decision_number = case.decision.number

        # --- alice makes the 行政处罚决定书 and downloads its PDF ------------------------------------
        page.goto(case_url)
        documents = page.locator("#documents")
        documents.locator("#document-decision summary").click()
        documents.locator("#document-decision button[type=submit]").click()
        expect(documents.locator(".notice")).to_contain_text(f"已制作行政处罚决定书 {decision_number}")
        row = page.locator("#documents tbody tr", has_text="行政处罚决定书")
        expect(row).to_contain_text(decision_number)
        shot(page, "full-03-documents")
        with page.expect_download() as info:
            row.get_by_role("link", name="PDF").click()
        pdf = tmp_path / "decision.pdf"
        info.value.save_as(pdf)
        assert pdf.read_bytes().startswith(b"%PDF")
        text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, check=True,
                              text=True).stdout
        assert decision_number in text
        assert "行政复议" in text

        # --- service, execution and closing through the services; archiving waits for the dossier
        walk(case, cast, until="archive")
        page.goto(case_url)
        expect(page.locator("#case-state")).to_have_text("归档")
        act(page, "archive", {"archive_note": f"卷宗号 {case.number}-卷1"})
        refusal = page.locator("#case-panel [role=alert]").first
        expect(refusal).to_contain_text("案卷材料不齐全")
        expect(page.locator("#case-state")).to_have_text("归档")
        shot(page, "full-04-archive-refused")
        page.goto(f"/staff/cases/{case.pk}/dossier/")  # the dossier page lists the same gaps
        expect(page.locator("#checklist")).to_contain_text("缺：尚未制作")
        shot(page, "full-05-dossier-incomplete")

        # Documents of past steps are made now only as 补正 with a reason (after 结案: the head's).
        issued = issue_dossier_documents(case, cast, correction_reason="归档前补齐案卷材料")
        assert issued, "the dossier had no missing documents to issue"
        page.goto(case_url)
        act(page, "archive", {"archive_note": f"卷宗号 {case.number}-卷1"})
        expect(page.locator("#case-state")).to_have_text("已归档")

        # --- the dossier: complete, exported with a reason, verified offline --------------------
        page.goto(f"/staff/cases/{case.pk}/dossier/")
        expect(page.locator("h1")).to_contain_text(case.number)
        expect(page.locator("main")).not_to_contain_text("缺：")
        page.fill("input[name=reason]", "归档后导出备查")
        shot(page, "full-06-dossier-complete")
        with page.expect_download() as info:
            page.get_by_role("button", name="导出案卷（.zip）").click()
        dossier = tmp_path / info.value.suggested_filename
        info.value.save_as(dossier)
    finally:
        session.close()

    report = verify_dossier(dossier)
    assert report.ok, report.problems
    assert report.case_number == case.number and report.omitted == 0
    with zipfile.ZipFile(dossier) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        evidence = {f["path"].split("-", 1)[1]: f for f in manifest["files"] if f["role"] == "evidence"}
        assert set(evidence) == {"现场照片.jpg", "执法记录仪-现场检查.mp4"}
        assert archive.read(evidence["现场照片.jpg"]["path"]) == PHOTO
        assert archive.read(evidence["执法记录仪-现场检查.mp4"]["path"]) == VIDEO
        assert any(f["role"] == "document" and "行政处罚决定书" in f["title"] for f in manifest["files"])
    assert manifest["case"]["state"] == "archived"

    # the command-line verifier needs neither Django settings nor a database
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8"}
    result = subprocess.run([sys.executable, "-m", "sanxiang.dossier.verify", str(dossier)], env=env, cwd=tmp_path,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "校验通过" in result.stdout
