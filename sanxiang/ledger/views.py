"""Transparency API (fixed interface, see design.md): public, read-only JSON."""

from __future__ import annotations

import base64

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.views.decorators.http import require_GET

from sanxiang.ledger import keys, merkle, witnessing
from sanxiang.ledger.models import Entry
from sanxiang.ledger.services import latest_checkpoint, ledger_size
from sanxiang.ledger.store import DbNodeStore


def _error(status: int, code: str, message: str) -> JsonResponse:
    return JsonResponse({"error": {"code": code, "message": message, "field": None, "rule": None}}, status=status,
                        json_dumps_params={"ensure_ascii": False})


def _int_params(request, *names: str):
    values = []
    for name in names:
        raw = request.GET.get(name)
        if raw is None or not (raw.isascii() and raw.isdigit()):  # "²".isdigit() is true
            raise ValueError(f"参数 {name} 须为非负整数")
        values.append(int(raw))
    return values


@require_GET
def checkpoint(request):
    """The newest stored checkpoint. Reading never signs: checkpoints come from the checkpoint job
    (every LEDGER_CHECKPOINT_INTERVAL_MINUTES, after every LEDGER_CHECKPOINT_EVERY entries and after
    each public entry), so an anonymous request cannot make the server write."""
    cp = latest_checkpoint()
    if cp is None:
        return _error(404, "no_checkpoint", "日志尚无签名检查点（检查点由后台任务定期签发）")
    try:
        public_key = keys.public_key_b64()
    except keys.SigningKeyMissing as exc:
        return _error(503, exc.code, exc.message)
    data = {
        "origin": settings.LEDGER_ORIGIN,
        "tree_size": cp.tree_size,
        "root_hash": bytes(cp.root_hash).hex(),
        "note": cp.note,
        "public_key": public_key,
    }
    data["cosignatures"] = [{"witness": c.witness, "key_id": c.key_id, "time": c.timestamp, "line": c.line}
                            for c in cp.cosignatures.all()]
    data["cosigned_note"] = witnessing.cosigned_note(cp)
    data["witnesses"] = [{"name": k.name, "vkey": k.vkey, "fingerprint": k.fingerprint}
                         for k in witnessing.witness_keys()]
    sm2 = keys.sm2_key_if_present()
    if sm2 is not None:
        data["sm2_public_key"] = base64.b64encode(sm2.public_bytes).decode()
        data["sm2_key_name"] = keys.sm2_key_name()
    return JsonResponse(data, json_dumps_params={"ensure_ascii": False})


@require_GET
def leaves(request):
    try:
        start, end = _int_params(request, "start", "end")
    except ValueError as exc:
        return _error(400, "bad_parameter", str(exc))
    size = ledger_size()
    if start > end or end > size:
        return _error(400, "bad_range", f"须满足 0 ≤ start ≤ end ≤ 当前大小 {size}")
    capped_end = min(end, start + settings.LEDGER_PAGE_LIMIT)
    rows = Entry.objects.filter(index__gte=start, index__lt=capped_end).order_by("index").values_list(
        "index", "leaf_hash")
    data = {"leaves": [{"index": i, "leaf_hash": bytes(h).hex()} for i, h in rows]}
    if capped_end < end:
        data["truncated"] = True
        data["next_start"] = capped_end
        data["page_limit"] = settings.LEDGER_PAGE_LIMIT
    return JsonResponse(data)


@require_GET
def inclusion(request):
    try:
        index, tree_size = _int_params(request, "index", "tree_size")
    except ValueError as exc:
        return _error(400, "bad_parameter", str(exc))
    if not (index < tree_size <= ledger_size()):
        return _error(400, "bad_range", "须满足 index < tree_size ≤ 当前大小")
    store = DbNodeStore()
    proof = merkle.inclusion_proof(store, index, tree_size)
    return JsonResponse({"index": index, "tree_size": tree_size, "leaf_hash": store.get(0, index).hex(),
                         "audit_path": [h.hex() for h in proof]})


@require_GET
def consistency(request):
    try:
        first, second = _int_params(request, "first", "second")
    except ValueError as exc:
        return _error(400, "bad_parameter", str(exc))
    if not (0 < first <= second <= ledger_size()):
        return _error(400, "bad_range", "须满足 0 < first ≤ second ≤ 当前大小")
    proof = merkle.consistency_proof(DbNodeStore(), first, second)
    return JsonResponse({"first": first, "second": second, "proof": [h.hex() for h in proof]})


@require_GET
def entry(request, index: int):
    row = Entry.objects.filter(index=index, public=True).first()
    if row is None:
        return _error(404, "not_found", "条目不存在或不公开")
    return HttpResponse(base64.b64encode(bytes(row.body)), content_type="text/plain; charset=us-ascii")
