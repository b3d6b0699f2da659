"""One party record per ID number / USCC across cases and agencies (集中储存): reuse, refusal of
another name, the rename of an organisation with its evidence, and the party page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from sanxiang.cases.models import Case, Party, PartyName
from sanxiang.cases.parties import party_rename
from sanxiang.cases.services import case_open
from sanxiang.common.exceptions import RoleNotAllowed, ValidationFailed
from sanxiang.ledger.models import Entry
from sanxiang.ledger.verification import verify_all
from sanxiang.testing import citizen_party, item_for, org_party

OPENED = timezone.localdate() - dt.timedelta(days=10)


def open_case(world, *, actor=None, item=None, officers=None, **parties):
    actor = actor or world.alice
    return case_open(actor=actor, item=item or world.item, title="擅自倾倒建筑垃圾", opened_on=OPENED,
                     officers=officers or [world.alice_officer, world.bob_officer], **parties)


@pytest.mark.django_db
class TestOneRecordPerNumber:
    def test_a_known_number_reuses_the_party_record(self, world):
        first = open_case(world, party=citizen_party(7))
        second = open_case(world, party=citizen_party(7))
        assert first.party.pk == second.party.pk
        assert Party.objects.filter(id_number=citizen_party(7)["id_number"]).count() == 1

    def test_the_same_number_under_another_name_is_refused_naming_the_field_and_rule(self, world):
        open_case(world, party=citizen_party(7, name="张三丰"))
        cases_before = Case.objects.count()
        for other in ("张三", "李四"):
            with pytest.raises(ValidationFailed) as err:
                open_case(world, party=citizen_party(7, name=other))
            assert err.value.field == "party.name" and err.value.code == "party_number_other_name"
            assert "张三丰" in err.value.message and "一个证件号码对应一个当事人" in err.value.rule
        assert Case.objects.count() == cases_before  # nothing saved by the refusals
        assert Party.objects.count() == 1

    def test_names_are_compared_as_typed_on_any_keyboard(self, world):
        open_case(world, party=org_party(9, name="测试市宏达（集团）有限公司"))
        case = open_case(world, party=org_party(9, name="测试市宏达(集团)有限公司"))
        assert case.party.name == "测试市宏达（集团）有限公司"

    def test_a_second_party_with_a_known_number_under_another_name_names_its_own_block(self, world):
        open_case(world, party=org_party(9))
        with pytest.raises(ValidationFailed) as err:
            open_case(world, parties=[citizen_party(7), org_party(9, name="另一家公司")])
        assert err.value.field == "party2.name"

    def test_a_known_code_under_another_kind_is_refused(self, world):
        open_case(world, party=org_party(9))
        with pytest.raises(ValidationFailed) as err:
            open_case(world, party={**org_party(9), "kind": "other_org"})
        assert err.value.field == "party.kind" and err.value.code == "party_kind_mismatch"

    def test_the_same_party_twice_in_one_case_is_refused(self, world):
        with pytest.raises(ValidationFailed) as err:
            open_case(world, parties=[citizen_party(7), citizen_party(7)])
        assert err.value.field == "party2.id_number" and err.value.code == "party_listed_twice"

    def test_the_record_is_shared_across_agencies(self, world):
        """System-wide scope: another agency's case on the same number is the same party."""
        ours = open_case(world, party=citizen_party(7))
        item = item_for(world.other_agency, code="E001", name="超标排放")
        from sanxiang.testing import OfficerFactory

        second = OfficerFactory(agency=world.other_agency)
        theirs = open_case(world, actor=world.mallory, item=item, officers=[world.mallory_officer, second],
                           party=citizen_party(7))
        assert theirs.party.pk == ours.party.pk
        with pytest.raises(ValidationFailed):
            open_case(world, actor=world.mallory, item=item, officers=[world.mallory_officer, second],
                      party=citizen_party(7, name="别的名字"))

    def test_new_contact_details_update_the_record_through_a_logged_service(self, world):
        first = open_case(world, party=citizen_party(7))
        moved = {**citizen_party(7), "address": "测试市老城区新街1号", "phone": "13700000000"}
        open_case(world, party=moved)
        party = Party.objects.get(pk=first.party.pk)
        assert party.address == "测试市老城区新街1号" and party.phone == "13700000000"
        entry = Entry.objects.filter(kind="party.update").get()
        assert entry.subject == party.ledger_ref()
        assert "13700000000" not in bytes(entry.body).decode()  # the private values stay out of the log
        assert verify_all().ok

    def test_omitted_details_keep_what_is_on_record(self, world):
        open_case(world, party=citizen_party(7))
        case = open_case(world, party={**citizen_party(7), "address": "", "phone": ""})
        assert case.party.address == citizen_party(7)["address"]
        assert not Entry.objects.filter(kind="party.update").exists()


@pytest.mark.django_db
class TestRename:
    def test_an_organisation_renamed_with_evidence_is_found_under_its_new_name(self, world):
        case = open_case(world, party=org_party(9, name="测试市宏达建筑工程有限公司"))
        party = case.party
        row = party_rename(party=party, actor=world.carol, new_name="测试市宏达建设集团有限公司",
                           reason="企业名称变更登记", evidence_ref="测试市市场监督管理局准予变更登记通知书（测市监变〔2026〕第8号）")
        assert row.old_name == "测试市宏达建筑工程有限公司" and row.party_id == party.pk
        party.refresh_from_db()
        assert party.name == "测试市宏达建设集团有限公司"
        # The new name opens a case on the same record; the old name is now refused, saying why.
        again = open_case(world, party=org_party(9, name="测试市宏达建设集团有限公司"))
        assert again.party.pk == party.pk
        with pytest.raises(ValidationFailed) as err:
            open_case(world, party=org_party(9, name="测试市宏达建筑工程有限公司"))
        assert err.value.code == "party_renamed" and "更名为“测试市宏达建设集团有限公司”" in err.value.message
        entry = Entry.objects.get(kind="party.rename")
        assert entry.subject == party.ledger_ref()
        assert verify_all().ok

    def test_a_rename_without_evidence_is_refused_and_changes_nothing(self, world):
        party = open_case(world, party=org_party(9)).party
        with pytest.raises(ValidationFailed) as err:
            party_rename(party=party, actor=world.carol, new_name="新名称有限公司", reason="更名", evidence_ref=" ")
        assert err.value.field == "evidence_ref" and err.value.code == "rename_evidence_required"
        party.refresh_from_db()
        assert party.name == org_party(9)["name"] and not PartyName.objects.exists()

    def test_a_citizen_is_not_renamed(self, world):
        party = open_case(world, party=citizen_party(7)).party
        with pytest.raises(ValidationFailed) as err:
            party_rename(party=party, actor=world.carol, new_name="张三", reason="改名", evidence_ref="户口簿")
        assert err.value.code == "party_rename_citizen" and err.value.field == "new_name"

    def test_a_supervisor_cannot_rename(self, world):
        party = open_case(world, party=org_party(9)).party
        with pytest.raises(RoleNotAllowed):
            party_rename(party=party, actor=world.sam, new_name="新名称有限公司", reason="更名", evidence_ref="通知书")

    def test_rename_through_the_api(self, world):
        from rest_framework.test import APIClient

        party = open_case(world, party=org_party(9)).party
        client = APIClient()
        client.force_authenticate(world.carol)
        refused = client.post(f"/api/parties/{party.pk}/rename/", {"new_name": "新名称有限公司", "reason": "更名",
                                                                     "evidence_ref": ""}, format="json")
        assert refused.status_code == 400 and refused.json()["error"]["field"] == "evidence_ref"
        done = client.post(f"/api/parties/{party.pk}/rename/", {"new_name": "新名称有限公司", "reason": "更名",
                                                                  "evidence_ref": "准予变更登记通知书"}, format="json")
        assert done.status_code == 201 and done.json()["new_name"] == "新名称有限公司"
        other = APIClient()
        other.force_authenticate(world.mallory)  # sees no case of this party
        assert other.post(f"/api/parties/{party.pk}/rename/", {"new_name": "X有限公司", "reason": "r",
                                                               "evidence_ref": "e"}, format="json").status_code == 404


@pytest.mark.django_db
def test_the_party_page_shows_every_case_of_the_one_record(world):
    party = org_party(9, name="测试市宏达建筑工程有限公司")
    first = open_case(world, party=party)
    party_rename(party=first.party, actor=world.carol, new_name="测试市宏达建设集团有限公司", reason="更名",
                 evidence_ref="准予变更登记通知书")
    second = open_case(world, parties=[citizen_party(7), {**party, "name": "测试市宏达建设集团有限公司"}])
    client = Client()
    client.force_login(world.carol)
    for query in (party["uscc"], "测试市宏达建设集团有限公司", "测试市宏达建筑工程有限公司"):
        page = client.get("/staff/parties/", {"q": query}).content.decode()
        assert first.number in page and second.number in page, query
        assert "更名记录" in page and "准予变更登记通知书" in page
    # The rename form on the page: refused without evidence, beside the field, nothing lost.
    response = client.post("/staff/parties/", {"party": first.party.pk, "q": party["uscc"], "new_name": "又一名称有限公司",
                                                "reason": "更名", "evidence_ref": ""})
    assert response.status_code == 400 and "须附证明材料" in response.content.decode()
    assert Party.objects.get(pk=first.party.pk).name == "测试市宏达建设集团有限公司"

