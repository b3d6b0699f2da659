"""The dashboard's tallies, kept current by save hooks and rebuilt in bulk.

Every save of a Case moves the case from its old buckets to its new ones (CaseTally, MonthTally,
DueTally), every save of a Publication likewise (PublicationTally), in the same transaction as
the save; every new LegalReview adds one to its bucket (ReviewTally).
Rows written around the model's save (bulk inserts, queryset updates, data migrations) are not
seen by the hooks: `rebuild()` (command `sanxiang monitoring_rebuild`, also run nightly) counts
everything again. `check()` compares the tallies with a live count (used by the tests).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import IntegrityError, connection, transaction
from django.db.models import Count, F, Q, Sum
from django.db.models.signals import post_save, pre_save
from django.utils import timezone

from sanxiang.monitoring.models import CaseTally, DueTally, MonthTally, PublicationTally, ReviewTally

CASE_FIELDS = ("agency_id", "item_id", "flow_id", "state", "opened_on", "decided_on", "decision_due", "step_due",
               "hearing_requested", "hearing_held_on", "fine_amount")
def final_states(flow_id: int) -> frozenset[str]:
    # Read each time, like item_kind: an administrator may edit a flow, and a process-wide cache
    # keyed by id outlives both the edit and a rolled-back id.
    from sanxiang.cases.engine import flow_spec
    from sanxiang.registry.models import Flow

    return frozenset(flow_spec(Flow.objects.get(pk=flow_id)).final)


def all_final_states() -> dict[int, frozenset[str]]:
    from sanxiang.registry.models import Flow

    return {pk: final_states(pk) for pk in Flow.objects.values_list("pk", flat=True)}


def open_q(prefix: str = "") -> Q:
    """Q of the cases not in a final step of their flow (the flows are data: asked of each)."""
    closed = Q()
    for flow_id, finals in all_final_states().items():
        if finals:
            closed |= Q(**{f"{prefix}flow_id": flow_id, f"{prefix}state__in": sorted(finals)})
    return ~closed if closed else Q()


def item_kind(item_id: int) -> str:
    # Asked each time (one indexed row): a process-wide cache kept an item's kind after the row
    # changed or, in a rolled-back transaction, after its id was given to another item.
    from sanxiang.registry.models import EnforcementItem

    return EnforcementItem.objects.values_list("kind", flat=True).get(pk=item_id)


def effective_due(v: dict) -> dt.date | None:
    """The earliest deadline an open case runs against: the step's, and the decision's until decided."""
    dates = [v["step_due"]] if v["step_due"] else []
    if v["decision_due"] and v["decided_on"] is None:
        dates.append(v["decision_due"])
    return min(dates) if dates else None


def _case_buckets(v: dict | None):
    if v is None:
        return None
    kind = item_kind(v["item_id"])
    final = v["state"] in final_states(v["flow_id"])
    key = {"agency_id": v["agency_id"], "kind": kind, "state": v["state"], "final": final,
           "decided": v["decided_on"] is not None, "hearing_requested": bool(v["hearing_requested"]),
           "hearing_held": v["hearing_held_on"] is not None}
    fine = Decimal(v["fine_amount"]) if v["fine_amount"] is not None else None
    due = None if final else effective_due(v)
    return {"case": (key, fine), "month": {"agency_id": v["agency_id"], "month": v["opened_on"].replace(day=1)},
            "due": {"agency_id": v["agency_id"], "kind": kind, "due": due} if due else None}


def publication_bucket(v: dict | None) -> dict | None:
    if v is None:
        return None
    late = False
    published_at = v["published_at"]
    if v["status"] == "published" and published_at and v["due_on"]:
        late = timezone.localtime(published_at).date() > v["due_on"]
    due = v["due_on"] if v["status"] == "pending" and v["due_on"] else PublicationTally.NO_DUE
    return {"agency_id": v["agency_id"], "status": v["status"], "late": late, "due": due}


def _bump(model, key: dict, sign: int, **amounts) -> None:
    updates = {"n": F("n") + sign, **{k: F(k) + sign * a for k, a in amounts.items()}}
    if model.objects.filter(**key).update(**updates):
        return
    try:
        with transaction.atomic():
            model.objects.create(**key, n=sign, **{k: sign * a for k, a in amounts.items()})
    except IntegrityError:  # created meanwhile by a concurrent writer
        model.objects.filter(**key).update(**updates)


def _apply_case(v: dict | None, sign: int) -> None:
    buckets = _case_buckets(v)
    if buckets is None:
        return
    key, fine = buckets["case"]
    _bump(CaseTally, key, sign, fined=1 if fine is not None else 0, fine_sum=fine or Decimal(0))
    _bump(MonthTally, buckets["month"], sign)
    if buckets["due"]:
        _bump(DueTally, buckets["due"], sign)


def _dates(values: dict, names) -> dict:
    for name in names:
        value = values[name]
        if isinstance(value, str):  # a date still as the string it was given in
            values[name] = dt.date.fromisoformat(value)
        elif isinstance(value, dt.datetime):
            values[name] = value.date()
    return values


def _snapshot(instance) -> dict:
    return _dates({f: getattr(instance, f) for f in CASE_FIELDS},
                  ("opened_on", "decided_on", "decision_due", "step_due", "hearing_held_on"))


def case_pre_save(sender, instance, raw=False, **kwargs):
    if raw:
        return
    instance._tally_old = (sender.objects.filter(pk=instance.pk).values(*CASE_FIELDS).first()
                           if instance.pk else None)


def case_post_save(sender, instance, raw=False, **kwargs):
    if raw:
        return
    old = getattr(instance, "_tally_old", None)
    new = _snapshot(instance)
    if old == new:
        return
    _apply_case(old, -1)
    _apply_case(new, +1)
    instance._tally_old = new


PUBLICATION_FIELDS = ("agency_id", "status", "due_on", "published_at")


def publication_pre_save(sender, instance, raw=False, **kwargs):
    if raw:
        return
    instance._tally_old = (sender.objects.filter(pk=instance.pk).values(*PUBLICATION_FIELDS).first()
                           if instance.pk else None)


def publication_post_save(sender, instance, raw=False, **kwargs):
    if raw:
        return
    old = getattr(instance, "_tally_old", None)
    new = _dates({f: getattr(instance, f) for f in PUBLICATION_FIELDS}, ("due_on",))
    if old is not None and publication_bucket(old) == publication_bucket(new):
        return
    if old is not None:
        _bump(PublicationTally, publication_bucket(old), -1)
    _bump(PublicationTally, publication_bucket(new), +1)
    instance._tally_old = new


def review_post_save(sender, instance, created=False, raw=False, **kwargs):
    if raw or not created:
        return
    from sanxiang.cases.models import Case

    agency_id = Case.objects.values_list("agency_id", flat=True).get(pk=instance.case_id)
    _bump(ReviewTally, {"agency_id": agency_id, "opinion": instance.opinion,
                        "month": timezone.localtime(instance.submitted_at).date().replace(day=1)}, +1)


def connect() -> None:
    from sanxiang.cases.models import Case
    from sanxiang.disclosure.models import Publication
    from sanxiang.reviews.models import LegalReview

    pre_save.connect(publication_pre_save, sender=Publication, dispatch_uid="monitoring-publication-pre")
    post_save.connect(publication_post_save, sender=Publication, dispatch_uid="monitoring-publication-post")
    pre_save.connect(case_pre_save, sender=Case, dispatch_uid="monitoring-case-pre")
    post_save.connect(case_post_save, sender=Case, dispatch_uid="monitoring-case-post")
    post_save.connect(review_post_save, sender=LegalReview, dispatch_uid="monitoring-review-post")


def _month(value) -> dt.date:
    return (value.date() if isinstance(value, dt.datetime) else value).replace(day=1)


@transaction.atomic
def rebuild() -> dict[str, int]:
    """Count every case, publication and review again (bulk inserts, repairs). Returns the rows written."""
    from django.db.models import BooleanField, ExpressionWrapper
    from django.db.models.functions import TruncMonth

    from sanxiang.cases.models import Case
    from sanxiang.disclosure.models import Publication
    from sanxiang.reviews.models import LegalReview

    finals = all_final_states()
    for model in (CaseTally, MonthTally, DueTally, ReviewTally, PublicationTally):
        model.objects.all().delete()
    cases = Case.objects.order_by()
    buckets: dict[tuple, list] = {}
    rows = (cases.annotate(dec=ExpressionWrapper(Q(decided_on__isnull=False), output_field=BooleanField()),
                           held=ExpressionWrapper(Q(hearing_held_on__isnull=False), output_field=BooleanField()))
            .values("agency_id", "item__kind", "flow_id", "state", "dec", "held", "hearing_requested")
            .annotate(n=Count("pk"), fined=Count("fine_amount"), fine_sum=Sum("fine_amount")))
    for r in rows.iterator(chunk_size=5000):
        key = (r["agency_id"], r["item__kind"], r["state"], r["state"] in finals.get(r["flow_id"], ()),
               bool(r["dec"]), bool(r["hearing_requested"]), bool(r["held"]))
        acc = buckets.setdefault(key, [0, 0, Decimal(0)])
        acc[0] += r["n"]
        acc[1] += r["fined"]
        acc[2] += Decimal(r["fine_sum"] or 0)
    CaseTally.objects.bulk_create([
        CaseTally(agency_id=k[0], kind=k[1], state=k[2], final=k[3], decided=k[4], hearing_requested=k[5],
                  hearing_held=k[6], n=a[0], fined=a[1], fine_sum=a[2])
        for k, a in buckets.items()], batch_size=2000)
    months: dict[tuple, int] = {}
    for r in cases.annotate(m=TruncMonth("opened_on")).values("agency_id", "m").annotate(n=Count("pk")).iterator():
        key = (r["agency_id"], _month(r["m"]))
        months[key] = months.get(key, 0) + r["n"]
    MonthTally.objects.bulk_create([MonthTally(agency_id=k[0], month=k[1], n=n) for k, n in months.items()],
                                   batch_size=2000)
    dues: dict[tuple, int] = {}
    due_rows = (cases.filter(open_q())
                .filter(Q(step_due__isnull=False) | Q(decision_due__isnull=False, decided_on__isnull=True))
                .values("agency_id", "item__kind", "step_due", "decision_due", "decided_on")
                .annotate(n=Count("pk")))
    for r in due_rows.iterator(chunk_size=5000):
        key = (r["agency_id"], r["item__kind"], effective_due(r))
        dues[key] = dues.get(key, 0) + r["n"]
    DueTally.objects.bulk_create([DueTally(agency_id=k[0], kind=k[1], due=k[2], n=n) for k, n in dues.items()],
                                 batch_size=2000)
    reviews = (LegalReview.objects.order_by().annotate(m=TruncMonth("submitted_at"))
               .values("case__agency_id", "opinion", "m").annotate(n=Count("pk")))
    rmap: dict[tuple, int] = {}
    for r in reviews.iterator():
        key = (r["case__agency_id"], r["opinion"], _month(r["m"]))
        rmap[key] = rmap.get(key, 0) + r["n"]
    ReviewTally.objects.bulk_create([ReviewTally(agency_id=k[0], opinion=k[1], month=k[2], n=n)
                                     for k, n in rmap.items()], batch_size=2000)
    pmap: dict[tuple, int] = {}
    # Published ones are bucketed by their (local) publication date against the due date.
    pubs = Publication.objects.order_by().values("agency_id", "status", "due_on", "published_at")
    for r in pubs.iterator(chunk_size=5000):
        b = publication_bucket(r)
        key = (b["agency_id"], b["status"], b["late"], b["due"])
        pmap[key] = pmap.get(key, 0) + 1
    PublicationTally.objects.bulk_create([PublicationTally(agency_id=k[0], status=k[1], late=k[2], due=k[3], n=n)
                                          for k, n in pmap.items()], batch_size=2000)
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return {"case": len(buckets), "month": len(months), "due": len(dues), "review": len(rmap),
            "publication": len(pmap)}
