"""Publicity's effects, registered with the flow engine."""

from __future__ import annotations

from sanxiang.cases.engine import effect


@effect("create_publication", label="生成待公示的行政执法决定信息", rule="行政处罚法第四十八条")
def create_publication(ctx) -> None:
    from sanxiang.disclosure.services import publication_create

    ctx.created.append(publication_create(decision=ctx.case.decision))
