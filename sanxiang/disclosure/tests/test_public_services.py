"""审核纠错 and the portal's public services: the 报告错误 form (no login, rate-limited), the
agency's answer (a correction or a reasoned reply), the reporter's progress lookup, the staff
page, the early warnings, the decision filters and the officer lookup by certificate number."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from sanxiang.common.alerts import ALERT_RULES
from sanxiang.common.exceptions import RoleNotAllowed, TransitionNotAllowed, ValidationFailed
from sanxiang.common.tracking import TRACKERS, progress_lookup
from sanxiang.disclosure.models import ErrorReport, Publication, PublicationStatus, ReportStatus
from sanxiang.disclosure.reports import report_answer, report_submit
from sanxiang.disclosure.tests.test_portal import published_case
from sanxiang.ledger.models import Entry

TODAY = timezone.localdate()


def receipt(response) -> tuple[str, str]:
    body = response.content.decode()
    number = re.search(r'id="receipt-number">([^<]+)<', body).group(1)
    code = re.search(r'id="receipt-code">([^<]+)<', body).group(1)
    return number, code


@pytest.mark.django_db
class TestErrorReports:
    def test_a_visitor_reports_the_agency_corrects_and_the_reporter_sees_it(self, client, world):
        _, p = published_case(world)
        assert "报告错误" in client.get(reverse("portal:decision", args=[p.pk])).content.decode()
        response = client.post(reverse("portal:decision-report", args=[p.pk]),
                               {"description": "决定书中写明了当事人住址幸福路，应当脱敏", "contact": ""})
        assert response.status_code == 200
        number, code = receipt(response)
        report = ErrorReport.objects.get(number=number)
        assert report.due_on is not None and report.status == ReportStatus.PENDING
        assert Entry.objects.filter(kind="publication.report").count() == 1
        response = client.post(reverse("portal:progress"), {"number": number, "code": code})
        assert response.status_code == 200 and "待处理" in response.content.decode()
        report_answer(report=report, actor=world.dave, correct=True, reply="已补充脱敏住址", extra_redactions=["幸福路"])
        report.refresh_from_db()
        new = report.correction
        assert report.status == ReportStatus.CORRECTED and new.version == 2 and "幸福路" not in new.text
        body = client.post(reverse("portal:progress"), {"number": number, "code": code}).content.decode()
        assert "已更正" in body and "已补充脱敏住址" in body and reverse("portal:decision", args=[new.pk]) in body
        assert client.post(reverse("portal:progress"), {"number": number, "code": "AAAAAAAA"}).status_code == 404

    def test_a_reasoned_reply_leaves_the_publication_as_it_is(self, world):
        _, p = published_case(world)
        report, code = report_submit(publication=p, description="罚款数额写错了")
        report = report_answer(report=report, actor=world.carol, correct=False, reply="经核对，罚款数额与决定书一致")
        p.refresh_from_db()
        assert report.status == ReportStatus.REPLIED and p.status == PublicationStatus.PUBLISHED
        found = progress_lookup(report.number, code)
        assert found.kind == "error_report" and "与决定书一致" in found.outcome and not found.links
        assert "error_report" in TRACKERS and "credit_repair" in TRACKERS

    def test_a_reply_without_reasons_is_refused(self, world):
        _, p = published_case(world)
        report, _ = report_submit(publication=p, description="罚款数额写错了")
        with pytest.raises(ValidationFailed, match="答复纠错报告须说明理由") as exc:
            report_answer(report=report, actor=world.carol, correct=False, reply="")
        assert exc.value.code == "reply_required"
        with pytest.raises(RoleNotAllowed):
            report_answer(report=report, actor=world.alice, correct=False, reply="经核对无误")
        report_answer(report=report, actor=world.carol, correct=False, reply="经核对无误")
        with pytest.raises(TransitionNotAllowed, match="不能再次答复"):
            report_answer(report=report, actor=world.carol, correct=False, reply="经核对无误")

    def test_the_answer_period_is_the_parameter_in_working_days(self, world):
        from sanxiang.common.calendar import add_working_days

        _, p = published_case(world)
        report, _ = report_submit(publication=p, description="当事人姓名有误")
        assert report.due_on == add_working_days(TODAY, 5, what="x")

    def test_an_empty_report_is_refused_on_the_page(self, client, world):
        _, p = published_case(world)
        response = client.post(reverse("portal:decision-report", args=[p.pk]), {"description": ""})
        assert response.status_code == 400 and "请说明公示信息中哪里有误" in response.content.decode()

    def test_the_form_is_rate_limited_per_address(self, client, world, settings):
        settings.RATE_LIMITS = {**settings.RATE_LIMITS, "public_report": "2/hour"}
        _, p = published_case(world)
        url = reverse("portal:decision-report", args=[p.pk])
        assert [client.post(url, {"description": "第几次报告错误"}).status_code for _ in range(3)] == [200, 200, 429]
        assert ErrorReport.objects.count() == 2

    def test_a_withdrawn_decision_takes_no_report(self, client, world):
        from sanxiang.disclosure.lifecycle import publication_withdraw

        _, p = published_case(world)
        publication_withdraw(publication=p, actor=world.erin, ground="revoked", reason="复议撤销决定", occurred_on=TODAY)
        assert client.post(reverse("portal:decision-report", args=[p.pk]), {"description": "报告错误内容"}).status_code == 404


@pytest.mark.django_db
class TestAlerts:
    def test_an_unreleased_publication_past_its_due_date_is_found(self, world):
        from sanxiang.cases.services import case_open
        from sanxiang.cases.walkthrough import Cast, walk
        from sanxiang.testing import citizen_party

        case = case_open(actor=world.alice, item=world.item, party=citizen_party(51), title="占道经营",
                         officers=[world.alice_officer, world.bob_officer], opened_on=TODAY - dt.timedelta(days=40))
        walk(case, Cast(officer=world.alice, unit_head=world.carol, reviewer=world.dave, head=world.erin),
             until="service")
        p = Publication.objects.get(case=case)
        rule = ALERT_RULES["publication_not_released"]
        assert list(rule.find(0, p.due_on - dt.timedelta(days=2))) == []
        findings = list(rule.find(0, p.due_on + dt.timedelta(days=1)))
        assert [f.subject.pk for f in findings] == [p.pk] and "已逾期未公示" in findings[0].text
        assert findings[0].agency_id == world.agency.pk and "agency_head" in findings[0].roles

    def test_a_report_falling_due_is_found(self, world):
        _, p = published_case(world)
        report, _ = report_submit(publication=p, description="当事人姓名有误")
        rule = ALERT_RULES["error_report_due"]
        assert [f.subject.pk for f in rule.find(1, report.due_on)] == [report.pk]
        report_answer(report=report, actor=world.carol, correct=False, reply="经核对无误")
        assert list(rule.find(1, report.due_on)) == []


@pytest.mark.django_db
class TestStaffPages:
    def test_the_agency_handles_reports_and_withdraws_on_its_page(self, client, world):
        _, p = published_case(world)
        report, _ = report_submit(publication=p, description="当事人姓名有误")
        client.force_login(world.carol)
        page = client.get(reverse("publicity:home")).content.decode()
        assert report.number in page and "公示管理" in page
        response = client.post(reverse("publicity:report-answer", args=[report.pk]), {"outcome": "reply", "reply": ""})
        assert response.status_code == 400 and "答复纠错报告须说明理由" in response.content.decode()
        response = client.post(reverse("publicity:withdraw", args=[p.pk]), {"ground": "revoked", "reason": ""})
        assert response.status_code == 400 and "第四十八条" in response.content.decode()
        response = client.post(reverse("publicity:withdraw", args=[p.pk]),
                               {"ground": "revoked", "reason": "行政复议决定撤销", "occurred_on": TODAY.isoformat()})
        assert response.status_code == 302
        p.refresh_from_db()
        assert p.status == PublicationStatus.WITHDRAWN

    def test_officers_are_refused_and_other_agencies_do_not_see_it(self, client, world):
        _, p = published_case(world)
        client.force_login(world.alice)
        assert client.get(reverse("publicity:home")).status_code == 403
        client.force_login(world.mallory)
        assert client.get(reverse("publicity:publication", args=[p.pk])).status_code == 403
        client.force_login(world.sam)
        assert client.get(reverse("publicity:publication", args=[p.pk])).status_code == 200
        assert client.post(reverse("publicity:withdraw", args=[p.pk]),
                           {"ground": "revoked", "reason": "复议撤销", "occurred_on": TODAY.isoformat()}).status_code == 403

    def test_the_menu_has_the_entry_for_heads_only(self, client, world):
        client.force_login(world.erin)
        assert reverse("publicity:home") in client.get(reverse("cases:my_cases")).content.decode()
        client.force_login(world.alice)
        assert reverse("publicity:home") not in client.get(reverse("cases:my_cases")).content.decode()


@pytest.mark.django_db
class TestPortalSearch:
    def test_filters_by_agency_kind_penalty_and_date(self, client, world):
        _, p = published_case(world)
        url = reverse("portal:decisions")

        def found(**q):
            return p.decision_number in client.get(url, q).content.decode()

        assert found() and found(agency=world.agency.code) and not found(agency=world.other_agency.code)
        assert found(kind="行政处罚") and not found(kind="行政许可")
        assert found(penalty="罚款") and not found(penalty="警告")
        day = p.decided_on.isoformat()
        assert found(**{"from": day, "to": day}) and not found(**{"from": (p.decided_on + dt.timedelta(days=1)).isoformat()})
        assert found(**{"from": "not-a-date"})  # a bad date is ignored, never a 500
        assert found(q=p.decision_number) and found(q="欧阳") and not found(q="不存在的当事人")

    def test_the_officer_lookup_takes_the_number_with_or_without_the_province(self, client, world):
        number = world.bob_officer.certificate_no
        assert number[0] == "豫"
        for q in (number, number[1:], number[1:].lower(), f" {number} "):
            assert number in client.get(reverse("portal:officers"), {"q": q}).content.decode(), q

    def test_each_decision_page_links_its_redacted_pdf(self, client, world):
        _, p = published_case(world)
        page = client.get(reverse("portal:decision", args=[p.pk])).content.decode()
        link = reverse("portal:decision-pdf", args=[p.pk])
        assert f'href="{link}"' in page
        response = client.get(link)
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
        assert b"".join(response.streaming_content).startswith(b"%PDF")


@pytest.mark.django_db
class TestApi:
    def test_report_correct_and_withdraw_through_the_api(self, client, world):
        from sanxiang.testing import token_client

        _, p = published_case(world)
        response = client.post(reverse("api-publication-report", args=[p.pk]),
                               {"description": "住址幸福路未脱敏"}, content_type="application/json")
        assert response.status_code == 201 and len(response.json()["code"]) == 8
        response = client.post(reverse("api-publication-report", args=[p.pk]), {"description": ""},
                               content_type="application/json")
        assert response.status_code == 400 and response.json()["error"]["code"] == "description_required"
        head = token_client(world.erin)
        response = head.post(reverse("api-publication-correct", args=[p.pk]), {"reason": ""},
                             content_type="application/json")
        assert response.status_code == 400 and response.json()["error"]["code"] == "reason_required"
        response = head.post(reverse("api-publication-correct", args=[p.pk]),
                             {"reason": "补充脱敏住址", "extra_redactions": ["幸福路"]}, content_type="application/json")
        assert response.status_code == 201 and "幸福路" not in response.json()["text"]
        new_pk = response.json()["id"]
        response = head.post(reverse("api-publication-withdraw", args=[new_pk]),
                             {"ground": "revoked", "reason": "", "occurred_on": TODAY.isoformat()},
                             content_type="application/json")
        assert response.status_code == 400 and "第四十八条" in response.json()["error"]["message"]
        response = head.post(reverse("api-publication-withdraw", args=[new_pk]),
                             {"ground": "revoked", "reason": "复议决定撤销", "occurred_on": TODAY.isoformat()},
                             content_type="application/json")
        assert response.status_code == 200 and response.json()["late"] is False

    def test_credit_repair_through_the_api_checks_the_identity(self, client, world):
        case, p = published_case(world)
        data = {"decision_number": p.decision_number, "identity": "91410100MA00000000", "applicant": "欧阳明远",
                "contact": "138", "statement": "已缴纳罚款并清理现场，消除了影响。"}
        response = client.post(reverse("api-credit-repair"), data, content_type="application/json")
        assert response.status_code == 400 and response.json()["error"]["code"] == "identity_mismatch"
