"""Draw services: commit to a seed in the ledger, then draw and reveal (two entries).

`draw_run` is what callers use: `draw_commit` appends the commitment entry (SHA-256 of a fresh
seed, the pools' hashes and the parameters) before anything is drawn; `draw_reveal` computes the
result from (seed, pools, parameters) with `algorithm.draw`, writes the Draw row and appends the
reveal entry naming it. Both entries are public (transparency log). Nothing is ever edited: a
redraw is a new draw with `redraw_of` and a mandatory reason.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from sanxiang.common.exceptions import TransitionNotAllowed, ValidationFailed
from sanxiang.draws import algorithm
from sanxiang.draws.models import Draw, SeedCommitment
from sanxiang.ledger.services import ledger_append

RULE = "双随机、一公开：抽取过程可追溯、结果可复核"


@dataclass(frozen=True)
class Commitment:
    """A commitment written to the ledger; the seed stays with the caller until the reveal."""

    purpose: str
    agency: object
    subject: str
    title: str
    seed: str
    commitment: str
    pools: dict
    pool_hashes: dict
    parameters: dict
    index: int
    reason: str
    redraw_of: Draw | None


def _check_pools(pools: dict) -> None:
    for name, members in pools.items():
        if not isinstance(members, list):
            raise ValidationFailed(f"抽取库“{name}”须为成员列表", field="pools", code="pool_format")
        ids = [str(m.get("id", "")) for m in members if isinstance(m, dict)]
        if len(ids) != len(members) or not all(ids):
            raise ValidationFailed(f"抽取库“{name}”的每个成员须有编号（id）", field="pools", code="pool_format")
        if len(set(ids)) != len(ids):
            raise ValidationFailed(f"抽取库“{name}”中有重复的成员编号", field="pools", code="pool_duplicate")


def _check_redraw(subject: str, redraw_of: Draw | None, reason: str) -> None:
    if redraw_of is None:
        if Draw.objects.filter(subject=subject).exists():
            raise TransitionNotAllowed("该事项已完成随机抽取；重新抽取须指明所替代的抽取并说明理由",
                                       field="redraw_of", code="already_drawn", rule=RULE)
        return
    if not reason.strip():
        raise ValidationFailed("重新抽取须说明理由（理由与新的抽取结果一并记录、公开）", field="reason",
                               code="redraw_reason_required", rule=RULE)
    if redraw_of.subject != subject:
        raise ValidationFailed("重新抽取只能替代同一事项的抽取", field="redraw_of", code="redraw_other_subject")
    if not redraw_of.is_current:
        raise TransitionNotAllowed("该次抽取已被重新抽取替代，请对最新一次抽取办理", field="redraw_of",
                                   code="redraw_superseded", rule=RULE)


@transaction.atomic
def draw_commit(*, purpose: str, agency, subject: str, title: str, pools: dict, parameters: dict, actor,
                reason: str = "", redraw_of: Draw | None = None) -> Commitment:
    """Write the commitment entry (before the draw): SHA-256 of a new seed, the pool hashes."""
    _check_pools(pools)
    _check_redraw(subject, redraw_of, reason)
    if SeedCommitment.objects.filter(subject=subject, draw__isnull=True).exists():
        raise TransitionNotAllowed("该事项已记录种子承诺、尚未抽取；请先完成抽取（不得另行承诺以挑选种子）",
                                   code="commitment_waiting", rule=RULE)
    seed = secrets.token_hex(32)
    commitment = algorithm.commitment_of(seed)
    hashes = {name: algorithm.pool_hash(members) for name, members in sorted(pools.items())}
    content = {"commitment": commitment, "parameters": algorithm.sha256_hex(algorithm.canonical(parameters)),
               **{f"pool:{name}": h for name, h in hashes.items()}}
    entry = ledger_append(kind="draw.commit", actor=actor, agency=agency, content=content, public=True,
                          data={"purpose": purpose, "subject": subject, "algorithm": algorithm.ALGORITHM,
                                "redraw_of": redraw_of.pk if redraw_of else None},
                          summary=f"随机抽取种子承诺：{title}")
    return Commitment(purpose, agency, subject, title, seed, commitment, pools, hashes, parameters, entry.index,
                      reason.strip(), redraw_of)


@transaction.atomic
def draw_reveal(*, commitment: Commitment, actor, held: SeedCommitment | None = None) -> Draw:
    """Draw from the committed pools with the committed seed; write the row and the reveal entry
    (which also records the held commitment, when there is one, as used)."""
    if algorithm.commitment_of(commitment.seed) != commitment.commitment:
        raise ValidationFailed("种子与已记录的承诺不符", field="seed", code="seed_mismatch", rule=RULE)
    result = algorithm.draw(commitment.seed, commitment.pools, commitment.parameters)
    draw = Draw(purpose=commitment.purpose, agency=commitment.agency, subject=commitment.subject,
                title=commitment.title, algorithm=algorithm.ALGORITHM, commitment=commitment.commitment,
                commit_index=commitment.index, seed=commitment.seed, pools=commitment.pools,
                pool_hashes=commitment.pool_hashes, parameters=commitment.parameters, result=result,
                reason=commitment.reason, redraw_of=commitment.redraw_of, drawn_by=actor, drawn_at=timezone.now())
    draw.save()
    if held is not None:
        held.draw = draw
        held.save(update_fields=["draw"])
    entry = ledger_append(kind="draw.reveal", actor=actor, agency=commitment.agency,
                          subjects=[draw, held] if held is not None else [draw], public=True,
                          content={"seed": algorithm.sha256_hex(commitment.seed.encode()),
                                   "result": algorithm.sha256_hex(algorithm.canonical(result))},
                          data={"commit_index": commitment.index, "seed": commitment.seed},
                          summary=f"随机抽取结果：{commitment.title}"
                                  + (f"（重新抽取，理由：{commitment.reason}）" if commitment.redraw_of else ""))
    Draw.objects.filter(pk=draw.pk).update(ledger_index=entry.index)
    draw.ledger_index = entry.index
    return draw


@transaction.atomic
def draw_run(*, purpose: str, agency, subject: str, title: str, pools: dict, parameters: dict, actor,
             reason: str = "", redraw_of: Draw | None = None) -> Draw:
    """Commit, then draw and reveal: two ledger entries, the commitment first."""
    commitment = draw_commit(purpose=purpose, agency=agency, subject=subject, title=title, pools=pools,
                             parameters=parameters, actor=actor, reason=reason, redraw_of=redraw_of)
    return draw_reveal(commitment=commitment, actor=actor)


@transaction.atomic
def draw_commit_hold(*, purpose: str, agency, subject: str, title: str, pools: dict, parameters: dict, actor,
                     reason: str = "", redraw_of: Draw | None = None) -> SeedCommitment:
    """Step one of two: write the commitment entry now and keep the seed, unpublished, for the draw."""
    commitment = draw_commit(purpose=purpose, agency=agency, subject=subject, title=title, pools=pools,
                             parameters=parameters, actor=actor, reason=reason, redraw_of=redraw_of)
    held = SeedCommitment(purpose=purpose, agency=agency, subject=subject, title=title,
                          commitment=commitment.commitment, commit_index=commitment.index, seed=commitment.seed,
                          pools=pools, pool_hashes=commitment.pool_hashes, parameters=parameters,
                          reason=commitment.reason, redraw_of=redraw_of, committed_by=actor)
    held.save()
    ledger_append(kind="draw.commit_held", actor=actor, agency=agency, subjects=[held],
                  data={"commit_index": commitment.index, "subject": subject},
                  summary=f"种子承诺待抽取：{title}（日志第{commitment.index}号）")
    return held


@transaction.atomic
def draw_reveal_held(*, subject: str, actor) -> Draw:
    """Step two: draw with the seed committed for `subject`; the pools and parameters are the
    committed ones, checked against their hashes (a row changed while waiting is refused)."""
    held = SeedCommitment.objects.select_for_update().filter(subject=subject, draw__isnull=True).first()
    if held is None:
        raise TransitionNotAllowed("请先记录种子承诺，再进行抽取", code="commitment_missing", rule=RULE)
    hashes = {name: algorithm.pool_hash(members) for name, members in sorted(held.pools.items())}
    if hashes != held.pool_hashes:
        raise ValidationFailed("抽取库与种子承诺时记录的哈希不符，不能抽取", field="pools", code="pool_mismatch", rule=RULE)
    commitment = Commitment(held.purpose, held.agency, held.subject, held.title, held.seed, held.commitment,
                            held.pools, held.pool_hashes, held.parameters, held.commit_index, held.reason,
                            held.redraw_of)
    return draw_reveal(commitment=commitment, actor=actor, held=held)
