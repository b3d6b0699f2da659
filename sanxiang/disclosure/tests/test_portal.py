"""Public portal: every page renders in Chinese from public data only; personal data never shows."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from sanxiang.cases.services import case_open
from sanxiang.cases.walkthrough import Cast, walk
from sanxiang.common.services import record_save
from sanxiang.disclosure.models import Publication
from sanxiang.disclosure.services import publication_publish
from sanxiang.testing import citizen_party

TODAY = timezone.localdate()


def published_case(world, name="欧阳明远"):
    party = citizen_party(41, name=name)
    case = case_open(actor=world.alice, item=world.item, party=party,
                     officers=[world.alice_officer, world.bob_officer], title="擅自倾倒建筑垃圾",
                     opened_on=TODAY - dt.timedelta(days=30))
    case = walk(case, Cast(officer=world.alice, unit_head=world.carol, reviewer=world.dave, head=world.erin),
                fine=800, until="service",
                facts=f"经查，{name}（身份证号码{party['id_number']}，电话{party['phone']}）于幸福路倾倒建筑垃圾。")
    publication = publication_publish(publication=Publication.objects.get(case=case), actor=world.carol)
    return case, publication


@pytest.mark.django_db
class TestPages:
    def test_every_portal_page_renders(self, client, world):
        _, publication = published_case(world)
        for url in (reverse("portal:home"), reverse("portal:agencies"), reverse("portal:agency", args=["city-um"]),
                    reverse("portal:officers"), reverse("portal:items"), reverse("portal:item", args=[world.item.pk]),
                    reverse("portal:flow", args=["penalty_general"]), reverse("portal:decisions"),
                    reverse("portal:decision", args=[publication.pk])):
            response = client.get(url)
            assert response.status_code == 200, url
            assert "行政执法公示平台" in response.content.decode(), url

    def test_unknown_agency_item_and_decision_are_404(self, client, world):
        assert client.get(reverse("portal:agency", args=["nope"])).status_code == 404
        assert client.get(reverse("portal:item", args=[999999])).status_code == 404
        assert client.get(reverse("portal:decision", args=[999999])).status_code == 404


@pytest.mark.django_db
class TestOfficerDirectory:
    def test_search_by_name_shows_certificate_and_validity_but_no_personal_data(self, client, world):
        officer = world.alice_officer
        body = client.get(reverse("portal:officers"), {"q": "艾丽"}).content.decode()
        assert officer.certificate_no in body and "有效" in body and world.agency.name in body
        assert officer.id_number not in body and officer.phone not in body

    def test_search_by_certificate_number(self, client, world):
        body = client.get(reverse("portal:officers"), {"q": world.bob_officer.certificate_no}).content.decode()
        assert "鲍勃" in body and "艾丽" not in body

    def test_expired_certificate_is_shown_invalid(self, client, world):
        officer = world.bob_officer
        officer.valid_from, officer.valid_to = TODAY - dt.timedelta(days=800), TODAY - dt.timedelta(days=1)
        record_save(officer, actor="test")
        body = client.get(reverse("portal:officers"), {"q": "鲍勃"}).content.decode()
        assert "无效（已过期）" in body

    def test_unknown_person_is_reported_as_not_found(self, client, world):
        body = client.get(reverse("portal:officers"), {"q": "冒充者"}).content.decode()
        assert "未查到该执法人员" in body


@pytest.mark.django_db
class TestItems:
    def test_item_page_shows_basis_and_the_flow_steps_of_the_engine(self, client, world):
        body = client.get(reverse("portal:item", args=[world.item.pk])).content.decode()
        assert "《城市市容和环境卫生管理条例》第十六条" in body and "处罚依据" in body
        for step in ("立案", "调查取证", "案件审查", "事先告知与陈述申辩", "听证", "法制审核", "决定", "送达", "归档"):
            assert f"<h3>{step}" in body, step
        assert "承办机构负责人" in body and "属于重大执法决定法制审核目录的，转入“法制审核”" in body
        assert "期限 5个工作日" in body  # the review period, from the parameters in force
        assert "hearing_requested" not in body and "unit_head" not in body  # no engine codes in public text

    def test_item_list_filters_by_agency(self, client, world):
        body = client.get(reverse("portal:items"), {"agency": "city-um"}).content.decode()
        assert world.item.name in body
        body = client.get(reverse("portal:items"), {"agency": "other-env"}).content.decode()
        assert world.item.name not in body


@pytest.mark.django_db
class TestDecisions:
    def test_decision_page_shows_redacted_text_ledger_index_and_proof(self, client, world):
        case, publication = published_case(world)
        body = client.get(reverse("portal:decision", args=[publication.pk])).content.decode()
        assert publication.decision_number in body and "欧阳某" in body
        assert f'id="ledger-index">{publication.ledger_index}<' in body
        assert f"/transparency/v1/proof/inclusion?index={publication.ledger_index}" in body
        assert "portal/verify" in body and 'id="verify-button"' in body
        assert "罚款人民币800.00元" in body

    def test_portal_never_shows_the_citizens_name_id_number_address_or_phone(self, client, world):
        case, publication = published_case(world)
        party = case.party
        pages = [reverse("portal:home"), reverse("portal:decisions"), reverse("portal:decision", args=[publication.pk]),
                 reverse("portal:agency", args=["city-um"])]
        pages.append(reverse("portal:decisions") + "?q=欧阳")
        for url in pages:
            body = client.get(url).content.decode()
            for secret in (party.name, party.id_number, party.address, party.phone):
                assert secret not in body, (url, secret)

    def test_pending_publication_is_not_public(self, client, world):
        case = case_open(actor=world.alice, item=world.item, party=citizen_party(), title="倾倒",
                         officers=[world.alice_officer, world.bob_officer], opened_on=TODAY - dt.timedelta(days=30))
        walk(case, Cast(officer=world.alice, unit_head=world.carol, reviewer=world.dave, head=world.erin),
             fine=800, until="service")
        publication = Publication.objects.get(case=case)
        assert client.get(reverse("portal:decision", args=[publication.pk])).status_code == 404
        assert publication.decision_number not in client.get(reverse("portal:decisions")).content.decode()

    def test_search_finds_by_decision_number(self, client, world):
        _, publication = published_case(world)
        body = client.get(reverse("portal:decisions"), {"q": publication.decision_number}).content.decode()
        assert reverse("portal:decision", args=[publication.pk]) in body
