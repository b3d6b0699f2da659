"""Staff UI: pages render, actions run through the services, refusals keep what was typed."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from sanxiang.cases.models import Case
from sanxiang.cases.services import case_open, case_transition
from sanxiang.cases.walkthrough import Cast, walk
from sanxiang.disclosure.models import Publication
from sanxiang.testing import citizen_id, citizen_party

TODAY = timezone.localdate()
HTMX = {"HTTP_HX_REQUEST": "true"}


def open_case(world, opened_on=None, party=None):
    return case_open(actor=world.alice, item=world.item, party=party or citizen_party(),
                     officers=[world.alice_officer, world.bob_officer], title="擅自倾倒建筑垃圾",
                     opened_on=opened_on or TODAY - dt.timedelta(days=20))


def approve_filing(world, case):
    case_transition(case=case, action="approve_filing", actor=world.carol, data={"filing_opinion": "同意立案"})


def login(client, user):
    client.force_login(user)
    return client


def cast(world):
    return Cast(officer=world.alice, unit_head=world.carol, reviewer=world.dave, head=world.erin)


@pytest.mark.django_db
class TestLoginAndMyCases:
    def test_login_page_logs_in_and_lands_on_my_cases(self, client, world):
        page = client.get(reverse("accounts:login"))
        assert page.status_code == 200 and "工作人员登录" in page.content.decode()
        response = client.post(reverse("accounts:login"), {"username": "alice", "password": "pass12345"})
        assert response.status_code == 302 and response.url == reverse("cases:my_cases")

    def test_wrong_password_is_said_in_chinese(self, client, world):
        response = client.post(reverse("accounts:login"), {"username": "alice", "password": "nope"})
        assert "用户名或密码错误" in response.content.decode()

    def test_anonymous_is_sent_to_login(self, client, world):
        response = client.get(reverse("cases:my_cases"))
        assert response.status_code == 302 and reverse("accounts:login") in response.url

    def test_queue_shows_the_case_waiting_for_the_unit_head_with_its_due_dates(self, client, world):
        case = open_case(world)
        body = login(client, world.carol).get(reverse("cases:my_cases")).content.decode()
        assert case.number in body and "待办案件" in body
        assert f"{case.decision_due:%Y-%m-%d}" in body and "正常" in body

    def test_overdue_case_is_flagged(self, client, world):
        case = open_case(world, opened_on=TODAY - dt.timedelta(days=120))
        body = login(client, world.alice).get(reverse("cases:my_cases")).content.decode()
        assert case.number in body and "已超过决定期限" in body


@pytest.mark.django_db
class TestOpenCase:
    def form(self, world, **overrides):
        data = {"item": world.item.pk, "procedure": "general", "title": "未按规定倾倒建筑垃圾",
                "opened_on": TODAY.isoformat(), "source": "日常巡查",
                "officers": [world.alice_officer.pk, world.bob_officer.pk], "party_kind": "citizen",
                "party_name": "张三丰", "party_id_number": citizen_id(7), "party_address": "测试市幸福路8号"}
        data.update(overrides)
        return data

    def test_form_renders_items_and_officers(self, client, world):
        body = login(client, world.alice).get(reverse("cases:new")).content.decode()
        assert world.item.name in body and world.bob_officer.certificate_no in body and "当事人类型" in body

    def test_officer_opens_a_case(self, client, world):
        response = login(client, world.alice).post(reverse("cases:new"), self.form(world))
        case = Case.objects.get()
        assert response.status_code == 302 and response.url == reverse("cases:detail", args=[case.pk])
        assert case.party.name == "张三丰" and case.opened_on == TODAY and case.state == "filing"

    def test_opening_date_in_the_past_is_kept(self, client, world):
        login(client, world.alice).post(reverse("cases:new"), self.form(world, opened_on="2026-01-05"))
        assert Case.objects.get().opened_on == dt.date(2026, 1, 5)

    def test_bad_id_number_is_shown_next_to_the_field_and_values_are_kept(self, client, world):
        response = login(client, world.alice).post(reverse("cases:new"), self.form(world, party_id_number="410302198506120000"))
        body = response.content.decode()
        assert response.status_code == 400 and not Case.objects.exists()
        assert 'id="party_id_number-error"' in body and "身份" in body
        assert 'value="未按规定倾倒建筑垃圾"' in body and 'value="测试市幸福路8号"' in body
        assert f'value="{world.bob_officer.pk}" checked' in body

    def test_one_officer_is_refused_in_chinese_next_to_the_officers(self, client, world):
        response = login(client, world.alice).post(reverse("cases:new"), self.form(world, officers=[world.alice_officer.pk]))
        body = response.content.decode()
        assert response.status_code == 400 and 'id="officers-error"' in body and "第四十二条" in body

    def test_non_officer_may_not_open(self, client, world):
        response = login(client, world.carol).get(reverse("cases:new"))
        assert response.status_code == 403 and "须由执法人员办理" in response.content.decode()


@pytest.mark.django_db
class TestCasePage:
    def test_page_shows_state_progress_deadlines_history_and_the_forms_of_the_flow(self, client, world):
        case = open_case(world)
        body = login(client, world.carol).get(reverse("cases:detail", args=[case.pk])).content.decode()
        assert case.number in body and 'id="case-state">立案<' in body
        assert "调查取证" in body and "法制审核" in body  # the progress lists every step of the flow
        assert f"{case.decision_due:%Y-%m-%d}" in body
        event = case.events.get()
        assert f"#{event.ledger_index}" in body and "立案登记" in body
        # carol (unit head) gets one form per action of the step, built from the field specs
        assert 'data-action="approve_filing"' in body and 'data-action="reject_filing"' in body
        assert 'name="filing_opinion"' in body and "立案审批意见" in body

    def test_investigation_form_has_every_field_type_it_declares(self, client, world):
        case = open_case(world)
        approve_filing(world, case)
        body = login(client, world.alice).get(reverse("cases:detail", args=[case.pk])).content.decode()
        assert '<textarea id="submit_investigation-facts" name="facts"' in body
        assert 'type="checkbox" name="proposed_penalty_kinds" value="fine"' in body
        assert 'type="number" id="submit_investigation-proposed_fine"' in body
        assert 'name="flagged_complex"' in body

    def test_missing_field_shows_the_chinese_message_and_keeps_the_other_values(self, client, world):
        case = open_case(world)
        approve_filing(world, case)
        url = reverse("cases:action", args=[case.pk, "submit_investigation"])
        data = {"facts": "经查，当事人于某日在幸福路倾倒建筑垃圾约三立方米。", "investigation_report": "调查终结，建议罚款。",
                "proposed_fine": "800", "flagged_complex": "on"}
        response = login(client, world.alice).post(url, data)
        body = response.content.decode()
        assert response.status_code == 400
        assert "“拟处罚种类”为必填项" in body
        assert '<p class="field-error">“拟处罚种类”为必填项' in body  # next to the field it names
        assert "经查，当事人于某日在幸福路倾倒建筑垃圾约三立方米。</textarea>" in body
        assert 'value="800"' in body and 'name="flagged_complex" checked' in body
        case.refresh_from_db()
        assert case.state == "investigation"

    def test_htmx_post_gets_the_panel_alone_with_the_error(self, client, world):
        case = open_case(world)
        approve_filing(world, case)
        url = reverse("cases:action", args=[case.pk, "submit_investigation"])
        response = login(client, world.alice).post(url, {"facts": "事实"}, **HTMX)
        body = response.content.decode()
        assert response.status_code == 400 and body.startswith('<div id="case-panel"') and "<html" not in body
        assert "“调查终结报告”为必填项" in body

    def test_action_posts_then_redirects_with_the_ledger_index(self, client, world):
        case = open_case(world)
        url = reverse("cases:action", args=[case.pk, "approve_filing"])
        response = login(client, world.carol).post(url, {"filing_opinion": "符合立案条件，同意立案。"}, follow=True)
        body = response.content.decode()
        event = case.events.get(action="approve_filing")
        assert f"已办理“批准立案”，日志序号 #{event.ledger_index}" in body
        assert 'id="case-state">调查取证<' in body and "符合立案条件，同意立案。" in body  # in the history

    def test_htmx_success_returns_the_fresh_panel(self, client, world):
        case = open_case(world)
        url = reverse("cases:action", args=[case.pk, "approve_filing"])
        response = login(client, world.carol).post(url, {"filing_opinion": "同意"}, **HTMX)
        body = response.content.decode()
        assert response.status_code == 200 and 'class="notice"' in body and 'id="case-state">调查取证<' in body

    def test_role_refusal_is_shown_in_chinese(self, client, world):
        case = open_case(world)
        url = reverse("cases:action", args=[case.pk, "approve_filing"])
        response = login(client, world.alice).post(url, {"filing_opinion": "自己批"})
        assert response.status_code == 403 and "须由承办机构负责人办理" in response.content.decode()

    def test_supervisor_sees_the_case_but_gets_no_form(self, client, world):
        case = open_case(world)
        body = login(client, world.sam).get(reverse("cases:detail", args=[case.pk])).content.decode()
        assert case.number in body and "action-form" not in body
        assert "“立案”环节由承办机构负责人办理" in body

    def test_decision_step_offers_the_head_the_proposed_penalty(self, client, world):
        case = walk(open_case(world, opened_on=TODAY - dt.timedelta(days=30)), cast(world), fine=800, until="decision")
        body = login(client, world.erin).get(reverse("cases:detail", args=[case.pk])).content.decode()
        assert 'name="penalty_kinds" value="fine" checked' in body and 'value="800.00"' in body


@pytest.mark.django_db
class TestOtherAgency:
    def test_mallory_gets_404_everywhere_on_a_case_of_another_agency(self, client, world):
        case = open_case(world)
        login(client, world.mallory)
        assert client.get(reverse("cases:detail", args=[case.pk])).status_code == 404
        assert client.post(reverse("cases:action", args=[case.pk, "submit_investigation"]), {}).status_code == 404
        upload = SimpleUploadedFile("a.jpg", b"x", content_type="image/jpeg")
        assert client.post(reverse("cases:evidence_upload", args=[case.pk]), {"file": upload, "kind": "photo"}).status_code == 404
        assert case.number not in client.get(reverse("cases:my_cases")).content.decode()

    def test_mallory_cannot_release_another_agencys_publication(self, client, world):
        case = walk(open_case(world, opened_on=TODAY - dt.timedelta(days=30)), cast(world), fine=800, until="service")
        publication = Publication.objects.get(case=case)
        login(client, world.mallory)
        assert client.post(reverse("cases:publish", args=[publication.pk])).status_code == 404
        publication.refresh_from_db()
        assert publication.status == "pending"


@pytest.mark.django_db
class TestEvidence:
    def test_officer_uploads_and_sees_it_listed_with_its_hash(self, client, world):
        case = open_case(world)
        login(client, world.alice)
        upload = SimpleUploadedFile("现场照片.jpg", b"\xff\xd8\xff fake jpeg", content_type="image/jpeg")
        response = client.post(reverse("cases:evidence_upload", args=[case.pk]),
                               {"file": upload, "kind": "photo", "description": "现场"}, follow=True)
        body = response.content.decode()
        evidence = case.evidence.get()
        assert "已上传证据：现场照片.jpg" in body and evidence.file.sha256[:16] in body
        download = client.get(reverse("cases:evidence_download", args=[case.pk, evidence.pk]))
        assert b"".join(download.streaming_content) == b"\xff\xd8\xff fake jpeg"

    def test_missing_file_is_said_next_to_the_file_field_and_description_kept(self, client, world):
        case = open_case(world)
        response = login(client, world.alice).post(reverse("cases:evidence_upload", args=[case.pk]),
                                                   {"kind": "video", "description": "执法记录仪视频"})
        body = response.content.decode()
        assert response.status_code == 400 and "请选择要上传的文件" in body
        assert 'value="执法记录仪视频"' in body and '<option value="video" selected>' in body


@pytest.mark.django_db
class TestPublicationRelease:
    def decided(self, world):
        return walk(open_case(world, opened_on=TODAY - dt.timedelta(days=30)), cast(world), fine=800, until="service")

    def test_unit_head_releases_from_the_case_page(self, client, world):
        case = self.decided(world)
        publication = Publication.objects.get(case=case)
        login(client, world.carol)
        page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
        assert "审核并公示" in page and publication.party_name in page
        response = client.post(reverse("cases:publish", args=[publication.pk]),
                               {"next": reverse("cases:detail", args=[case.pk])}, follow=True)
        publication.refresh_from_db()
        assert publication.status == "published" and publication.ledger_index is not None
        assert f"已公示：{publication.decision_number}" in response.content.decode()

    def test_htmx_release_answers_with_the_panel(self, client, world):
        case = self.decided(world)
        publication = Publication.objects.get(case=case)
        response = login(client, world.erin).post(reverse("cases:publish", args=[publication.pk]), **HTMX)
        body = response.content.decode()
        assert response.status_code == 200 and body.startswith('<div id="case-panel"') and "已公示" in body

    def test_officer_may_not_release(self, client, world):
        case = self.decided(world)
        publication = Publication.objects.get(case=case)
        response = login(client, world.alice).post(reverse("cases:publish", args=[publication.pk]), follow=True)
        publication.refresh_from_db()
        assert publication.status == "pending" and "公示审核须由" in response.content.decode()

    def test_next_pointing_elsewhere_is_ignored(self, client, world):
        case = self.decided(world)
        publication = Publication.objects.get(case=case)
        response = login(client, world.carol).post(reverse("cases:publish", args=[publication.pk]),
                                                   {"next": "https://evil.example/"})
        assert response.status_code == 302 and response.url == reverse("cases:my_cases")

    def test_pending_publication_is_listed_for_heads(self, client, world):
        case = self.decided(world)
        publication = Publication.objects.get(case=case)
        body = login(client, world.carol).get(reverse("cases:my_cases")).content.decode()
        assert "待审核公示" in body and publication.decision_number in body
