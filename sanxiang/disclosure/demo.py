"""Demo data of the publication lifecycle (called by sanxiang.demo's load_demo): on the urban
management bureau's published decisions, one error report waiting for an answer, one answered
with a reasoned reply, and one decision withdrawn (revoked on reconsideration) with its reason."""

from __future__ import annotations

import datetime as dt

from sanxiang.disclosure.models import Publication, PublicationStatus

AGENCY = "hl-cgj"


def load_demo(demo) -> None:
    from sanxiang.disclosure.lifecycle import publication_withdraw
    from sanxiang.disclosure.reports import report_answer, report_submit

    released = [p for p in Publication.objects.filter(agency__code=AGENCY, status=PublicationStatus.PUBLISHED)
                .order_by("published_at", "pk") if len(p.content.get("parties") or []) == 1]
    if len(released) < 3:
        return
    reviewer = demo.user(AGENCY, "reviewer")
    director = demo.user(AGENCY, "director")
    report_submit(publication=released[0], description="公示的当事人名称与营业执照不一致，请核对。", contact="")
    answered, _ = report_submit(publication=released[1], description="罚款数额似乎有误。")
    report_answer(report=answered, actor=reviewer, correct=False,
                  reply="经核对，公示的罚款数额与送达的行政处罚决定书一致，不予更正。")
    last = released[-1]
    publication_withdraw(publication=last, actor=director, ground="revoked",
                         reason="该处罚决定已被行政复议机关依法撤销，依《行政处罚法》第四十八条撤回公示并说明理由。",
                         occurred_on=max(last.decided_on, demo.anchor - dt.timedelta(days=1)))
    demo.report.extra["公示纠错报告"] = demo.report.extra.get("公示纠错报告", 0) + 2
    demo.report.extra["撤回的公示"] = demo.report.extra.get("撤回的公示", 0) + 1
