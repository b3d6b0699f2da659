"""Numbers per agency, kind and year with no gap and no duplicate, also under concurrent issuing;
reissuing keeps the number and makes a new version."""

from __future__ import annotations

import contextlib
import sqlite3
import threading

import pytest
from django.db import DEFAULT_DB_ALIAS, connection, connections

from sanxiang.cases.walkthrough import walk
from sanxiang.documents.models import Document
from sanxiang.documents.services import document_issue
from sanxiang.documents.tests.conftest import EXTRA, TODAY
from sanxiang.testing import citizen_party

YEAR = TODAY.year


@pytest.mark.django_db
def test_numbers_are_gapless_per_agency_kind_and_year(world, cast, open_case):
    case = walk(open_case(), cast, until="investigation")
    numbers = [document_issue(case=case, kind="inquiry_record", actor=world.alice, extra=EXTRA["inquiry_record"]).number
               for _ in range(3)]
    assert numbers == [f"测城管罚询〔{YEAR}〕第{n}号" for n in (1, 2, 3)]
    # Another kind in the same agency has its own sequence.
    inspection = document_issue(case=case, kind="inspection_record", actor=world.bob, extra=EXTRA["inspection_record"])
    assert inspection.number == f"测城管罚检〔{YEAR}〕第1号"
    # Another case of the same agency continues the agency's sequence.
    other = walk(open_case(party=citizen_party(55)), cast, until="investigation")
    assert document_issue(case=other, kind="inquiry_record", actor=world.alice,
                          extra=EXTRA["inquiry_record"]).number == f"测城管罚询〔{YEAR}〕第4号"


@pytest.mark.django_db
def test_a_refused_issue_uses_no_number(world, cast, open_case):
    case = walk(open_case(), cast, until="investigation")
    with pytest.raises(Exception):  # noqa: B017 — any refusal; the point is the number afterwards
        document_issue(case=case, kind="inquiry_record", actor=world.alice, extra={**EXTRA["inquiry_record"], "qa": ""})
    doc = document_issue(case=case, kind="inquiry_record", actor=world.alice, extra=EXTRA["inquiry_record"])
    assert doc.number == f"测城管罚询〔{YEAR}〕第1号"


@pytest.mark.django_db
def test_reissue_makes_version_two_with_the_same_number(world, cast, open_case):
    case = walk(open_case(), cast, until="notice")
    first = document_issue(case=case, kind="prior_notice", actor=world.alice, extra=EXTRA["prior_notice"])
    second = document_issue(case=case, kind="prior_notice", actor=world.bob, extra={"contact": "0379-87654321"})
    assert (second.number, second.version, second.supersedes_id) == (first.number, 2, first.pk)
    assert second.pdf_id != first.pdf_id and second.content_sha256 != first.content_sha256
    first.refresh_from_db()
    assert not first.is_current and second.is_current
    assert Document.objects.filter(number=first.number).count() == 2  # nothing overwritten or deleted
    # A record kind is reissued by naming the document it replaces; values not given are kept.
    # (The case is past 调查取证, so a 询问笔录 now is a 补正 and says why.)
    reason = "补记调查阶段遗漏的询问笔录"
    record = document_issue(case=case, kind="inquiry_record", actor=world.alice, extra=EXTRA["inquiry_record"],
                            correction_reason=reason)
    assert record.content["correction"]["reason"] == reason
    fixed = document_issue(case=case, kind="inquiry_record", actor=world.alice, reissue_of=record,
                           extra={"recorder": "艾丽"}, correction_reason="补填记录人")
    assert (fixed.number, fixed.version) == (record.number, 2)
    assert fixed.extra["interviewee"] == "张三丰" and fixed.extra["recorder"] == "艾丽"
    with pytest.raises(Exception, match="已被第2版替代"):
        document_issue(case=case, kind="inquiry_record", actor=world.alice, reissue_of=record, correction_reason="再改")


def _issue_in_threads(cases, actor, kind, count: int) -> tuple[list[Document], list[BaseException]]:
    """`count` threads issue at once, spread over `cases`; each thread has its own connection."""
    barrier = threading.Barrier(count)
    results: list[Document] = []
    errors: list[BaseException] = []

    def work(case):
        try:
            barrier.wait(timeout=30)
            results.append(document_issue(case=case, kind=kind, actor=actor, extra=EXTRA.get(kind)))
        except BaseException as exc:  # noqa: BLE001 — reported by the test
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(cases[i % len(cases)],)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return results, errors


@contextlib.contextmanager
def threads_database(tmp_path):
    """The database the worker threads write to.

    PostgreSQL: the test database itself. SQLite: the in-memory test database cannot take
    concurrent writers (its shared cache fails a lock at once instead of waiting), so its content
    is copied to a file database and the threads connect to that one, with the settings of
    production: BEGIN IMMEDIATE, WAL, a busy timeout. Yields a function that runs SQL there.
    """
    if connection.vendor != "sqlite" or not connection.is_in_memory_db():
        def query(sql):
            with connection.cursor() as cursor:
                cursor.execute(sql)
                return cursor.fetchall()
        yield query
        return
    path = str(tmp_path / "threads.sqlite3")
    target = sqlite3.connect(path)
    connection.ensure_connection()
    connection.connection.backup(target)
    target.close()
    settings_dict = connections.settings[DEFAULT_DB_ALIAS]
    saved = settings_dict["NAME"]
    settings_dict["NAME"] = path  # connections opened from now on (the threads') use the file
    try:
        def query(sql):
            with contextlib.closing(sqlite3.connect(path)) as db:
                return db.execute(sql).fetchall()
        yield query
    finally:
        settings_dict["NAME"] = saved


@pytest.mark.django_db(transaction=True)
def test_concurrent_issues_get_distinct_gapless_numbers(world, cast, open_case, tmp_path):
    case = walk(open_case(), cast, until="notice")
    other = walk(open_case(party=citizen_party(77)), cast, until="investigation")
    third = walk(open_case(party=citizen_party(78)), cast, until="investigation")
    with threads_database(tmp_path) as query:
        # Two cases of one agency (both at 调查取证, where 询问笔录 are made): the case locks do not
        # serialise these, the counter row does.
        docs, errors = _issue_in_threads([third, other], world.alice, "inquiry_record", 6)
        assert not errors, errors
        expected = sorted(f"测城管罚询〔{YEAR}〕第{n}号" for n in range(1, 7))
        assert sorted(d.number for d in docs) == expected
        assert sorted(r[0] for r in query("SELECT number FROM documents_document")) == expected
        # Two first issues of a once-per-case document at once: versions 1 and 2 of one number.
        docs, errors = _issue_in_threads([case], world.alice, "prior_notice", 2)
        assert not errors, errors
        assert sorted(d.version for d in docs) == [1, 2] and len({d.number for d in docs}) == 1
        # Every issue has its ledger entry, and the log has no gap.
        indexes = [r[0] for r in query('SELECT "index" FROM ledger_entry ORDER BY "index"')]
        assert indexes == list(range(len(indexes)))
        issued = query("SELECT COUNT(*) FROM ledger_entry WHERE kind = 'document.issue'")[0][0]
        assert issued == 8
