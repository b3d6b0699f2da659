"""Test support: factory_boy factories that write through the services (so every row is in the
ledger, as in production) and a `World` of personas per role, plus one from another agency."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass

import factory
from django.utils import timezone

from sanxiang.accounts.models import Role, User
from sanxiang.common.idnumbers import make_citizen_id, make_uscc
from sanxiang.common.services import record_save
from sanxiang.registry.models import Agency, EnforcementItem, Flow, Officer
from sanxiang.registry.services import defaults_install
from sanxiang.reviews.models import CatalogueEntry

_seq = itertools.count(1)


def uscc(n: int) -> str:
    return make_uscc(f"11410300{n:09d}")


def citizen_id(n: int, birth: str = "19850612") -> str:
    return make_citizen_id(f"410302{birth}{n % 1000:03d}")


class ServiceFactory(factory.django.DjangoModelFactory):
    """Creates rows with record_save: validated and logged."""

    class Meta:
        abstract = True

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return record_save(model_class(*args, **kwargs), actor="factory")


class AgencyFactory(ServiceFactory):
    class Meta:
        model = Agency

    code = factory.Sequence(lambda n: f"agency-{n}")
    name = factory.Sequence(lambda n: f"测试市城市管理综合执法局{n}")
    short_name = "城管局"
    uscc = factory.Sequence(lambda n: uscc(n + 1))
    authority_basis = "《城市市容和环境卫生管理条例》第四条"
    jurisdiction = "测试市"
    reconsideration_body = "测试市人民政府"
    litigation_court = "测试市西工区人民法院"
    doc_prefix = factory.Sequence(lambda n: f"测城管{n}罚")
    complaint_phone = "12345"


class OfficerFactory(ServiceFactory):
    class Meta:
        model = Officer

    agency = factory.SubFactory(AgencyFactory)
    name = factory.Sequence(lambda n: f"执法员{n}")
    staff_type = "civil_servant"
    certificate_no = factory.Sequence(lambda n: f"豫TEST{n:05d}")
    enforcement_kinds = factory.LazyFunction(lambda: ["penalty", "inspection", "compulsion"])
    enforcement_area = "测试市全域"
    valid_from = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=365))
    valid_to = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=365))
    status = "active"
    id_number = factory.Sequence(lambda n: citizen_id(n))
    phone = "13800000000"


class UserFactory(ServiceFactory):
    class Meta:
        model = User

    username = factory.Sequence(lambda n: f"user{n}")
    role = Role.OFFICER
    agency = factory.SubFactory(AgencyFactory)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        user = model_class(*args, **kwargs)
        user.set_password("pass12345")
        return record_save(user, actor="factory")


def item_for(agency: Agency, code: str = "P001", name: str = "擅自倾倒建筑垃圾") -> EnforcementItem:
    return record_save(EnforcementItem(
        agency=agency, code=code, name=name, kind="penalty",
        legal_basis=[{"law": "城市市容和环境卫生管理条例", "article": 16}],
        penalty_basis=[{"law": "城市市容和环境卫生管理条例", "article": 34}],
        flow=Flow.objects.get(code="penalty_general"),
    ), actor="factory")


def citizen_party(n: int = 7, name: str = "张三丰") -> dict:
    return {"kind": "citizen", "name": name, "id_number": citizen_id(n), "address": "测试市西工区幸福路8号",
            "phone": "13912345678"}


def org_party(n: int = 9, name: str = "测试市宏达建筑工程有限公司") -> dict:
    return {"kind": "legal_person", "name": name, "uscc": make_uscc(f"91410300MA{n:07d}"[:17].ljust(17, "0")),
            "legal_representative": "李四", "address": "测试市涧西区建设路1号"}


def joint_parties() -> list[dict]:
    """Two parties of one case (共同违法): a citizen and an organisation, in that order."""
    return [citizen_party(7, name="张三丰"), org_party(9)]


@dataclass
class World:
    """Personas: alice and bob (officers), carol (unit head), dave (legal reviewer), erin
    (agency head), mallory (officer of another agency), sam (supervisor)."""

    agency: Agency
    other_agency: Agency
    item: EnforcementItem
    alice: User
    bob: User
    carol: User
    dave: User
    erin: User
    mallory: User
    sam: User
    alice_officer: Officer
    bob_officer: Officer
    mallory_officer: Officer
    dave_officer: Officer


def officer_user(agency, role: str, username: str, display: str, **officer_kwargs) -> tuple[User, Officer]:
    user = UserFactory(username=username, role=role, agency=agency, display_name=display)
    officer = OfficerFactory(agency=agency, name=display, user=user, **officer_kwargs)
    return user, officer


def build_world() -> World:
    defaults_install(actor="factory")
    agency = AgencyFactory(code="city-um", name="测试市城市管理局", doc_prefix="测城管罚")
    other = AgencyFactory(code="other-env", name="测试市生态环境局", doc_prefix="测环罚")
    item = item_for(agency)
    alice, alice_o = officer_user(agency, Role.OFFICER, "alice", "艾丽")
    bob, bob_o = officer_user(agency, Role.OFFICER, "bob", "鲍勃")
    carol = UserFactory(username="carol", role=Role.UNIT_HEAD, agency=agency, display_name="卡萝")
    dave, dave_o = officer_user(agency, Role.LEGAL_REVIEWER, "dave", "戴维", is_legal_reviewer=True,
                                legal_qualification_no="A20151100000001")
    erin = UserFactory(username="erin", role=Role.AGENCY_HEAD, agency=agency, display_name="艾琳")
    mallory, mallory_o = officer_user(other, Role.OFFICER, "mallory", "马洛")
    sam = UserFactory(username="sam", role=Role.SUPERVISOR, agency=None, display_name="萨姆")
    record_save(CatalogueEntry(agency=agency, criterion="fine_at_least", party_scope="citizen", threshold=10000),
                actor="factory")
    record_save(CatalogueEntry(agency=agency, criterion="fine_at_least", party_scope="organisation",
                               threshold=100000), actor="factory")
    for criterion in ("licence_revocation", "suspension_closure", "hearing_held", "complex", "major_public_interest"):
        record_save(CatalogueEntry(agency=agency, criterion=criterion), actor="factory")
    return World(agency, other, item, alice, bob, carol, dave, erin, mallory, sam, alice_o, bob_o, mallory_o, dave_o)


CHECKLIST_ALL = {
    "authority": True, "qualification": True, "procedure": True, "facts": True, "evidence": True, "law": True,
    "discretion": True, "no_abuse": True, "documents": True, "crime": True,
}
