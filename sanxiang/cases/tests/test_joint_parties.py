"""共同违法: several parties in one case, each with its own penalty, and the rules that concern
"the party" applied to each of them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from sanxiang.cases.facts import hearing_parties, hearing_right
from sanxiang.cases.models import Case, CaseParty
from sanxiang.cases.services import case_open, case_transition
from sanxiang.cases.walkthrough import Cast, walk
from sanxiang.common.exceptions import ValidationFailed
from sanxiang.documents.selectors import decision_text
from sanxiang.ledger.verification import verify_all
from sanxiang.reviews.selectors import review_matches
from sanxiang.testing import OfficerFactory, citizen_id, citizen_party, joint_parties, org_party

TODAY = timezone.localdate()
OPENED = TODAY - dt.timedelta(days=40)


def open_joint(world, parties=None, procedure="general", opened_on=OPENED):
    return case_open(actor=world.alice, item=world.item, title="共同擅自倾倒建筑垃圾", opened_on=opened_on,
                     officers=[world.alice_officer, world.bob_officer], procedure=procedure,
                     parties=parties or joint_parties())


def cast(world):
    host = OfficerFactory(agency=world.agency, name="韩主持")
    return Cast(officer=world.alice, unit_head=world.carol, reviewer=world.dave, head=world.erin,
                hearing_host_officer_id=host.pk)


def decide_data(case, rows, fine="500"):
    return {"decided_on": (TODAY - dt.timedelta(days=20)).isoformat(), "penalty_kinds": ["fine"], "fine_amount": fine,
            "reasons": "依据《城市市容和环境卫生管理条例》第三十四条", "party_penalties": rows}


@pytest.mark.django_db
class TestSeveralParties:
    def test_a_case_lists_its_parties_in_order(self, world):
        case = open_joint(world)
        links = case.party_links()
        assert [link.party.name for link in links] == ["张三丰", org_party(9)["name"]]
        assert {link.role for link in links} == {CaseParty.Role.JOINT}
        assert case.party.name == "张三丰" and case.party_names == f"张三丰、{org_party(9)['name']}"

    def test_each_party_gets_its_own_penalty_in_the_decision_and_the_decision_text(self, world):
        case = walk(open_joint(world), cast(world), fine=800, until="service", party_fines=(300, 800))
        decision = case.decision
        rows = decision.party_penalties()
        assert [(r.party.name, r.fine_amount) for r in rows] == [("张三丰", Decimal("300")),
                                                                 (org_party(9)["name"], Decimal("800"))]
        assert decision.fine_amount == Decimal("1100")  # 罚款合计, the case's total
        text = decision_text(decision)
        assert "本机关决定对各当事人分别作出如下行政处罚" in text
        assert "（一）对张三丰：罚款人民币300.00元" in text and f"（二）对{org_party(9)['name']}：罚款人民币800.00元" in text
        assert "当事人1：张三丰" in text and "当事人2：" in text and "你们" in text
        assert verify_all().ok

    def test_a_decision_without_each_partys_penalty_is_refused_and_changes_nothing(self, world):
        case = walk(open_joint(world), cast(world), fine=800, until="decision")
        data = decide_data(case, None)
        with pytest.raises(ValidationFailed) as err:
            case_transition(case=case, action="decide", actor=world.erin, data=data)
        assert err.value.field == "party_penalties" and err.value.code == "penalty_per_party_missing"
        assert "第五条" in err.value.message and "张三丰" in err.value.message
        case.refresh_from_db()
        assert case.state == "decision" and not hasattr(case, "decision")

    def test_a_missing_party_or_a_stranger_is_refused(self, world):
        case = walk(open_joint(world), cast(world), fine=800, until="decision")
        first, second = case.parties_in_order()
        only_one = [{"party": first.pk, "penalty_kinds": ["fine"], "fine_amount": "300"}]
        with pytest.raises(ValidationFailed) as err:
            case_transition(case=case, action="decide", actor=world.erin, data=decide_data(case, only_one))
        assert err.value.code == "penalty_per_party_missing" and second.name in err.value.message
        stranger = open_joint(world, parties=[citizen_party(30, name="王五")]).party
        rows = [*only_one, {"party": second.pk, "penalty_kinds": ["warning"], "fine_amount": ""},
                {"party": stranger.pk, "penalty_kinds": ["warning"], "fine_amount": ""}]
        with pytest.raises(ValidationFailed) as err:
            case_transition(case=case, action="decide", actor=world.erin, data=decide_data(case, rows))
        assert err.value.code == "penalty_party_unknown"

    def test_not_heavier_than_notified_is_measured_per_party(self, world):
        case = walk(open_joint(world), cast(world), fine=800, until="decision")
        first, second = case.parties_in_order()
        # Each within the notified 800 (their sum is not what was notified to each).
        fine_each = [{"party": first.pk, "penalty_kinds": ["fine"], "fine_amount": "800"},
                     {"party": second.pk, "penalty_kinds": ["fine"], "fine_amount": "900"}]
        with pytest.raises(ValidationFailed) as err:
            case_transition(case=case, action="decide", actor=world.erin, data=decide_data(case, fine_each))
        assert err.value.code == "heavier_than_notified" and second.name in err.value.message
        fine_each[1]["fine_amount"] = "800"
        case_transition(case=case, action="decide", actor=world.erin, data=decide_data(case, fine_each))
        case.refresh_from_db()
        assert case.state == "service" and case.fine_amount == Decimal("1600")

    def test_fine_and_kinds_must_agree_for_each_party(self, world):
        case = walk(open_joint(world), cast(world), fine=800, until="decision")
        first, second = case.parties_in_order()
        rows = [{"party": first.pk, "penalty_kinds": ["fine"], "fine_amount": ""},
                {"party": second.pk, "penalty_kinds": ["fine"], "fine_amount": "500"}]
        with pytest.raises(ValidationFailed) as err:
            case_transition(case=case, action="decide", actor=world.erin, data=decide_data(case, rows))
        assert err.value.code == "fine_required" and first.name in err.value.message


@pytest.mark.django_db
class TestRulesPerParty:
    def test_hearing_right_when_any_party_has_it(self, world):
        """第六十三条 is each party's right: 6,000 yuan is a 较大数额 for a citizen (≥ 5,000) but not
        for an organisation (≥ 100,000); one party with the right is enough to offer a hearing."""
        case = walk(open_joint(world), cast(world), fine=6000, until="notice")
        assert hearing_right(case)
        assert [p.name for p in hearing_parties(case)] == ["张三丰"]
        from sanxiang.documents.services import document_issue

        notice = document_issue(case=case, kind="hearing_right_notice", actor=world.alice)
        assert notice.content["blocks"][0]["text"] == "张三丰："  # addressed to the party with the right
        org_only = walk(open_joint(world, parties=[org_party(9), org_party(11, name="测试市另一公司")]), cast(world),
                        fine=6000, until="notice")
        assert not hearing_right(org_only)

    def test_simple_procedure_limits_apply_to_each_party(self, world):
        """第五十一条: 二百元以下 for each citizen; two citizens fined 150 each (300 together) may be
        dealt with on the spot, one of them fined 300 may not."""
        case = open_joint(world, parties=[citizen_party(7), citizen_party(8, name="李四")], procedure="simple",
                          opened_on=TODAY)
        first, second = case.parties_in_order()
        data = {"facts": "两人共同在人行道上乱扔垃圾。", "decided_on": TODAY.isoformat(), "penalty_kinds": ["fine"],
                "fine_amount": "300", "reasons": "依据《城市市容和环境卫生管理条例》第三十四条", "statement": "无异议",
                "party_penalties": [{"party": first.pk, "penalty_kinds": ["fine"], "fine_amount": "150"},
                                    {"party": second.pk, "penalty_kinds": ["fine"], "fine_amount": "300"}]}
        with pytest.raises(ValidationFailed) as err:
            case_transition(case=case, action="decide_on_spot", actor=world.alice, data=data)
        assert err.value.code == "simple_fine_too_high" and "李四" in err.value.message
        assert "每名当事人" in err.value.message
        data["party_penalties"][1]["fine_amount"] = "150"
        case_transition(case=case, action="decide_on_spot", actor=world.alice, data=data)
        case.refresh_from_db()
        assert case.decision.fine_amount == Decimal("300")
        assert [r.fine_amount for r in case.decision.party_penalties()] == [Decimal("150"), Decimal("150")]

    def test_the_review_catalogue_measures_each_partys_fine_against_its_scope(self, world):
        """Catalogue: citizens ≥ 10,000, organisations ≥ 100,000. Two citizens proposed 6,000 each
        (12,000 together) are not in it; a citizen and an organisation at 20,000 are (citizen entry)."""
        two_citizens = walk(open_joint(world, parties=[citizen_party(7), citizen_party(8, name="李四")]), cast(world),
                            fine=6000, until="examination")
        assert not any("自然人" in m for m in review_matches(two_citizens))
        mixed = walk(open_joint(world), cast(world), fine=20000, until="examination")
        matches = review_matches(mixed)
        assert any("自然人" in m for m in matches) and not any("法人" in m for m in matches)

    def test_every_party_is_checked_at_filing(self, world):
        case = open_joint(world)
        case_transition(case=case, action="approve_filing", actor=world.carol, data={"filing_opinion": "同意"})
        assert Case.objects.get(pk=case.pk).state == "investigation"


@pytest.mark.django_db
class TestForms:
    def test_the_officer_adds_a_party_and_opens_a_joint_case(self, client, world):
        client.force_login(world.alice)
        base = {"item": world.item.pk, "procedure": "general", "title": "共同倾倒建筑垃圾", "opened_on": TODAY.isoformat(),
                "officers": [world.alice_officer.pk, world.bob_officer.pk], "party_count": "1",
                "party_kind": "citizen", "party_name": "张三丰", "party_id_number": citizen_id(7)}
        added = client.post(reverse("cases:new"), {**base, "add_party": "1"})
        body = added.content.decode()
        assert added.status_code == 200 and not Case.objects.exists()
        assert 'name="party2_name"' in body and 'value="张三丰"' in body and 'name="party_count" value="2"' in body
        org = org_party(9)
        response = client.post(reverse("cases:new"), {**base, "party_count": "2", "party2_kind": org["kind"],
                                                       "party2_name": org["name"], "party2_uscc": org["uscc"]})
        case = Case.objects.get()
        assert response.status_code == 302
        assert [p.name for p in case.parties_in_order()] == ["张三丰", org["name"]]

    def test_a_refusal_about_the_second_party_is_shown_beside_its_field(self, client, world):
        client.force_login(world.alice)
        response = client.post(reverse("cases:new"), {
            "item": world.item.pk, "title": "共同倾倒", "opened_on": TODAY.isoformat(),
            "officers": [world.alice_officer.pk, world.bob_officer.pk], "party_count": "2",
            "party_kind": "citizen", "party_name": "张三丰", "party_id_number": citizen_id(7),
            "party2_kind": "legal_person", "party2_name": "某公司", "party2_uscc": "91410300MA00000000"})
        body = response.content.decode()
        assert response.status_code == 400 and not Case.objects.exists()
        assert 'id="party2_uscc-error"' in body and 'value="某公司"' in body

    def test_the_decide_form_asks_each_partys_penalty_and_records_it(self, client, world):
        case = walk(open_joint(world), cast(world), fine=800, until="decision")
        client.force_login(world.erin)
        page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
        first, second = case.parties_in_order()
        assert f'name="party_penalties.{first.pk}.fine_amount"' in page
        assert f'name="party_penalties.{second.pk}.penalty_kinds"' in page
        response = client.post(reverse("cases:action", args=[case.pk, "decide"]), {
            "decided_on": (TODAY - dt.timedelta(days=20)).isoformat(), "penalty_kinds": ["fine"], "fine_amount": "800",
            "reasons": "依据《城市市容和环境卫生管理条例》第三十四条",
            f"party_penalties.{first.pk}.party": first.pk, f"party_penalties.{first.pk}.penalty_kinds": ["fine"],
            f"party_penalties.{first.pk}.fine_amount": "200",
            f"party_penalties.{second.pk}.party": second.pk,
            f"party_penalties.{second.pk}.penalty_kinds": ["warning", "fine"],
            f"party_penalties.{second.pk}.fine_amount": "700"})
        # 警告 was not notified: refused beside the per-party rows, what was typed kept.
        body = response.content.decode()
        assert response.status_code == 400 and "事先告知未载明的处罚种类：警告" in body
        assert 'class="field field-wide party-penalties has-error"' in body and 'value="700"' in body
        response = client.post(reverse("cases:action", args=[case.pk, "decide"]), {
            "decided_on": (TODAY - dt.timedelta(days=20)).isoformat(), "penalty_kinds": ["fine"], "fine_amount": "800",
            "reasons": "依据《城市市容和环境卫生管理条例》第三十四条",
            f"party_penalties.{first.pk}.party": first.pk, f"party_penalties.{first.pk}.penalty_kinds": ["fine"],
            f"party_penalties.{first.pk}.fine_amount": "200",
            f"party_penalties.{second.pk}.party": second.pk, f"party_penalties.{second.pk}.penalty_kinds": ["fine"],
            f"party_penalties.{second.pk}.fine_amount": "700"})
        body = response.content.decode()
        assert response.status_code == 302, body[body.find("error-summary"):body.find("error-summary") + 600]
        case.refresh_from_db()
        rows = case.decision.party_penalties()
        assert [(r.penalty_kinds, r.fine_amount) for r in rows] == [(["fine"], Decimal("200")),
                                                                    (["fine"], Decimal("700"))]
        assert case.penalty_kinds == ["fine"] and case.fine_amount == Decimal("900")
        detail = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
        assert "决定书尚未制作" in detail and "各当事人的处罚" in detail

    def test_the_api_opens_a_joint_case_and_lists_its_parties(self, world):
        from rest_framework.test import APIClient

        client = APIClient()
        client.force_authenticate(world.alice)
        response = client.post("/api/cases/", {
            "item": world.item.code, "title": "共同倾倒", "officers": [world.alice_officer.certificate_no,
                                                                    world.bob_officer.certificate_no],
            "parties": [citizen_party(7), org_party(9)]}, format="json")
        assert response.status_code == 201, response.content
        assert [p["name"] for p in response.json()["parties"]] == ["张三丰", org_party(9)["name"]]
        bad = client.post("/api/cases/", {
            "item": world.item.code, "title": "共同倾倒", "officers": [world.alice_officer.certificate_no,
                                                                    world.bob_officer.certificate_no],
            "parties": [citizen_party(7), {**org_party(9), "name": "别的名称"}]}, format="json")
        assert bad.status_code == 400 and bad.json()["error"]["field"] == "party2.name"



@pytest.mark.django_db
@pytest.mark.parametrize("rows", ["abc", [{"party": "x"}], [{"party": 1, "penalty_kinds": ["nope"]}],
                                  [{"party": 1, "penalty_kinds": ["fine"], "fine_amount": "-5"}]])
def test_malformed_per_party_penalties_are_refused_by_the_api_not_crashed(world, rows):
    from rest_framework.test import APIClient

    case = walk(open_joint(world), cast(world), fine=800, until="decision")
    client = APIClient()
    client.force_authenticate(world.erin)
    response = client.post(f"/api/cases/{case.pk}/actions/decide/", decide_data(case, rows), format="json")
    assert response.status_code == 400 and response.json()["error"]["field"] == "party_penalties"
    assert Case.objects.get(pk=case.pk).state == "decision"
