"""Portal pages of a draw: what was committed, revealed and drawn, and the JSON to recompute it."""

from __future__ import annotations

import json

from django.http import Http404, HttpResponse
from django.shortcuts import render

from sanxiang.draws import selectors


def _get(pk: int):
    draw = selectors.public_draw(pk)
    if draw is None:
        raise Http404("抽取记录不存在")
    return draw


def draw_detail(request, pk: int):
    draw = _get(pk)
    names = {m["id"]: m.get("name", "") for pool in draw.pools.values() for m in pool}
    rows = [{"id": t["id"], "name": names.get(t["id"], ""), "stratum": t["stratum"],
             "inspectors": [f"{names.get(i, '')}（{i}）" for i in t["inspectors"]]} for t in draw.result["targets"]]
    return render(request, "draws/draw.html", {
        "draw": draw, "rows": rows, "pool_sizes": {k: len(v) for k, v in draw.pools.items()},
        "redrawn_by": selectors.draws_for(draw.subject).filter(redraw_of=draw).first(),
    })


def draw_json(request, pk: int):
    draw = _get(pk)
    body = json.dumps(draw.published(), ensure_ascii=False, indent=1, sort_keys=True)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="draw-{draw.pk}.json"'
    return response
