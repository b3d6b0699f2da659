"""Demo data of the supervision app (called by sanxiang.demo through load_demo): three complaints
(one answered, one forwarded, one to the justice bureau waiting) and a supervision matter on an
undecided case of the urban-management bureau, assigned, with its 监督通知书."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from sanxiang.common.exceptions import DomainError


def load_demo(demo) -> None:
    from sanxiang.accounts.models import Role, User
    from sanxiang.cases.models import Case
    from sanxiang.supervision.complaints import complaint_accept, complaint_reply, complaint_submit
    from sanxiang.supervision.matter_documents import matter_document_issue
    from sanxiang.supervision.matter_services import matter_open

    ctx = demo.contexts.get("hl-cgj")
    supervisor = User.objects.filter(role=Role.SUPERVISOR).order_by("pk").first()
    if ctx is None or supervisor is None:
        return
    try:
        with transaction.atomic():
            answered, _ = complaint_submit(
                content="城管执法人员在夜市检查时未出示执法证件，语气生硬。", category="conduct", agency=ctx.agency,
                anonymous=False, name="王女士", phone="13900001111")
            complaint_accept(complaint=answered, actor=ctx.users["director"])
            complaint_reply(complaint=answered, actor=ctx.users["director"],
                            reply="经调取执法记录仪音像记录核实，执法人员已出示证件但未主动告知，已责令其改正并在全局通报。")
            complaint_submit(content="生态环境局对企业夜间排放异味的举报一直未处理。", category="inaction")
            forwarded, code = complaint_submit(
                content="我的案件立案已三个多月，至今没有处理结果。", category="inaction", agency=ctx.agency)
            case = (Case.objects.filter(agency=ctx.agency, state__in=["investigation", "examination", "notice"])
                    .order_by("opened_on").first())
            matter = matter_open(actor=supervisor, source="complaint", complaint=forwarded, case=case,
                                 agency=None if case else ctx.agency, title="群众反映案件久拖不决",
                                 description="请核查该案办理进度，说明未在法定期限内作出决定的原因，并依法处理。",
                                 due_on=timezone.localdate() + dt.timedelta(days=14))
            matter_document_issue(matter=matter, kind="supervision_notice", actor=supervisor)
    except DomainError as exc:  # e.g. a calendar year the working-day calendar does not know
        demo.out(f"  监督案件演示数据未创建：{exc.message}")
        return
    demo.report.extra["投诉举报"] = demo.report.extra.get("投诉举报", 0) + 3
    demo.report.extra["监督案件"] = demo.report.extra.get("监督案件", 0) + 1
    demo.out(f"  投诉举报 {forwarded.number} 的查询码：{code}（已转监督案件 {matter.number}）")
