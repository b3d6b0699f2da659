"""Test fixtures of the licensing app: a licensing item with its 服务指南, officers entitled to
licensing, a fee list and levy/fee items (on top of sanxiang.testing.build_world)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.core.files.base import ContentFile

from sanxiang.accounts.models import Role
from sanxiang.common.services import record_save
from sanxiang.licensing.models import FeeItem, ServiceGuide
from sanxiang.registry.models import EnforcementItem, Flow
from sanxiang.testing import officer_user

MATERIALS = [
    {"key": "form", "label": "申请书", "required": True},
    {"key": "id", "label": "申请人身份证明", "required": True},
    {"key": "plan", "label": "设置方案及效果图", "required": True},
    {"key": "consent", "label": "场地权属人同意书", "required": False},
]
KINDS = ["licensing", "levy", "fee", "penalty"]


@dataclass
class LicensingWorld:
    item: EnforcementItem
    guide: ServiceGuide
    levy_item: EnforcementItem
    fee_item: EnforcementItem
    fee: FeeItem
    levy: FeeItem
    lina: object
    lina_officer: object
    mike: object
    mike_officer: object


def licensing_item(agency, code: str = "XK001", name: str = "设置大型户外广告审批") -> tuple[EnforcementItem, ServiceGuide]:
    existing = EnforcementItem.objects.filter(agency=agency, code=code).first()
    if existing is not None:
        return existing, existing.service_guide
    item = record_save(EnforcementItem(agency=agency, code=code, name=name, kind="licensing",
                                       flow=Flow.objects.get(code="licensing_general")), actor="factory")
    guide = record_save(ServiceGuide(
        item=item, basis="《城市市容和环境卫生管理条例》第十一条第二款", accepting_body=f"{agency.name}政务服务窗口",
        approving_body=agency.name, conditions="广告设置符合城市容貌标准和户外广告设置规划", materials=MATERIALS,
        steps="申请—受理—审查（现场核查）—决定—颁证—公开", contacts="0000-1234567", supervision="12345",
        remedy="对决定不服的，可依法申请行政复议或者提起行政诉讼"), actor="factory")
    return item, guide


def build_licensing_world(world) -> LicensingWorld:
    item, guide = licensing_item(world.agency)
    lina, lina_o = officer_user(world.agency, Role.OFFICER, "lina", "李娜", enforcement_kinds=KINDS)
    mike, mike_o = officer_user(world.agency, Role.OFFICER, "mike", "孟克", enforcement_kinds=KINDS)
    fee = record_save(FeeItem(agency=world.agency, kind="fee", code="SF001", name="城市生活垃圾处理费",
                              basis="《城市生活垃圾管理办法》第四条", standard="非居民每吨25元", unit="吨",
                              unit_amount=Decimal("25")), actor="factory")
    levy = record_save(FeeItem(agency=world.agency, kind="levy", code="ZS001", name="城市道路占用费",
                               basis="《城市道路管理条例》第三十七条", standard="按核定面积和期限征收", unit=""), actor="factory")
    fee_item = record_save(EnforcementItem(agency=world.agency, code="SF-1", name="城市生活垃圾处理费征收", kind="fee",
                                           flow=Flow.objects.get(code="fee_general")), actor="factory")
    levy_item = record_save(EnforcementItem(agency=world.agency, code="ZS-1", name="城市道路占用费征收", kind="levy",
                                            flow=Flow.objects.get(code="levy_general")), actor="factory")
    return LicensingWorld(item, guide, levy_item, fee_item, fee, levy, lina, lina_o, mike, mike_o)


def files(*keys: str) -> dict:
    return {k: ContentFile(f"%PDF-1.4 {k} material".encode(), name=f"{k}.pdf") for k in keys}


def applicant() -> dict:
    from sanxiang.testing import citizen_party

    return citizen_party(31, "钱多多")


def multipart(party: dict, request: str = "在中州路设置户外广告牌一块", keys=("form", "id", "plan")) -> dict:
    data = {f"applicant_{k}": v for k, v in party.items()}
    data["request"] = request
    for key, f in files(*keys).items():
        data[f"material_{key}"] = f
    return data
