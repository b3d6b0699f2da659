"""A verifiable random draw (随机抽取): what was drawn from, how, and what came out.

Purpose-agnostic: 双随机 inspections draw targets and inspector pairs, 案卷评查 may draw case files
the same way. A row is written once, after its commitment entry is in the ledger, and is never
edited or deleted (save of an existing row and delete are refused); a redraw is a new row whose
`redraw_of` names the draw it replaces, with its reason.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from sanxiang.accounts.scoping import AgencyScopedQuerySet
from sanxiang.common.exceptions import TransitionNotAllowed
from sanxiang.common.models import Recorded


class Draw(Recorded):
    purpose = models.SlugField("用途", max_length=40, help_text="如 inspection（双随机抽查）、case_review（案卷评查）")
    agency = models.ForeignKey("registry.Agency", verbose_name="组织机关", on_delete=models.PROTECT, related_name="draws")
    subject = models.CharField("抽取对象", max_length=80, help_text="所属记录的引用，如 inspections.plan:3")
    title = models.CharField("名称", max_length=200)
    algorithm = models.CharField("算法", max_length=20)
    commitment = models.CharField("种子承诺（SHA-256）", max_length=64)
    commit_index = models.BigIntegerField("承诺日志序号")
    seed = models.CharField("种子", max_length=128)
    pools = models.JSONField("抽取库")
    pool_hashes = models.JSONField("抽取库哈希")
    parameters = models.JSONField("抽取参数")
    result = models.JSONField("抽取结果")
    reason = models.TextField("重新抽取理由", blank=True)
    redraw_of = models.OneToOneField("self", verbose_name="重抽所替代的抽取", null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="redrawn_by")
    drawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="操作人", on_delete=models.PROTECT,
                                 related_name="+")
    drawn_at = models.DateTimeField("抽取时间")
    ledger_index = models.BigIntegerField("日志序号", null=True, blank=True, editable=False)

    objects = AgencyScopedQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "随机抽取记录"
        ordering = ["-drawn_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.title}（第{self.pk}号抽取）"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise TransitionNotAllowed("随机抽取记录一经生成不得修改；如需重新抽取，须另行抽取并说明理由",
                                       code="draw_immutable", rule="双随机抽查结果不可篡改")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TransitionNotAllowed("随机抽取记录不得删除", code="draw_immutable", rule="双随机抽查结果不可篡改")

    @property
    def is_current(self) -> bool:
        """Not replaced by a redraw."""
        return not Draw.objects.filter(redraw_of_id=self.pk).exists()

    def published(self) -> dict:
        """What the portal publishes, the input of scripts/recompute_draw.py."""
        return {"id": self.pk, "purpose": self.purpose, "agency": self.agency.code, "subject": self.subject,
                "title": self.title, "algorithm": self.algorithm, "commitment": self.commitment,
                "commit_ledger_index": self.commit_index, "ledger_index": self.ledger_index, "seed": self.seed,
                "pools": self.pools, "pool_hashes": self.pool_hashes, "parameters": self.parameters,
                "result": self.result, "reason": self.reason, "redraw_of": self.redraw_of_id,
                "drawn_at": self.drawn_at.isoformat()}


class SeedCommitment(Recorded):
    """A seed committed in the ledger (`draw.commit`) and held, unpublished, until the draw (two
    steps on the staff page: commit, then draw). One per subject may wait at a time, so no second
    commitment can be made to pick between seeds; the reveal checks the seed and the pools against
    what was committed and links the Draw it produced. The seed is never shown before the reveal."""

    purpose = models.SlugField("用途", max_length=40)
    agency = models.ForeignKey("registry.Agency", verbose_name="组织机关", on_delete=models.PROTECT,
                               related_name="seed_commitments")
    subject = models.CharField("抽取对象", max_length=80, db_index=True)
    title = models.CharField("名称", max_length=200)
    commitment = models.CharField("种子承诺（SHA-256）", max_length=64)
    commit_index = models.BigIntegerField("承诺日志序号")
    seed = models.CharField("种子（抽取前不公开）", max_length=128)
    pools = models.JSONField("抽取库")
    pool_hashes = models.JSONField("抽取库哈希")
    parameters = models.JSONField("抽取参数")
    reason = models.TextField("重新抽取理由", blank=True)
    redraw_of = models.ForeignKey(Draw, verbose_name="重抽所替代的抽取", null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    committed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="操作人", on_delete=models.PROTECT,
                                     related_name="+")
    committed_at = models.DateTimeField("承诺时间", auto_now_add=True)
    draw = models.OneToOneField(Draw, verbose_name="据以完成的抽取", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="seed_commitment")

    objects = AgencyScopedQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "种子承诺"
        ordering = ["-pk"]
        constraints = [models.UniqueConstraint(fields=["subject"], condition=models.Q(draw__isnull=True),
                                               name="one_waiting_commitment_per_subject",
                                               violation_error_message="该事项已有待抽取的种子承诺")]

    def __str__(self) -> str:
        return f"{self.title}（日志第{self.commit_index}号承诺）"
