"""Test support: factory_boy factories that write through the services (so every row is in the
ledger, as in production) and a `World` of personas per role, plus one from another agency."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass
from pathlib import Path

import factory
from django.conf import settings
from django.test import Client as DjangoClient
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
        # Personas have already chosen their password (no forced change at their first login);
        # set_password does not run the policy, so the short test password stays usable.
        kwargs.setdefault("password_change_required", False)
        kwargs.setdefault("password_changed_at", timezone.now())
        user = model_class(*args, **kwargs)
        user.set_password(TEST_PASSWORD)
        return record_save(user, actor="factory")


TEST_PASSWORD = "pass12345"


def totp_device_for(user):
    """The persona's confirmed TOTP device (created on first use), as if they had enrolled."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from sanxiang.accounts.otp import TOTP_NAME, totp_device

    return totp_device(user) or TOTPDevice.objects.create(user=user, name=TOTP_NAME, confirmed=True)


def otp_code_for(user) -> str:
    """A TOTP code the persona's device accepts now: what their authenticator would show.

    django-otp refuses a time step already used (replay protection), so a test that signs the
    same persona in twice within 30 s gets the next step's code, which the device's tolerance of
    one step accepts; past that, the test rewinds the device's replay marker (test-only).
    """
    import time

    from django_otp.oath import TOTP

    device = totp_device_for(user)
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    now = time.time()
    totp.time = now
    if totp.t() <= device.last_t:
        if device.last_t + 1 > totp.t() + device.tolerance:
            device.last_t = totp.t() - 1
            device.save(update_fields=["last_t"])
        else:
            totp.time = now + (device.last_t + 1 - totp.t()) * device.step
    return str(totp.token()).zfill(device.digits)


def force_login_verified(client, user, backend=None):
    """Client.force_login that also completes the second factor, for tests that skip signing in.

    force_login already stands for "authenticated"; for roles that require 2FA, authenticated
    means password and OTP, so the session is marked verified with the persona's device, exactly
    as django_otp.login does after a correct code. Signing in through the pages still asks for it.
    """
    from django_otp import DEVICE_ID_SESSION_KEY

    from sanxiang.accounts.otp import otp_required

    _ORIGINAL_FORCE_LOGIN(client, user, backend)
    if otp_required(user):
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = totp_device_for(user).persistent_id
        session.save()


# Captured before the root conftest.py replaces Client.force_login with force_login_verified.
_ORIGINAL_FORCE_LOGIN = DjangoClient.force_login


def test_laws_dir() -> Path:
    """The law texts the factories cite: ../shared/laws when it is there (the full texts), else the
    short excerpts of the cited articles kept for the tests (sanxiang/guidance/fixtures)."""
    shared = Path(settings.BASE_DIR).parent / "shared" / "laws"
    return shared if shared.is_dir() else Path(__file__).resolve().parent / "guidance" / "fixtures"


def item_for(agency: Agency, code: str = "P001", name: str = "擅自倾倒建筑垃圾", citations: list[dict] | None = None,
             laws: tuple[str, ...] = ("城市市容和环境卫生管理条例",)) -> EnforcementItem:
    """A penalty item citing laws shipped with the package (imported here when missing)."""
    from sanxiang.guidance.services import laws_install_from
    from sanxiang.registry.services import item_citations_set

    laws_install_from(test_laws_dir(), titles=laws, actor="factory")
    item = record_save(EnforcementItem(agency=agency, code=code, name=name, kind="penalty",
                                       flow=Flow.objects.get(code="penalty_general")), actor="factory")
    item_citations_set(item=item, citations=citations or [
        {"role": "violation", "law": "城市市容和环境卫生管理条例", "article": 16},
        {"role": "penalty", "law": "城市市容和环境卫生管理条例", "article": 34},
    ], actor="factory")
    return item


def construction_waste_item(agency: Agency, code: str = "P002") -> EnforcementItem:
    """工程施工单位擅自倾倒建筑垃圾: 固废法第一百一十一条, 对单位十万元以上一百万元以下 (no fine for
    individuals under item (四)), with the real article texts."""
    return item_for(agency, code, "工程施工单位擅自倾倒、抛撒或者堆放建筑垃圾", laws=("固体废物污染环境防治法",), citations=[
        {"role": "violation", "law": "固体废物污染环境防治法", "article": 63, "paragraph": 3},
        {"role": "penalty", "law": "固体废物污染环境防治法", "article": 111, "paragraph": 1, "item_no": 4,
         "penalty_kinds": ["fine", "confiscate_gains"]},
        {"role": "penalty", "law": "固体废物污染环境防治法", "article": 111, "paragraph": 2,
         "penalty_kinds": ["fine", "confiscate_gains"], "fine_basis": "fixed", "org_min": 100000, "org_max": 1000000},
    ])


def standard_benchmark(item: EnforcementItem, effective_from: dt.date | None = None, extra=()):
    """The standard 裁量基准 of an item, derived from its statutory range, in force since `effective_from`."""
    from sanxiang.guidance.services import benchmark_publish, standard_circumstances, standard_tiers

    return benchmark_publish(item=item, effective_from=effective_from or timezone.localdate() - dt.timedelta(days=400),
                             title=f"{item.agency.name}行政处罚裁量基准", document_no="测裁〔2025〕1号",
                             tiers=standard_tiers(item), circumstances=standard_circumstances(extra), actor="factory")


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


@dataclass
class RecordsWorld:
    """The World plus one archived case with everything a persona could look at: plain and
    restricted (个人隐私) evidence, issued documents, a released publication, an upload in
    progress and two rows of its access log; and the personas the access-control tests add: oscar (an officer of the same agency
    who is not on the case), root (the system administrator) and audrey (the audit administrator)."""

    world: World
    oscar: User
    root: User
    audrey: User
    case: object
    plain: object
    flagged: object
    document: object
    publication: object
    upload: object

    PRIVATE_NAME = "张三丰病历-隐私.jpg"
    PLAIN_NAME = "现场全景.jpg"


def build_records_world(world: World | None = None) -> RecordsWorld:
    """Extend `world` (or a new one) with the archived case of RecordsWorld. Uses the services
    throughout, like production; takes a few seconds (documents are rendered)."""
    from django.core.files.base import ContentFile

    from sanxiang.cases.services import case_open
    from sanxiang.cases.walkthrough import Cast, walk
    from sanxiang.disclosure.services import publication_publish
    from sanxiang.records.chunked import upload_session_create
    from sanxiang.records.services import evidence_attach
    from sanxiang.supervision.services import access_record

    world = world or build_world()
    oscar, _ = officer_user(world.agency, Role.OFFICER, "oscar", "奥斯卡")
    root = UserFactory(username="root", role=Role.ADMIN, agency=None, display_name="系统管理员", is_staff=True,
                       is_superuser=True)
    audrey = UserFactory(username="audrey", role=Role.AUDIT_ADMIN, agency=None, display_name="审计管理员")
    case = case_open(actor=world.alice, item=world.item, party=citizen_party(), title="擅自倾倒建筑垃圾",
                     officers=[world.alice_officer, world.bob_officer],
                     opened_on=timezone.localdate() - dt.timedelta(days=30))
    cast = Cast(world.alice, world.carol, world.dave, world.erin)
    case = walk(case, cast, until="investigation")
    jpeg = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00"
    plain = evidence_attach(case=case, actor=world.alice, kind="photo", description="现场照片",
                            uploaded=ContentFile(jpeg + b"street", name=RecordsWorld.PLAIN_NAME))
    flagged = evidence_attach(case=case, actor=world.alice, kind="photo", privacy=True, description="",
                              uploaded=ContentFile(jpeg + b"medical record", name=RecordsWorld.PRIVATE_NAME))
    upload = upload_session_create(case=case, actor=world.alice, filename="执法记录仪.mp4", size=1024, kind="video")
    case = walk(case, cast, fine=800)
    document = case.documents.order_by("pk").first()
    publication = publication_publish(publication=case.publications.get(), actor=world.erin)
    # Two looks by the case's officer: at the case, and at the restricted file (its label names it).
    access_record(actor=world.alice, case=case, target=case, label=f"案件 {case.number}")
    access_record(actor=world.alice, case=case, target=flagged, action="download", reason="制作询问笔录",
                  flagged=True, label=f"证据 {flagged.original_name}（照片）")
    from sanxiang.ledger.services import ledger_checkpoint

    ledger_checkpoint()  # the scheduled job's work: the public checkpoint exists
    return RecordsWorld(world, oscar, root, audrey, case, plain, flagged, document, publication, upload)


def token_credentials(user) -> dict:
    """The body of POST /api/auth/token/ for a persona: password, and a TOTP code when the role needs one."""
    from sanxiang.accounts.otp import otp_required

    body = {"username": user.username, "password": TEST_PASSWORD}
    if otp_required(user):
        body["otp"] = otp_code_for(user)
    return body


def token_client(user):
    """An APIClient signed in with a token obtained as the persona would (password, and OTP
    where the role needs it) through POST /api/auth/token/."""
    from rest_framework.test import APIClient

    client = APIClient()
    response = client.post("/api/auth/token/", token_credentials(user), format="json")
    assert response.status_code == 200, response.content
    client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    return client
