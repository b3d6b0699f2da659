"""Dashboard benchmark (监督驾驶舱): fills 10,000 and then 1,000,000 cases by bulk insert and
prints the time the dashboard's queries take at both sizes, beside the same figures counted
live from the case table (what the tallies save).

    PYTHONPATH=$PWD /work/main/.venv/bin/python bench/dashboard_bench.py            # 10k and 1M, SQLite
    PYTHONPATH=$PWD /work/main/.venv/bin/python bench/dashboard_bench.py --sizes 10000,100000
    scripts/with_postgres.sh env PYTHONPATH=$PWD python bench/dashboard_bench.py --database-url "$DATABASE_URL"

A throwaway database (a new SQLite file in a temporary directory, never var/) is created and
migrated. Bulk inserts go around the save hooks, as a data import would: the tallies are then
rebuilt (`sanxiang monitoring_rebuild`), and that time is printed too. Not a test.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

AGENCY_TREE = [("city-um", 4), ("city-env", 3), ("city-mkt", 4), ("city-traffic", 3), ("city-res", 2)]
KINDS = ["penalty", "penalty", "penalty", "inspection", "licensing", "compulsion"]
STATES = (["filing"] * 3 + ["investigation"] * 8 + ["notice"] * 3 + ["legal_review"] * 2 + ["decision"] * 2
          + ["service"] * 2 + ["execution"] * 4 + ["closing"] * 2 + ["archive"] * 2 + ["archived"] * 50
          + ["not_filed", "withdrawn", "not_penalised"])
DECIDED = {"service", "execution", "closing", "archive", "archived"}
OPINIONS = ["agree"] * 8 + ["correct", "return"]


def setup_world():
    from sanxiang.accounts.models import Role
    from sanxiang.common.services import record_save
    from sanxiang.registry.models import EnforcementItem, Flow
    from sanxiang.registry.services import defaults_install
    from sanxiang.testing import AgencyFactory, UserFactory

    defaults_install(actor="bench")
    flow = Flow.objects.get(code="penalty_general")
    agencies, items = [], []
    for code, districts in AGENCY_TREE:
        parent = AgencyFactory(code=code, name=f"测试市{code}局", doc_prefix=f"测{code}")
        agencies.append(parent)
        for d in range(districts):
            agencies.append(AgencyFactory(code=f"{code}-d{d}", name=f"测试市{code}局第{d}分局", doc_prefix=f"测{code}{d}",
                                          parent=parent))
    for agency in agencies:
        for i, kind in enumerate(sorted(set(KINDS))):
            items.append(record_save(EnforcementItem(agency=agency, code=f"X{i:03d}", name=f"事项{kind}", kind=kind,
                                                     flow=flow), actor="bench"))
    supervisor = UserFactory(username="sam", role=Role.SUPERVISOR, agency=None)
    head = UserFactory(username="erin", role=Role.AGENCY_HEAD, agency=agencies[0])  # city-um and its 4 districts
    officer = UserFactory(username="alice", role=Role.OFFICER, agency=agencies[0])
    return {"flow": flow, "agencies": agencies, "items": items, "sam": supervisor, "erin": head, "actor": officer}


def raw_insert(objs) -> None:
    """INSERT rows with executemany (Django's bulk_create compiles each value and, on SQLite,
    batches a few dozen rows per statement: 20x slower here). Primary keys are set by the caller."""
    from django.db import connection

    if not objs:
        return
    model = type(objs[0])
    fields = [f for f in model._meta.concrete_fields]
    for obj in objs:
        for f in fields:
            if getattr(f, "auto_now_add", False) and getattr(obj, f.attname) is None:
                setattr(obj, f.attname, f.pre_save(obj, add=True))
            elif f.has_default() and getattr(obj, f.attname) is None and not f.null:
                setattr(obj, f.attname, f.get_default())
    qn = connection.ops.quote_name
    sql = (f"INSERT INTO {qn(model._meta.db_table)} ({', '.join(qn(f.column) for f in fields)}) "
           f"VALUES ({', '.join(['%s'] * len(fields))})")
    rows = [[f.get_db_prep_save(getattr(o, f.attname), connection) for f in fields] for o in objs]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def next_id(model) -> int:
    from django.db.models import Max

    return (model.objects.aggregate(m=Max("pk"))["m"] or 0) + 1


def fill(world, start: int, stop: int, rng: random.Random, batch: int = 10_000) -> float:
    """Bulk-insert cases start..stop-1 (with their reviews and publications); returns seconds."""
    from django.db import transaction
    from django.utils import timezone

    from sanxiang.cases.models import Case
    from sanxiang.disclosure.models import Publication
    from sanxiang.reviews.models import LegalReview

    today = timezone.localdate()
    now = timezone.now()
    items = world["items"]
    began = time.perf_counter()
    case_id, review_id, publication_id = next_id(Case), next_id(LegalReview), next_id(Publication)
    for lo in range(start, stop, batch):
        hi = min(lo + batch, stop)
        cases = []
        for n in range(lo, hi):
            item = items[rng.randrange(len(items))]
            opened = today - dt.timedelta(days=rng.randrange(0, 3 * 365))
            state = rng.choice(STATES) if (today - opened).days > 120 else rng.choice(STATES[:30])
            decided = state in DECIDED
            decided_on = opened + dt.timedelta(days=rng.randrange(20, 85)) if decided else None
            if decided_on and decided_on > today:
                decided_on = today
            step_due = None
            if state == "legal_review":
                step_due = opened + dt.timedelta(days=rng.randrange(40, 120))
            elif state in ("service", "execution"):
                step_due = (decided_on or today) + dt.timedelta(days=rng.choice([7, 15]))
            fine = Decimal(rng.choice([200, 500, 800, 2000, 5000, 20000])) if decided and rng.random() < .8 else None
            hearing = decided and rng.random() < .08
            case_id += 1
            cases.append(Case(
                pk=case_id, agency_id=item.agency_id, item_id=item.pk, flow_id=world["flow"].pk, number=f"BENCH-{n:08d}",
                state=state, title="基准测试案件", opened_on=opened,
                decision_due=opened + dt.timedelta(days=90) if item.kind == "penalty" else None,
                step_entered_at=now, step_due=step_due, decided_on=decided_on, fine_amount=fine,
                hearing_requested=hearing, hearing_held_on=decided_on if hearing and rng.random() < .7 else None,
                closed_on=decided_on if state == "archived" else None, created_by_id=world["actor"].pk))
        with transaction.atomic():
            raw_insert(cases)
            reviews, publications = [], []
            for c in cases:
                if c.decided_on and rng.random() < .25:
                    at = timezone.make_aware(dt.datetime.combine(c.decided_on - dt.timedelta(days=3), dt.time(10)))
                    review_id += 1
                    reviews.append(LegalReview(pk=review_id, case_id=c.pk, reviewer_id=world["actor"].pk, started_on=c.opened_on,
                                               submitted_at=at, opinion=rng.choice(OPINIONS), opinion_text="审核意见"))
                if c.decided_on:
                    due = c.decided_on + dt.timedelta(days=9)
                    published = due < today and rng.random() < .95
                    late = rng.random() < .05
                    at = dt.datetime.combine(due + dt.timedelta(days=3 if late else -2), dt.time(9))
                    publication_id += 1
                    publications.append(Publication(
                        pk=publication_id, agency_id=c.agency_id, case_id=c.pk, kind="penalty", title="行政处罚决定",
                        decision_number=f"D-{c.pk}", party_name="张*", party_kind="citizen", content={},
                        decided_on=c.decided_on, due_on=due, status="published" if published else "pending",
                        published_at=timezone.make_aware(at) if published else None, content_sha256="0" * 64))
            raw_insert(reviews)
            raw_insert(publications)
    return time.perf_counter() - began


def timed(fn, repeat: int) -> tuple[float, float]:
    """(first run, median of the following `repeat`) in milliseconds."""
    t0 = time.perf_counter()
    fn()
    first = (time.perf_counter() - t0) * 1000
    runs = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        runs.append((time.perf_counter() - t0) * 1000)
    return first, statistics.median(runs)


def live_figures(user):
    """The same headline figures counted from the cases themselves (no tallies): by agency,
    kind, state, month, overdue and due soon."""
    from django.db.models import Count, Q
    from django.db.models.functions import TruncMonth
    from django.utils import timezone

    from sanxiang.cases.models import Case
    from sanxiang.monitoring.tally import open_q

    on = timezone.localdate()
    qs = Case.objects.visible_to(user).order_by()
    list(qs.values("agency_id").annotate(n=Count("pk")))
    list(qs.values("item__kind").annotate(n=Count("pk")))
    list(qs.values("state").annotate(n=Count("pk")))
    list(qs.annotate(m=TruncMonth("opened_on")).values("m").annotate(n=Count("pk")))
    qs.filter(open_q()).filter(Q(step_due__lt=on) | Q(decision_due__lt=on, decided_on__isnull=True)).count()


def measure(world, size: int, repeat: int) -> dict:
    from django.db import connection

    from sanxiang.monitoring import selectors
    from sanxiang.monitoring.tally import rebuild

    t0 = time.perf_counter()
    rows = rebuild()
    rebuilt = time.perf_counter() - t0
    out = {"size": size, "rebuild_s": rebuilt, "tally_rows": rows}
    for label, user in (("supervisor", world["sam"]), ("agency_head", world["erin"])):
        out[f"dashboard_{label}_ms"] = timed(lambda u=user: selectors.dashboard(u), repeat)
        out[f"live_{label}_ms"] = timed(lambda u=user: live_figures(u), max(1, repeat // 2))
    out["drilldown_overdue_page_ms"] = timed(
        lambda: (lambda qs: (qs.count(), list(qs[:50])))(selectors.case_drilldown(world["sam"], {"overdue": "1"})),
        max(1, repeat // 2))
    out["overdue"] = selectors.dashboard(world["sam"])["overdue"]
    out["vendor"] = connection.vendor
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Sanxiang dashboard benchmark")
    parser.add_argument("--sizes", default="10000,1000000", help="case counts, ascending (default 10000,1000000)")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--workdir", type=Path, help="a new directory for the throwaway database (default: temporary)")
    parser.add_argument("--database-url", help="a throwaway PostgreSQL server (scripts/with_postgres.sh)")
    parser.add_argument("--seed", type=int, default=20261202)
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="sanxiang-dashboard-bench-"))
    from bench.env import configure

    vendor = configure(workdir, args.database_url)
    print(f"database: {vendor} ({workdir})", flush=True)
    world = setup_world()
    rng = random.Random(args.seed)
    have = 0
    results = []
    for size in sizes:
        took = fill(world, have, size, rng)
        print(f"filled {size:,} cases (+{size - have:,} in {took:.0f} s)", flush=True)
        have = size
        r = measure(world, size, args.repeat)
        results.append(r)
        print(f"  tallies rebuilt in {r['rebuild_s']:.1f} s: {r['tally_rows']}", flush=True)
        for key in ("dashboard_supervisor_ms", "dashboard_agency_head_ms", "live_supervisor_ms", "live_agency_head_ms",
                    "drilldown_overdue_page_ms"):
            first, median = r[key]
            print(f"  {key[:-3]:<28} first {first:8.1f} ms   median {median:8.1f} ms", flush=True)
        print(f"  overdue cases: {r['overdue']:,}", flush=True)
    print("\nsize        dashboard (supervisor)  dashboard (agency head)  live count (supervisor)")
    for r in results:
        print(f"{r['size']:>10,}  {r['dashboard_supervisor_ms'][1]:>17.1f} ms  {r['dashboard_agency_head_ms'][1]:>18.1f} ms"
              f"  {r['live_supervisor_ms'][1]:>18.1f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
