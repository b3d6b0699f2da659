"""`sanxiang load_demo`: the 河洛市 demo city, its cases in every state, and running it twice."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import timezone

from sanxiang import demo
from sanxiang.accounts.models import Role, User
from sanxiang.accounts.services import user_create
from sanxiang.cases.models import Case
from sanxiang.cases.services import case_is_overdue
from sanxiang.common.calendar import current_calendar
from sanxiang.disclosure.models import Publication
from sanxiang.disclosure.redaction import mask_name
from sanxiang.guidance.lawtext import normalise_title, parse_law_file
from sanxiang.ledger.models import Checkpoint
from sanxiang.ledger.services import ledger_size
from sanxiang.ledger.verification import verify_all
from sanxiang.registry.models import Agency, Officer
from sanxiang.reviews.models import CatalogueEntry

AGENCIES = {"河洛市城市管理综合行政执法局", "河洛市应急管理局", "河洛市生态环境局", "河洛市财政局"}


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("load_demo", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


# The demo's items cite real articles, checked against the law texts when saved: loading it needs them.
needs_laws = pytest.mark.skipif(not demo.default_laws_dir().is_dir(), reason="../shared/laws is absent")


@pytest.mark.shared
@pytest.mark.slow
@needs_laws
@pytest.mark.django_db(transaction=True)
def test_demo_city_has_every_state_published_decisions_and_survives_a_second_run():
    output = run()

    top = Agency.objects.filter(parent__isnull=True, kind="enforcement")
    assert set(top.values_list("name", flat=True)) == AGENCIES
    assert Agency.objects.get(code="hl-cgj-xg").parent.code == demo.MARKER_CODE  # 市局 → 大队

    expected = set(demo.GENERAL_STATES)
    today = timezone.localdate()
    if not current_calendar().covers_year((today + dt.timedelta(days=14)).year):
        # Entering legal review needs its 5-working-day deadline: the demo skips (and names) the
        # cases that would reach it until the coming year's holidays are in the calendar.
        expected -= {"legal_review", "transferred"}
        assert "已跳过" in output
    general = set(Case.objects.filter(flow__code="penalty_general").values_list("state", flat=True))
    assert expected <= general
    assert Case.objects.filter(flow__code="penalty_simple", state="archived").exists()
    # 行政检查与双随机 (sanxiang/inspections/demo.py): every state, a referral, a recomputed draw, a notice.
    from sanxiang.draws import algorithm
    from sanxiang.draws.models import Draw
    from sanxiang.inspections.models import Referral, ResultNotice

    inspection = set(Case.objects.filter(flow__code="inspection_general").values_list("state", flat=True))
    assert inspection == {"task", "onsite", "result", "rectification", "closed", "referred"}
    assert Referral.objects.filter(penalty_case__flow__code="penalty_general").exists()
    assert ResultNotice.objects.exists()
    assert algorithm.check(Draw.objects.get(purpose="inspection").published()) == []
    assert any(case_is_overdue(case) for case in Case.objects.all())
    assert not Case.objects.filter(opened_on__gt=today).exists()
    assert not Case.objects.filter(decided_on__gt=today).exists()

    published = Publication.objects.filter(status="published").select_related("case", "document", "pdf")
    citizens = [p for p in published if p.case.party.kind == "citizen"]
    organisations = [p for p in published if p.case.party.kind != "citizen"]
    assert citizens and organisations
    for publication in citizens:
        parties = publication.case.parties_in_order()
        assert publication.party_name == "、".join(mask_name(p.name) for p in parties)
        for party in parties:
            assert mask_name(party.name).endswith("某")
            for secret in (party.name, party.id_number, party.address, party.phone):
                assert secret not in publication.text
    assert any(p.party_name == p.case.party.name for p in organisations)
    # Every published decision is the redacted text of its issued 决定书, with its redacted PDF.
    from sanxiang.disclosure.services import redacted_document
    from sanxiang.documents.content import plain_text

    for publication in published:
        decision = publication.case.decision
        assert publication.document is not None and publication.document.number == decision.number
        assert publication.pdf is not None
        assert publication.text == plain_text(redacted_document(decision, publication.document))
    # 共同违法: a demo case with two parties, each with its own penalty, published.
    joint = [c for c in Case.objects.all() if len(c.parties_in_order()) > 1]
    assert joint
    rows = joint[0].decision.party_penalties()
    assert len(rows) == 2 and rows[0].fine_amount != rows[1].fine_amount
    assert Publication.objects.filter(case=joint[0], status="published").exists()
    assert Publication.objects.filter(status="pending").exists()  # some still await 公示审核
    # 行政强制 (compulsion/demo.py): its decisions are published too, one released onto the portal.
    compulsion = Publication.objects.filter(kind="行政强制")
    assert compulsion.filter(status="pending").exists()
    released = compulsion.filter(status="published").first()
    assert released is not None and released.document.kind in ("seizure_decision", "enforcement_decision")
    from django.test import Client

    assert released.decision_number in Client().get("/decisions/", {"kind": "行政强制"}).content.decode()

    for agency in top:
        officers = Officer.objects.filter(agency=agency)
        valid = [o for o in officers if o.certificate_problem(today, "penalty") is None]
        assert len(valid) >= 3
        assert officers.filter(valid_to__lt=today).exists()
        assert officers.filter(status="suspended").exists()
        assert officers.filter(staff_type="auxiliary", certificate_no__isnull=True).exists()
        assert officers.filter(is_legal_reviewer=True).exclude(legal_qualification_no="").exists()
        roles = set(User.objects.filter(agency=agency).values_list("role", flat=True))
        assert {Role.OFFICER, Role.UNIT_HEAD, Role.LEGAL_REVIEWER, Role.AGENCY_HEAD} <= roles
        criteria = set(CatalogueEntry.objects.filter(agency=agency).values_list("criterion", flat=True))
        assert {"fine_at_least", "licence_revocation", "suspension_closure", "hearing_held", "complex",
                "major_public_interest"} <= criteria
        assert agency.items.filter(kind="penalty").count() >= 4
        assert agency.items.exclude(kind="penalty").exists()
        for item in agency.items.filter(kind="penalty"):
            # Every penalty item: a checked statutory range and a published benchmark (行政处罚法第三十四条).
            assert item.citations.filter(role="penalty").exclude(fine_basis="none").exists(), item.code
            assert item.benchmarks.exists(), item.code
    decided = Case.objects.filter(flow__code="penalty_general", decision__isnull=False)
    assert decided.exists() and not decided.filter(benchmark__isnull=True).exists()
    assert User.objects.get(username="sfj_supervisor").role == Role.SUPERVISOR
    # 三权分立: three administrators, none a superuser (a superuser flag would bypass the roles).
    admins = {u.username: u for u in User.objects.filter(username__in=["admin", "sec_admin", "audit_admin"])}
    assert {u: a.role for u, a in admins.items()} == {
        "admin": Role.ADMIN, "sec_admin": Role.SECURITY_ADMIN, "audit_admin": Role.AUDIT_ADMIN}
    assert not any(a.is_superuser for a in admins.values())

    from django.test import RequestFactory

    from sanxiang.accounts.otp import has_device, otp_required
    from sanxiang.accounts.services import password_change_due

    for username in ("cg_officer1", "yj_reviewer", "hb_director", "cz_head", "sfj_supervisor", "admin",
                     "sec_admin", "audit_admin"):
        request = RequestFactory().post("/accounts/login/")
        user = authenticate(request, username=username, password=demo.DEMO_PASSWORD)
        assert user is not None, username
        assert not password_change_due(user), username  # demo users are not forced to change
        assert has_device(user) == otp_required(user), username  # 2FA roles are enrolled
        assert username in output
    assert demo.DEMO_PASSWORD in output and "演示账号" in output
    if demo.default_laws_dir().is_dir():
        assert "已载入法律法规 21 部" in output
    else:
        assert "跳过导入法律法规" in output

    assert verify_all().ok
    assert Checkpoint.objects.order_by("-tree_size").first().tree_size == ledger_size()

    counts, size = demo.summary(), ledger_size()
    again = run()
    assert "演示数据已存在" in again and "保留现有数据" in again and "RESET=1" in again
    assert "cg_officer1" in again
    assert demo.summary() == counts and ledger_size() == size


@pytest.mark.shared
@pytest.mark.slow
@needs_laws
@pytest.mark.django_db(transaction=True)
def test_reset_wipes_the_database_and_rebuilds_the_demo():
    user_create(username="someone", password="X-long-password1", role=Role.SUPERVISOR)
    kept = run()  # other data present: kept, the demo is not loaded on top of it
    assert "未载入演示数据" in kept and "RESET=1" in kept
    assert not demo.demo_present()

    output = run("--reset", "--yes")
    assert "已清空并重新生成演示数据" in output and "已载入法律法规" in output
    assert not User.objects.filter(username="someone").exists()
    skipped = output.count("已跳过：")  # cases needing a deadline in a year the calendar does not know yet
    # The demo city's penalty cases, beside those the apps' own demo modules add (inspections and
    # the penalty cases they refer, compulsion, licensing, levies and fees).
    from sanxiang.inspections.models import Referral

    core = (Case.objects.filter(item__kind="penalty")
            .exclude(pk__in=Referral.objects.values("penalty_case_id")).count())
    assert demo.demo_present() and core == sum(len(s.cases) for s in demo.agency_specs()) - skipped
    assert Case.objects.exclude(item__kind="penalty").exists()
    assert verify_all().ok


@pytest.mark.django_db
def test_reset_of_a_server_database_needs_yes(monkeypatch):
    monkeypatch.setattr(connection, "vendor", "postgresql")
    with pytest.raises(CommandError, match="--yes"):
        run("--reset", "--no-laws")
    assert not demo.demo_present()


@pytest.mark.django_db
def test_demo_without_any_law_text_is_refused_naming_what_to_do():
    with pytest.raises(CommandError, match="须先有法律法规文本") as err:
        run("--no-laws")
    assert "import_laws" in str(err.value) and not demo.demo_present()


@pytest.mark.django_db
def test_missing_laws_folder_is_refused():
    with pytest.raises(CommandError, match="目录不存在"):
        run("--laws", "/nonexistent/laws")


@pytest.mark.django_db
def test_dates_stay_inside_the_known_working_day_calendar():
    from sanxiang.common.workdays import known_years

    last = dt.date(max(known_years()), 12, 31)
    assert demo.anchor_date(last - dt.timedelta(days=60)) == last - dt.timedelta(days=60)
    assert demo.anchor_date(last - dt.timedelta(days=3)) <= last - dt.timedelta(days=demo.CALENDAR_MARGIN_DAYS)
    assert demo.anchor_date(last + dt.timedelta(days=40)) <= last - dt.timedelta(days=demo.CALENDAR_MARGIN_DAYS)


@pytest.mark.shared
def test_every_cited_article_paragraph_and_item_exists_in_the_law_texts():
    folder = demo.default_laws_dir()
    if not folder.is_dir():
        pytest.skip("../shared/laws is absent")
    laws = {}
    for path in folder.glob("*.md"):
        if path.name.lower() != "readme.md":
            law = parse_law_file(path)
            laws[law.short_title] = law
    checked = 0
    for spec in demo.agency_specs():
        for item in spec.items:
            for ref in demo.cites(*item.basis) + demo.cites(*item.penalty):
                law = laws.get(normalise_title(ref["law"]))
                assert law is not None, f"{item.code}: {ref['law']} not among the law texts"
                article = next((a for a in law.articles if a.number == ref["article"]), None)
                assert article is not None, f"{item.code}: {ref}"
                paragraph = ref.get("paragraph", 1)
                article.paragraph(paragraph)  # raises KeyError when the 款 does not exist
                if "item" in ref:
                    article.item(paragraph, ref["item"])
                checked += 1
    assert checked >= 40
