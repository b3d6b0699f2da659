"""Demo data of 案卷评查: one published round over the demo's archived dossiers, scored, with a
rectification answered, and one round in progress."""

from __future__ import annotations

import datetime as dt


def load_demo(demo) -> None:
    from sanxiang.accounts.models import User
    from sanxiang.evaluation import services
    from sanxiang.registry.choices import AgencyKind
    from sanxiang.registry.models import Agency

    supervisor = User.objects.get(username="sfj_supervisor")
    agencies = list(Agency.objects.filter(kind=AgencyKind.ENFORCEMENT).order_by("code"))
    start = demo.anchor - dt.timedelta(days=365)
    if not services.sample_pool(agencies, start, demo.anchor):
        return
    round_ = services.round_create(actor=supervisor, title=f"{demo.anchor.year}年度行政处罚案卷评查",
                                   year=demo.anchor.year, agencies=agencies, period_start=start,
                                   period_end=demo.anchor, ratio="0.5", minimum=1, evaluators=[supervisor])
    files = list(round_.files.select_related("case__agency"))
    for n, file in enumerate(files):
        items = list(round_.template.items.order_by("order"))
        scores = {}
        for item in items:
            if item.is_veto:
                scores[item.pk] = {}
            elif n % 3 == 1 and item.order == 13:  # a 文书 deduction on every third file
                scores[item.pk] = {"points": str(item.points - 3), "note": "送达回证未注明送达方式"}
            else:
                scores[item.pk] = {"points": str(item.points)}
        services.file_score(actor=supervisor, file=file, scores=scores, comment="案卷材料齐全，程序规范")
    deducted = next((f for n, f in enumerate(files) if n % 3 == 1), None)
    if deducted is not None:
        row = services.rectification_request(actor=supervisor, file=deducted, request="规范送达回证的填写",
                                             due_on=demo.anchor + dt.timedelta(days=15))
        head = User.objects.filter(role="agency_head", agency=deducted.case.agency).first()
        if head is not None:
            services.rectification_answer(actor=head, rectification=row, answer="已组织文书规范培训，补正送达回证")
    services.round_conclude(actor=supervisor, round_=round_,
                            summary="抽查案卷总体规范；个别案卷送达回证填写不完整，已责成整改。")
    services.round_publish(actor=supervisor, round_=round_)
    demo.report.extra["案卷评查"] = len(files)
