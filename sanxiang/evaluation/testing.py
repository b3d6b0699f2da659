"""Test helpers of 案卷评查: a scored round with a rectification request on a records world."""

from __future__ import annotations

import datetime as dt

SCOPED_MODELS = {"evaluation.evaluatedfile", "evaluation.rectification"}


def evaluation_objects(w):
    """(round, file, rectification) on `w` (a RecordsWorld): the world's archived case drawn,
    scored in full and sent a rectification request; made once and cached on it."""
    cached = getattr(w, "_evaluation", None)
    if cached is not None:
        return cached
    from sanxiang.evaluation import services

    today = dt.date.today()
    round_ = services.round_create(actor=w.world.sam, title="测试评查", year=today.year, agencies=[w.world.agency],
                                   period_start=today - dt.timedelta(days=400), period_end=today, ratio="1",
                                   evaluators=[w.world.sam])
    file = round_.files.get(case=w.case)
    scores = {i.pk: ({} if i.is_veto else {"points": str(i.points)}) for i in round_.template.items.all()}
    services.file_score(actor=w.world.sam, file=file, scores=scores, comment="规范")
    rectification = services.rectification_request(actor=w.world.sam, file=file, request="补充材料",
                                                   due_on=today + dt.timedelta(days=10))
    w._evaluation = (round_, file, rectification)
    return w._evaluation
