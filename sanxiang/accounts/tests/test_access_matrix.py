"""Every URL × every persona against a table of expected answers (访问控制).

The URLs are found by walking the resolver (config/urls.py, which includes config/api_urls.py),
so a new URL without a row in EXPECTED fails `test_every_url_has_an_expectation`. Each row names
one or more probes: method, arguments, and the status each persona must get; for pages and lists,
markers that must appear for exactly the personas named (and never for the others).

Personas (sanxiang.testing.build_records_world): anon (not signed in), alice (officer on the case),
oscar (officer of the same agency, not on the case), carol (unit head), dave (legal reviewer), erin
(agency head), mallory (officer of another agency), sam (supervisor), root (system administrator),
audrey (audit administrator).

Every 403, and every 404 on an object that exists but is out of scope, must leave exactly one
audit entry `audit.permission_denied` for a signed-in persona, and none for the anonymous one.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from sanxiang.ledger.models import Entry
from sanxiang.testing import RecordsWorld, build_records_world

PERSONAS = ("anon", "alice", "oscar", "carol", "dave", "erin", "mallory", "sam", "root", "audrey")
SIGNED_IN = PERSONAS[1:]
# root, the system administrator, reads no case content (三权分立): like another agency's officer.
IN_SCOPE = ("alice", "oscar", "carol", "dave", "erin", "sam")  # may see the case
RESTRICTED_OK = ("alice", "carol", "dave", "erin", "sam")  # may open its 个人隐私 evidence
OVERSIGHT = ("dave", "erin", "sam")  # may read the access log
OFFICERS = ("alice", "oscar", "mallory")

# Namespaces not probed here, and why.
SKIPPED_NAMESPACES = {"admin": "Django admin: its own is_staff permission model, administrators only"}


def expect(default: int, **overrides: int) -> dict[str, int]:
    return {p: overrides.get(p, default) for p in PERSONAS}


def public(status: int = 200) -> dict[str, int]:
    return expect(status)


def case_page(in_scope: int = 200, **overrides: int) -> dict[str, int]:
    """A staff page of the case: anonymous to the login page, another agency 404."""
    return expect(in_scope, **{"anon": 302, "mallory": 404, "root": 404, "audrey": 404, **overrides})


def case_api(in_scope: int = 200, **overrides: int) -> dict[str, int]:
    """An API operation on the case: anonymous 401 (no credentials; WWW-Authenticate: Token), another agency 404."""
    return expect(in_scope, **{"anon": 401, "mallory": 404, "root": 404, "audrey": 404, **overrides})


def restricted(base: dict[str, int], allowed: int = 200) -> dict[str, int]:
    """Like `base`, but only the restricted-material personas get `allowed`; the other signed-in
    ones who may see the case get 404 (the flagged evidence does not exist for them)."""
    return {p: (allowed if p in RESTRICTED_OK else (404 if p in IN_SCOPE else s)) for p, s in base.items()}


@dataclass
class Probe:
    method: str
    kwargs: Callable[[RecordsWorld], dict] = lambda w: {}
    status: dict[str, int] = field(default_factory=dict)
    query: Callable[[RecordsWorld], dict] = lambda w: {}
    data: Callable[[RecordsWorld], dict] | None = None
    json: bool = False
    # marker(world) -> the personas whose 200 answer must contain it; all others' must not.
    markers: list[tuple[Callable[[RecordsWorld], str], tuple[str, ...]]] = field(default_factory=list)
    # Whether a 404 here means "exists but out of scope" (audited) rather than "does not exist".
    scoped_404: bool = True
    # Personas refused by role although the page answers otherwise (a redirect with the message).
    refused: tuple[str, ...] = ()


def case_kw(w):
    return {"pk": w.case.pk}


def number(w):
    return w.case.number


def private_name(w):
    return RecordsWorld.PRIVATE_NAME


def withheld_line(w):
    return f"受限材料（哈希 {w.flagged.file.sha256}）"


def decision_number(w):
    return w.publication.decision_number


def plan_kw(w):
    from sanxiang.inspections.testing import inspection_world_for

    return {"pk": inspection_world_for(w)[0].plan.pk}


def avoidance_kw(w):
    """A 回避 declared by the unit head for bob (no persona), so every persona's withdrawal is someone else's."""
    from sanxiang.inspections import services
    from sanxiang.inspections.models import Avoidance
    from sanxiang.inspections.testing import inspection_world_for

    iw = inspection_world_for(w)[0]
    row = Avoidance.objects.filter(officer=w.world.bob_officer, entity=iw.entities[-1]).first()
    return {"pk": (row or services.avoidance_declare(actor=w.world.carol, officer=w.world.bob_officer,
                                                      entity=iw.entities[-1], reason="亲属关系")).pk}


def draw_kw(w):
    from sanxiang.inspections.testing import inspection_world_for

    return {"pk": inspection_world_for(w)[1].pk}
def licensing_application(w):
    """A licensing item with its guide and one online application in the case's agency (made once)."""
    from sanxiang.licensing.models import Application
    from sanxiang.licensing.services import application_submit
    from sanxiang.licensing.testing import applicant, files, licensing_item

    item, _ = licensing_item(w.world.agency)
    found = Application.objects.filter(item=item).first()
    return found or application_submit(item=item, applicant=applicant(), request="设置广告牌", files=files("form"))[0]


def licensing_kw(w):
    return {"pk": licensing_application(w).item_id}


def application_kw(w):
    return {"pk": licensing_application(w).pk}
EXCHANGE = ("carol", "dave", "erin", "sam")


def annual_report(w):
    """A published annual report of the case's agency (last year's), made once per world."""
    if not hasattr(w, "_annual"):
        from django.utils import timezone

        from sanxiang.exchange.services import (
            annual_report_generate,
            annual_report_publish,
            annual_report_review,
        )

        erin = w.world.erin
        report = annual_report_generate(agency=w.world.agency, year=timezone.localdate().year - 1, actor=erin)
        w._annual = annual_report_publish(report=annual_report_review(report=report, actor=erin), actor=erin)
    return w._annual


def _exchange_rows() -> dict[str, list[Probe]]:
    staff = expect(403, anon=302, **dict.fromkeys(EXCHANGE, 200))
    api = expect(403, anon=401, **dict.fromkeys(EXCHANGE, 200))
    report_kw = lambda w: {"pk": annual_report(w).pk}  # noqa: E731
    return {
        "exchange:index": [Probe("get", status=staff)],
        "exchange:export": [Probe("get", status=staff, query=lambda w: {"kind": "penalty", "format": "csv"},
                                  markers=[(decision_number, EXCHANGE)])],
        "exchange:reports": [Probe("get", lambda w: annual_report(w) and {}, staff, markers=[(lambda w: str(annual_report(w)), EXCHANGE)])],
        "exchange:report_generate": [Probe("post", status=expect(403, anon=302, **dict.fromkeys(EXCHANGE, 302)),
                                           data=lambda w: {"year": "2020", "scope": "own"})],
        "exchange:report": [Probe("get", report_kw, staff)],
        # The report is published already: its head and reviewer are told so; other roles are refused.
        "exchange:report_review": [Probe("post", report_kw, expect(403, anon=302, **dict.fromkeys(EXCHANGE, 302)),
                                         refused=("carol", "dave", "sam"))],
        "exchange:report_publish": [Probe("post", report_kw, expect(403, anon=302, **dict.fromkeys(EXCHANGE, 302)),
                                          refused=("carol", "sam"))],
        "exchange:annual_list": [Probe("get", lambda w: annual_report(w) and {}, public(), markers=[(lambda w: annual_report(w).scope_name, PERSONAS)])],
        "exchange:annual": [Probe("get", report_kw, public())],
        "exchange:annual_pdf": [Probe("get", report_kw, public())],
        "api-exchange-export": [Probe("get", status=api, markers=[(decision_number, EXCHANGE)])],
        "api-exchange-feed": [Probe("get", status=api, markers=[(decision_number, EXCHANGE)])],
        "api-annual-reports": [Probe("get", status=public())],
    }


_FRESH = itertools.count()


def _report_kw(w):
    """An error report on the world's publication (made once per world)."""
    if not hasattr(w, "_report"):
        from sanxiang.disclosure.reports import report_submit

        w._report = report_submit(publication=w.publication, description="当事人信息有误")[0]
    return {"pk": w._report.pk}


def _repair_kw(w):
    """A 信用修复 application on the world's publication (made once per world)."""
    if not hasattr(w, "_repair"):
        from sanxiang.disclosure.lifecycle import credit_repair_apply

        w._repair = credit_repair_apply(decision_number=w.publication.decision_number, identity=w.case.party.key,
                                        applicant="当事人", contact="138", statement="已履行处罚决定并消除影响。",
                                        on=w.publication.min_until)[0]
    return {"pk": w._repair.pk}


# 公示管理 (staff/publicity/): heads and reviewers act, supervisors read, everyone else is refused.
PUBLICITY_READERS = ("carol", "dave", "erin", "sam")
def _sv(w):
    """(complaint, matter, document, code) of the supervision app on the world (made once)."""
    from sanxiang.supervision.testing import supervision_objects

    return supervision_objects(w)


def matter_number(w):
    return _sv(w)[1].number


HANDLERS = ("carol", "erin", "sam")  # 监督案件、投诉举报: supervisors and the agency's heads
def evaluation(w):
    from sanxiang.evaluation.testing import evaluation_objects

    return evaluation_objects(w)


EVALUATION_READERS = {"carol": 200, "dave": 200, "erin": 200, "sam": 200}

EXPECTED: dict[str, list[Probe]] = {
    # Public portal: the same for everybody, and only released publications.
    "portal:home": [Probe("get", status=public(), markers=[(decision_number, PERSONAS)])],
    "portal:agencies": [Probe("get", status=public())],
    "portal:agency": [Probe("get", lambda w: {"code": w.world.agency.code}, public())],
    "portal:officers": [Probe("get", status=public(), query=lambda w: {"q": "艾丽"})],
    "portal:items": [Probe("get", status=public())],
    "portal:item": [Probe("get", lambda w: {"pk": w.world.item.pk}, public())],
    "portal:flow": [Probe("get", lambda w: {"code": "penalty_general"}, public())],
    "portal:progress": [Probe("get", status=public())],
    "portal:decisions": [Probe("get", status=public(), markers=[(decision_number, PERSONAS)])],
    "portal:decision-pdf": [Probe("get", lambda w: {"pk": w.publication.pk}, public())],
    # 报告错误: no login; an empty report is refused (400) for everybody alike.
    "portal:decision-report": [Probe("post", lambda w: {"pk": w.publication.pk}, public(400),
                                     data=lambda w: {"description": ""})],
    "portal:credit-repair": [Probe("get", status=public())],
    "publicity:home": [Probe("get", status=expect(403, anon=302, carol=200, dave=200, erin=200, sam=200),
                             markers=[(decision_number, PUBLICITY_READERS)])],
    "publicity:publication": [Probe("get", lambda w: {"pk": w.publication.pk},
                                    expect(403, anon=302, carol=200, dave=200, erin=200, sam=200),
                                    markers=[(decision_number, PUBLICITY_READERS)])],
    # Writes with an empty form: the actors get the rule (400), the supervisor the role refusal.
    "publicity:correct": [Probe("post", lambda w: {"pk": w.publication.pk},
                                expect(403, anon=302, carol=400, dave=400, erin=400), data=lambda w: {})],
    "publicity:withdraw": [Probe("post", lambda w: {"pk": w.publication.pk},
                                 expect(403, anon=302, carol=400, dave=400, erin=400), data=lambda w: {})],
    "publicity:report-answer": [Probe("post", _report_kw, expect(403, anon=302, carol=400, dave=400, erin=400),
                                      data=lambda w: {"reply": ""})],
    "publicity:repair-decide": [Probe("post", _repair_kw, expect(403, anon=302, carol=400, dave=400, erin=400),
                                      data=lambda w: {"reason": ""})],
    "portal:decision": [Probe("get", lambda w: {"pk": w.publication.pk}, public(),
                              markers=[(private_name, ()), (number, ())])],
    "accounts:login": [Probe("get", status=public())],
    "accounts:logout": [Probe("get", status=public(405))],
    "schema": [Probe("get", status=public())],
    "transparency:checkpoint": [Probe("get", status=public())],
    "transparency:leaves": [Probe("get", status=public(), query=lambda w: {"start": 0, "end": 1})],
    "transparency:inclusion": [Probe("get", status=public(), query=lambda w: {"index": 0, "tree_size": 2})],
    "transparency:consistency": [Probe("get", status=public(), query=lambda w: {"first": 1, "second": 2})],
    "transparency:entry": [
        Probe("get", lambda w: {"index": w.publication.ledger_index}, public()),
        # A private entry (the restricted evidence) is no public object at all: 404, not a denial.
        Probe("get", lambda w: {"index": w.flagged.ledger_index}, public(404), scoped_404=False),
    ],
    # Staff pages.
    # Law texts are public; the outline serves the admin's citation pickers, behind login.
    "registry:law_outline": [Probe("get", lambda w: {"pk": w.case.item.citations.first().law_id},
                                   expect(200, anon=302))],
    "registry:import": [Probe("get", status=expect(200, anon=302))],
    "registry:import_template": [Probe("get", lambda w: {"kind": "officers"}, expect(200, anon=302))],
    # 执法人员资格管理: supervisors (every agency), agency and unit heads (their tree).
    "registry:officers": [Probe("get", status=expect(403, anon=302, carol=200, erin=200, sam=200),
                                markers=[(lambda w: "马洛", ("sam",)), (lambda w: "艾丽", ("carol", "erin", "sam"))])],
    "registry:officer": [Probe("get", lambda w: {"pk": w.world.alice_officer.pk},
                               expect(403, anon=302, carol=200, erin=200, sam=200))],
    # Training hours without a course: the form comes back with the field named (400); the
    # issue of a certificate is the supervisor's alone (403 for the heads).
    "registry:officer_act": [
        Probe("post", lambda w: {"pk": w.world.alice_officer.pk, "action": "training"},
              expect(403, anon=302, carol=403, erin=400, sam=400), data=lambda w: {"hours": "8"}),
        Probe("post", lambda w: {"pk": w.world.alice_officer.pk, "action": "suspend"},
              expect(403, anon=302, sam=400), data=lambda w: {"reason": ""}),
    ],
    # 案卷评查: supervisors, and the heads and reviewers of the agency whose dossier was drawn.
    "evaluation:rounds": [Probe("get", status=expect(403, anon=302, **EVALUATION_READERS))],
    "evaluation:round": [Probe("get", lambda w: {"pk": evaluation(w)[0].pk},
                               expect(403, anon=302, **EVALUATION_READERS))],
    "evaluation:file": [Probe("get", lambda w: {"pk": evaluation(w)[1].pk}, expect(403, anon=302, **EVALUATION_READERS),
                              markers=[(number, ("carol", "dave", "erin", "sam"))])],
    "evaluation:rectification": [Probe("get", lambda w: {"pk": evaluation(w)[2].pk},
                                       expect(403, anon=302, carol=302, dave=302, erin=302, sam=302))],
    "evaluation_public:list": [Probe("get", status=public())],
    # Not published yet: nobody sees it.
    "evaluation_public:detail": [Probe("get", lambda w: {"pk": evaluation(w)[0].pk}, public(404), scoped_404=False)],
    "supervision:access_log": [Probe("get", status=expect(403, anon=302, dave=200, erin=200, sam=200),
                                     markers=[(number, OVERSIGHT), (private_name, ("dave", "erin", "sam"))])],
    "ledger_staff:integrity": [Probe("get", status=expect(403, anon=302, sam=200, root=200))],
    # 监督平台: the dashboard for supervisors and agency heads; alerts for case staff (not administrators).
    "monitoring:dashboard": [Probe("get", status=expect(403, anon=302, erin=200, sam=200))],
    "monitoring:cases": [Probe("get", status=expect(403, anon=302, erin=200, sam=200),
                               markers=[(number, ("erin", "sam"))])],
    "monitoring:certificates": [Probe("get", status=expect(403, anon=302, erin=200, sam=200))],
    "monitoring:export": [Probe("get", lambda w: {"table": "agency"}, expect(403, anon=302, erin=200, sam=200))],
    "monitoring:alerts": [Probe("get", status=expect(200, anon=302, root=403, audrey=403))],
    "monitoring:digests": [Probe("get", status=expect(200, anon=302, root=403, audrey=403))],
    # No such alert: a plain 404 for case staff (nothing exists to be out of scope of).
    "monitoring:alert_action": [Probe("post", lambda w: {"pk": 999999, "action": "dismiss"},
                                      expect(404, anon=302, root=403, audrey=403), data=lambda w: {"reason": "x"},
                                      scoped_404=False)],
    # The audit trail: the audit administrator alone (三权分立).
    "audit:trail": [Probe("get", status=expect(403, anon=302, audrey=200))],
    "audit:export": [Probe("get", status=expect(403, anon=302, audrey=200))],
    # Account pages every signed-in user has; the OTP steps are done (force_login is verified).
    "accounts:password_change": [Probe("get", status=expect(200, anon=302))],
    "accounts:otp_verify": [Probe("get", status=expect(302, anon=302))],
    # Roles that require 2FA may bind a new authenticator; the others have none to bind.
    "accounts:otp_enrol": [Probe("get", status=expect(302, carol=200, dave=200, erin=200, sam=200, root=200,
                                                      audrey=200))],
    "admin-password-change": [Probe("get", status=public(302))],
    "api-password": [Probe("post", status=expect(400, anon=401), data=lambda w: {}, json=True)],
    # Token logout: a session (no token) has nothing to revoke there.
    "api-logout": [Probe("post", status=public(401), json=True)],
    "documents:case": [Probe("get", case_kw, case_page())],
    "documents:issue": [Probe("post", case_kw, case_page(302), data=lambda w: {"kind": "no_such_kind"})],
    "documents:download": [Probe("get", lambda w: {"document_id": w.document.pk, "fmt": "pdf"}, case_page())],
    "records:evidence_download": [
        Probe("get", lambda w: {"pk": w.plain.pk}, case_page()),
        Probe("get", lambda w: {"pk": w.flagged.pk}, restricted(case_page(), 428)),
        Probe("get", lambda w: {"pk": w.flagged.pk}, restricted(case_page()), query=lambda w: {"reason": "核对证据"}),
    ],
    "dossier:dossier": [
        Probe("get", case_kw, case_page()),
        # The case holds restricted material: no export without a reason, whoever asks.
        Probe("post", case_kw, case_page(428), data=lambda w: {"reason": ""}),
        Probe("post", case_kw, case_page(200), data=lambda w: {"reason": "移送法院"}),
    ],
    "dossier:party": [Probe("get", status=expect(200, anon=302),
                            query=lambda w: {"q": w.case.party.id_number},
                            markers=[(number, IN_SCOPE), (private_name, RESTRICTED_OK),
                                     (withheld_line, ("oscar",))])],
    "cases:my_cases": [Probe("get", status=expect(200, anon=302),
                             markers=[(number, ("alice", "carol", "dave", "erin", "sam"))])],
    "cases:new": [Probe("get", status=expect(403, anon=302, alice=200, oscar=200, mallory=200))],
    # The hash line also sits in the issued 决定书's evidence list, which everyone in scope reads;
    # only oscar sees it in place of the file's name.
    "cases:detail": [Probe("get", case_kw, case_page(),
                           markers=[(number, IN_SCOPE), (private_name, RESTRICTED_OK),
                                    (withheld_line, IN_SCOPE)])],
    "cases:discretion": [Probe("get", case_kw, case_page())],
    "cases:action": [Probe("post", lambda w: {"pk": w.case.pk, "action": "no-such-action"}, case_page(409))],
    "cases:evidence_upload": [Probe("post", case_kw, case_page(400), data=lambda w: {"kind": "photo"})],
    "cases:evidence_download": [
        Probe("get", lambda w: {"pk": w.case.pk, "evidence_id": w.plain.pk}, case_page()),
        Probe("get", lambda w: {"pk": w.case.pk, "evidence_id": w.flagged.pk}, restricted(case_page()),
              query=lambda w: {"reason": "核对证据"}),
    ],
    # Heads and reviewers may release (this one is released already); the other roles are refused.
    "cases:publish": [Probe("post", lambda w: {"publication_id": w.publication.pk}, case_page(302),
                            refused=("alice", "oscar", "sam"))],
    # 行政强制 (sanxiang.compulsion): the overview for the agencies' staff and supervisors; carrying an
    # unpaid fine over is an officer's act (the records world's fine was paid: refused with the rule).
    "compulsion:index": [Probe("get", status=expect(200, anon=302, root=403, audrey=403))],
    "compulsion:from_penalty": [Probe("post", case_kw, case_page(302, carol=403, dave=403, erin=403, sam=403))],
    # API.
    # A fresh account name per request, from an address per persona: one failure each, so the
    # lockout (5 per account, 5 per address) is not what answers.
    "api-token": [Probe("post", status=public(400), data=lambda w: {
        "username": f"nobody{next(_FRESH)}", "password": "x"}, json=True)],
    # The party is a citizen: a rename is for organisations (refused with the rule, 400), once in scope.
    "api-party-rename": [Probe("post", lambda w: {"pk": w.case.party.pk}, case_api(400),
                               data=lambda w: {"new_name": "新名称", "reason": "更名"}, json=True)],
    "api-cases": [
        Probe("get", status=expect(200, anon=401), markers=[(number, IN_SCOPE)]),
        Probe("post", status=expect(400, anon=401), data=lambda w: {}, json=True),
    ],
    "api-case": [Probe("get", case_kw, case_api())],
    "api-compulsion": [Probe("get", status=expect(200, anon=401, root=403, audrey=403))],
    "api-compulsion-from-penalty": [Probe("post", case_kw, case_api(409, carol=403, dave=403, erin=403, sam=403),
                                          data=lambda w: {}, json=True)],
    "api-case-action": [Probe("post", lambda w: {"pk": w.case.pk, "action": "no-such-action"}, case_api(409),
                              data=lambda w: {}, json=True)],
    "api-case-evidence": [Probe("post", case_kw, case_api(400), data=lambda w: {"kind": "photo"})],
    "api-case-documents": [
        Probe("get", case_kw, case_api()),
        Probe("post", case_kw, case_api(400, alice=400, oscar=400), data=lambda w: {"kind": "no_such_kind"},
              json=True),
    ],
    "api-case-document-kinds": [Probe("get", case_kw, case_api())],
    "api-document-file": [Probe("get", lambda w: {"pk": w.document.pk, "fmt": "pdf"}, case_api())],
    "api-evidence-list": [Probe("get", status=case_api(), query=lambda w: {"case": w.case.pk},
                                markers=[(private_name, RESTRICTED_OK)])],
    "api-evidence": [
        Probe("get", lambda w: {"pk": w.plain.pk}, case_api()),
        Probe("get", lambda w: {"pk": w.flagged.pk}, restricted(case_api())),
    ],
    "api-evidence-content": [
        Probe("get", lambda w: {"pk": w.plain.pk}, case_api()),
        Probe("get", lambda w: {"pk": w.flagged.pk}, restricted(case_api(), 428)),
        Probe("get", lambda w: {"pk": w.flagged.pk}, restricted(case_api()), query=lambda w: {"reason": "核对证据"}),
    ],
    "api-evidence-uploads": [
        Probe("get", status=expect(200, anon=401), markers=[(lambda w: str(w.upload.pk), ("alice",))]),
        Probe("post", status=expect(400, anon=401), data=lambda w: {}, json=True),
    ],
    # An upload in progress belongs to the one who started it: everybody else gets 404.
    "api-evidence-upload": [Probe("get", lambda w: {"pk": w.upload.pk}, expect(404, anon=401, alice=200))],
    "api-evidence-upload-complete": [Probe("post", lambda w: {"pk": w.upload.pk},
                                           expect(404, anon=401, alice=409))],
    "api-publications": [Probe("get", status=public(), markers=[(decision_number, PERSONAS)])],
    "api-publications-pending": [Probe("get", status=expect(200, anon=401), markers=[(number, ())])],
    "api-publish": [Probe("post", lambda w: {"pk": w.publication.pk},
                          case_api(403, carol=400, dave=400, erin=400))],
    # Lifecycle: empty bodies, so the actors get the rule (400) and the state does not change.
    "api-publication-correct": [Probe("post", lambda w: {"pk": w.publication.pk},
                                      case_api(403, carol=400, dave=400, erin=400), data=lambda w: {"reason": ""},
                                      json=True)],
    "api-publication-withdraw": [Probe("post", lambda w: {"pk": w.publication.pk},
                                       case_api(403, carol=400, dave=400, erin=400),
                                       data=lambda w: {"ground": "", "reason": ""}, json=True)],
    "api-publication-report": [Probe("post", lambda w: {"pk": w.publication.pk}, public(400),
                                     data=lambda w: {"description": ""}, json=True)],
    "api-credit-repair": [Probe("post", status=public(400), data=lambda w: {}, json=True)],
    "api-registry-import": [Probe("post", lambda w: {"kind": "officers"}, expect(400, anon=401), data=lambda w: {})],
    "api-access-log": [Probe("get", status=expect(403, anon=401, dave=200, erin=200, sam=200),
                             markers=[(number, OVERSIGHT), (private_name, ("dave", "erin", "sam"))])],
    "api-monitoring-dashboard": [Probe("get", status=expect(403, anon=401, erin=200, sam=200))],
    "api-monitoring-cases": [Probe("get", status=expect(403, anon=401, erin=200, sam=200),
                                   markers=[(number, ("erin", "sam"))])],
    "api-monitoring-alerts": [Probe("get", status=expect(200, anon=401, root=403, audrey=403))],
    "api-monitoring-alert-action": [Probe("post", lambda w: {"pk": 999999, "action": "dismiss"},
                                          expect(404, anon=401, root=403, audrey=403), data=lambda w: {"reason": "x"},
                                          json=True, scoped_404=False)],
    "api-officer-certificate": [Probe("get", lambda w: {"pk": w.world.alice_officer.pk},
                                      expect(403, anon=401, carol=200, erin=200, sam=200))],
    "api-officer-certificate-act": [Probe("post", lambda w: {"pk": w.world.alice_officer.pk, "action": "suspend"},
                                          expect(403, anon=401, carol=403, erin=403, sam=400), data=lambda w: {},
                                          json=True)],
    "api-evaluation-rounds": [Probe("get", status=expect(403, anon=401, **EVALUATION_READERS))],
    "api-evaluation-file": [Probe("get", lambda w: {"pk": evaluation(w)[1].pk},
                                  expect(403, anon=401, **EVALUATION_READERS))],
    "api-evaluation-score": [Probe("post", lambda w: {"pk": evaluation(w)[1].pk},
                                   expect(403, anon=401, carol=400, dave=400, erin=400, sam=400), data=lambda w: {},
                                   json=True)],
    "api-evaluation-answer": [Probe("post", lambda w: {"pk": evaluation(w)[2].pk},
                                    expect(403, anon=401, carol=400, dave=400, erin=400, sam=400), data=lambda w: {},
                                    json=True)],
    "api-officers": [Probe("get", status=public())],
    "api-items": [Probe("get", status=public())],
    "api-av-list": [Probe("get", status=public())],
    "api-agencies": [Probe("get", status=public())],
    # 行政许可 and 收费清单 (licensing app): the portal's form and list are public; the applications
    # are the agency's (not a case yet: an officer's registration opens it).
    "licensing:apply": [Probe("get", licensing_kw, public())],
    "licensing:fees": [Probe("get", status=public())],
    # 网上补正: no login; number + query code decide (an empty form names the code field, 400).
    "licensing:supplement": [Probe("get", status=public()),
                             Probe("post", status=public(400), data=lambda w: {}, scoped_404=False)],
    "api-licensing-supplement": [Probe("post", status=public(400), data=lambda w: {}, scoped_404=False)],
    "licensing:applications": [Probe("get", status=expect(200, anon=302, root=403, audrey=403),
                                     markers=[(lambda w: licensing_application(w).number, IN_SCOPE)])],
    # One officer is too few (refused with the rule, back to the list); other agencies 404.
    "licensing:register": [Probe("post", application_kw, case_page(302))],
    "licensing:materials": [Probe("post", application_kw, case_page(302))],
    "api-licensing-guide": [Probe("get", licensing_kw, public())],
    "api-licensing-apply": [Probe("post", licensing_kw, public(400), data=lambda w: {}, scoped_404=False)],
    "api-fee-list": [Probe("get", status=public())],
    "api-licensing-applications": [
        Probe("get", status=expect(200, anon=401), markers=[(lambda w: licensing_application(w).number, IN_SCOPE)]),
        Probe("post", status=expect(400, anon=401), data=lambda w: {}, json=True),
    ],
    "api-licensing-register": [Probe("post", application_kw, case_api(400), data=lambda w: {}, json=True)],
    # Only an officer registers 补正 materials (the others are refused by role); not before registration.
    "api-licensing-materials": [Probe("post", application_kw, case_api(403, alice=409, oscar=409), data=lambda w: {})],
    # A lookup without number and code finds nothing and says which field is missing.
    "api-progress": [Probe("post", status=public(400), data=lambda w: {}, scoped_404=False)],
    # Supervision: 投诉举报 (public intake), 监督案件, 责任追究.
    "complaints:new": [Probe("get", status=public())],
    "api-public-complaints": [Probe("post", status=public(400), data=lambda w: {}, json=True)],
    "supervision:matters": [Probe("get", lambda w: (_sv(w), {})[1], expect(403, anon=302, carol=200, erin=200, sam=200),
                                  markers=[(matter_number, HANDLERS)])],
    "supervision:matter_new": [Probe("get", status=expect(403, anon=302, sam=200))],
    "supervision:matter": [Probe("get", lambda w: {"pk": _sv(w)[1].pk},
                                 expect(403, anon=302, carol=200, erin=200, sam=200))],
    # Closing without a conclusion: refused with the rule for the supervisor, by role for the agency.
    "supervision:matter_action": [Probe("post", lambda w: {"pk": _sv(w)[1].pk, "action": "close"},
                                        expect(403, anon=302, sam=400), data=lambda w: {"conclusion": ""})],
    "supervision:matter_document": [Probe("get", lambda w: {"pk": _sv(w)[1].pk, "document_id": _sv(w)[2].pk,
                                                            "fmt": "pdf"}, expect(403, anon=302, carol=200, erin=200,
                                                                                  sam=200))],
    "supervision:matter_file": [Probe("get", lambda w: {"pk": _sv(w)[1].pk, "sha256": _sv(w)[1].steps.get(
        action="answer").files[0]["sha256"]}, expect(403, anon=302, carol=200, erin=200, sam=200))],
    "supervision:complaints": [Probe("get", lambda w: (_sv(w), {})[1], expect(403, anon=302, carol=200, erin=200,
                                                                              sam=200),
                                     markers=[(lambda w: _sv(w)[0].number, HANDLERS)])],
    "supervision:complaint": [Probe("get", lambda w: {"pk": _sv(w)[0].pk},
                                    expect(403, anon=302, carol=200, erin=200, sam=200))],
    "supervision:complaint_action": [Probe("post", lambda w: {"pk": _sv(w)[0].pk, "action": "reject"},
                                           expect(403, anon=302, carol=400, erin=400, sam=400),
                                           data=lambda w: {"reason": ""})],
    "supervision:accountability": [Probe("get", case_kw, case_page(403, erin=200, sam=200),
                                         markers=[(number, ("erin", "sam"))])],
    "supervision:accountability_pdf": [Probe("get", case_kw, case_page(403, erin=200, sam=200))],
    "api-complaints": [Probe("get", lambda w: (_sv(w), {})[1], expect(403, anon=401, carol=200, erin=200, sam=200),
                             markers=[(lambda w: _sv(w)[0].number, HANDLERS)])],
    "api-complaint": [Probe("get", lambda w: {"pk": _sv(w)[0].pk}, expect(403, anon=401, carol=200, erin=200,
                                                                          sam=200))],
    "api-complaint-action": [Probe("post", lambda w: {"pk": _sv(w)[0].pk, "action": "reply"},
                                   expect(403, anon=401, carol=400, erin=400, sam=400), data=lambda w: {}, json=True)],
    "api-matters": [
        Probe("get", lambda w: (_sv(w), {})[1], expect(403, anon=401, carol=200, erin=200, sam=200),
              markers=[(matter_number, HANDLERS)]),
        Probe("post", status=expect(403, anon=401, sam=400), data=lambda w: {}, json=True),
    ],
    "api-matter": [Probe("get", lambda w: {"pk": _sv(w)[1].pk}, expect(403, anon=401, carol=200, erin=200, sam=200))],
    "api-matter-action": [Probe("post", lambda w: {"pk": _sv(w)[1].pk, "action": "close"},
                                expect(403, anon=401, sam=400), data=lambda w: {}, json=True)],
    "api-case-accountability": [Probe("get", case_kw, case_api(403, erin=200, sam=200))],
    # 行政检查与双随机、一公开: the list, plans, draws and results are public; the draw is organised by
    # heads (already drawn here: a redraw without its reason is refused), tasks taken by the drawn officers.
    "spotcheck:list": [Probe("get", status=public())],
    "spotcheck:plan": [Probe("get", plan_kw, public())],
    "draws:detail": [Probe("get", draw_kw, public())],
    "draws:json": [Probe("get", draw_kw, public())],
    "api-draw": [Probe("get", draw_kw, public())],
    "api-check-items": [Probe("get", status=public())],
    "inspections:home": [Probe("get", status=expect(200, anon=302))],
    "inspections:template": [Probe("get", status=expect(200, anon=302))],
    # Already drawn: the heads get the plan page back with the rule (409); the other roles are refused.
    "inspections:draw": [Probe("post", plan_kw, case_page(302, carol=409, erin=409),
                               refused=("alice", "oscar", "dave", "sam"))],
    # The two steps of the staff page: a commitment for a plan already drawn needs the draw it replaces
    # (409 for the heads); nothing is committed, so there is nothing to draw (409).
    "inspections:commit": [Probe("post", plan_kw, case_page(302, carol=409, erin=409),
                                 refused=("alice", "oscar", "dave", "sam"))],
    "inspections:reveal": [Probe("post", plan_kw, case_page(302, carol=409, erin=409),
                                 refused=("alice", "oscar", "dave", "sam"))],
    "inspections:task": [Probe("post", plan_kw, case_page(302), data=lambda w: {"uscc": ""})],
    # The plan form answers everyone signed in (a notice for those who may not plan); an empty post is
    # refused with the field named (400) before the role is looked at.
    "inspections:plan_new": [Probe("get", status=expect(200, anon=302)),
                             Probe("post", status=expect(400, anon=302), data=lambda w: {})],
    "inspections:plan": [Probe("get", plan_kw, case_page(200))],
    # 回避申报: an empty declaration names the field; a withdrawal without its reason is refused with the
    # rule for the heads, by role for officers (not their own) and the other roles.
    "inspections:avoidances": [Probe("get", status=expect(200, anon=302)),
                               Probe("post", status=expect(400, anon=302), data=lambda w: {})],
    "inspections:avoidance_withdraw": [Probe("post", avoidance_kw, case_page(302), data=lambda w: {},
                                             refused=("alice", "oscar", "dave", "sam"))],
    "inspections:import": [Probe("post", status=expect(302), data=lambda w: {})],
    "api-plan-draw": [Probe("post", plan_kw, case_api(403, carol=409, erin=409), data=lambda w: {}, json=True)],
    "api-plan-task": [Probe("post", plan_kw, case_api(400), data=lambda w: {"uscc": ""}, json=True)],
    "api-inspection-task": [Probe("post", status=expect(400, anon=401), data=lambda w: {}, json=True)],
    "api-avoidance": [Probe("post", status=expect(400, anon=401), data=lambda w: {}, json=True)],
    "api-targets-import": [Probe("post", status=expect(400, anon=401), data=lambda w: {})],
    # 数据交换与年度报告 (sanxiang/exchange): heads, legal reviewers and supervisors; officers and
    # administrators are refused by role.
    **_exchange_rows(),
}


def _walk(patterns, namespace: str = ""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            if pattern.namespace in SKIPPED_NAMESPACES:
                continue
            yield from _walk(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern):
            yield f"{namespace}{pattern.name}" if pattern.name else f"{namespace}<unnamed {pattern.pattern}>"


def url_names() -> set[str]:
    return set(_walk(get_resolver().url_patterns))


def test_every_url_has_an_expectation():
    names = url_names()
    assert not sorted(names - set(EXPECTED)), "URLs without a row in EXPECTED (add one)"
    assert not sorted(set(EXPECTED) - names), "rows in EXPECTED for URLs that no longer exist"
    for name, probes in EXPECTED.items():
        for probe in probes:
            assert set(probe.status) == set(PERSONAS), name


def _clients(w: RecordsWorld) -> dict[str, Client]:
    # One sign-in helper for the whole matrix: if sign-in changes (2FA), only this changes.
    users = {"alice": w.world.alice, "oscar": w.oscar, "carol": w.world.carol, "dave": w.world.dave,
             "erin": w.world.erin, "mallory": w.world.mallory, "sam": w.world.sam, "root": w.root,
             "audrey": w.audrey}
    clients = {"anon": Client(REMOTE_ADDR="127.0.1.1")}
    for i, (name, user) in enumerate(users.items(), start=2):
        client = Client(REMOTE_ADDR=f"127.0.1.{i}")
        client.force_login(user)
        clients[name] = client
    return clients


def _request(client: Client, probe: Probe, url: str, w: RecordsWorld):
    if probe.method == "get":
        return client.get(url, probe.query(w))
    data = probe.data(w) if probe.data else {}
    if probe.json:
        return client.post(url, data, content_type="application/json")
    return client.post(url, data)


def _body(response) -> str:
    if getattr(response, "streaming", False):
        return ""  # a file download: its bytes are checked by the dossier and evidence tests
    return response.content.decode("utf-8", errors="replace")


def _denials() -> int:
    return Entry.objects.filter(kind="audit.permission_denied").count()


@pytest.fixture
def records_world(db, settings, tmp_path):
    settings.EVIDENCE_UPLOAD_DIR = str(tmp_path / "uploads")
    return build_records_world()


@pytest.mark.django_db
def test_every_url_answers_every_persona_as_the_table_says(records_world):
    w = records_world
    clients = _clients(w)
    problems: list[str] = []
    for name, probes in EXPECTED.items():
        for probe in probes:
            url = reverse(name, kwargs=probe.kwargs(w))
            for persona in PERSONAS:
                before = _denials()
                response = _request(clients[persona], probe, url, w)
                expected = probe.status[persona]
                where = f"{probe.method.upper()} {url} {probe.query(w) or ''} as {persona}"
                if response.status_code != expected:
                    problems.append(f"{where}: {response.status_code}, expected {expected}")
                    continue
                denied = expected == 403 or (expected == 404 and probe.scoped_404) or persona in probe.refused
                logged = _denials() - before
                want = 1 if denied and persona != "anon" else 0
                if logged != want:
                    problems.append(f"{where}: {logged} permission_denied audit entries, expected {want}")
                if expected == 200:
                    body = _body(response)
                    for marker, present_for in probe.markers:
                        text = marker(w)
                        if (text in body) != (persona in present_for):
                            problems.append(f"{where}: {text!r} {'missing' if persona in present_for else 'leaked'}")
    assert not problems, "\n".join(problems)
