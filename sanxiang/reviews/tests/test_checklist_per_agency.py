"""The Art. 58 checklist is data per agency (defaults in code); form, guard, opinion and portal agree."""

from __future__ import annotations

import pytest

from sanxiang.cases.engine import flow_spec
from sanxiang.common.exceptions import ValidationFailed
from sanxiang.common.services import record_save
from sanxiang.documents.content import plain_text
from sanxiang.documents.services import document_issue
from sanxiang.reviews.models import CHECKLIST, ChecklistItem
from sanxiang.reviews.selectors import checklist_in_force
from sanxiang.reviews.services import checklist_install_defaults
from sanxiang.reviews.tests.conftest import review
from sanxiang.testing import AgencyFactory

pytestmark = pytest.mark.django_db


def own_list(world):
    checklist_install_defaults(agency=world.agency, actor="test")
    record_save(ChecklistItem(agency=world.agency, key="av_record", label="音像记录完整", order=105,
                              standard="现场检查全程音像记录"), actor="test")
    dropped = ChecklistItem.objects.get(agency=world.agency, key="discretion")
    dropped.is_active = False
    record_save(dropped, actor="test")


def test_defaults_apply_until_the_agency_has_its_own_list(world):
    items, owner = checklist_in_force(world.agency)
    assert owner is None and [(k, label) for k, label, _ in items] == CHECKLIST
    own_list(world)
    items, owner = checklist_in_force(world.agency)
    keys = [k for k, _, _ in items]
    assert owner == world.agency and keys[-1] == "av_record" and "discretion" not in keys
    # A unit below the agency reviews against its parent's list.
    brigade = AgencyFactory(parent=world.agency)
    assert checklist_in_force(brigade)[1] == world.agency


def test_review_is_checked_against_the_agencys_own_items(world, in_review):
    own_list(world)
    case = in_review()
    defaults = {k: True for k, _ in CHECKLIST}
    with pytest.raises(ValidationFailed) as err:
        review(case, world.dave, "agree", "同意", checklist=defaults)
    assert err.value.field == "checklist" and "音像记录完整" in err.value.message
    ticks = {k: True for k, _, _ in checklist_in_force(world.agency)[0]}
    with pytest.raises(ValidationFailed) as err:
        review(case, world.dave, "agree", "同意", checklist={**ticks, "av_record": False})
    assert err.value.code == "checklist_failed" and "音像记录完整" in err.value.message
    case = review(case, world.dave, "agree", "同意", checklist=ticks)
    made = case.reviews.get()
    assert ["av_record", "音像记录完整"] in made.checklist_items
    text = plain_text(document_issue(case=case, kind="legal_review_opinion", actor=world.dave).content)
    assert "音像记录完整" in text and "裁量基准运用适当" not in text


def test_portal_publishes_the_checklist_in_force_and_the_flowchart_names_the_new_steps(world, client):
    page = client.get(f"/agencies/{world.agency.code}/").content.decode()
    assert "法制审核内容" in page and "适用系统默认清单" in page and CHECKLIST[0][1] in page
    own_list(world)
    page = client.get(f"/agencies/{world.agency.code}/").content.decode()
    assert "音像记录完整" in page and "现场检查全程音像记录" in page and "裁量基准运用适当" not in page
    flow = client.get(f"/flows/{world.item.flow.code}/").content.decode()
    spec = flow_spec(world.item.flow)
    for code in ("correction_response", "review_coordination", "collective_discussion", "transfer_review",
                 "dismissal_review"):
        assert spec.steps[code].name in flow
    for text in ("法制审核人员须取得法律职业资格（登记证书编号）（行政处罚法第五十八条第二款）",
                 "情节复杂或重大违法行为、审核意见协调未果的，须经机关负责人集体讨论决定（行政处罚法第五十七条第二款）",
                 "集体讨论由机关负责人主持，参加人员不少于法定人数（行政处罚法第五十七条第二款）",
                 "审核意见为建议移送司法机关的", "制作涉嫌犯罪案件移送书", "协调须记录法制审核机构和承办机构双方意见"):
        assert text in flow, text
    assert "collective_discussion_held" not in flow and "reviewer_qualified" not in flow
