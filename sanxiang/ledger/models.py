"""The append-only Merkle log (RFC 6962): entries, stored subtree nodes, signed checkpoints.

Rows here are only ever inserted by ledger.services; nothing updates or deletes them.
"""

from __future__ import annotations

from django.db import models

from sanxiang.common.models import Recorded


class LedgerHead(models.Model):
    """The single row that serialises appends: its lock is the sequencer (see services)."""

    size = models.BigIntegerField("日志条目数", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "日志头"

    def __str__(self) -> str:
        return f"日志大小 {self.size}"


class Entry(models.Model):
    """One log entry: canonical JSON bytes and their RFC 6962 leaf hash."""

    index = models.BigIntegerField("序号", primary_key=True)
    leaf_hash = models.BinaryField("叶哈希", max_length=32)
    body = models.BinaryField("规范化内容")
    kind = models.CharField("事件类型", max_length=60, db_index=True)
    subject = models.CharField("主要对象", max_length=80, db_index=True, blank=True)
    agency_code = models.CharField("机关", max_length=40, blank=True, db_index=True)
    actor = models.CharField("操作人", max_length=150, blank=True)
    public = models.BooleanField("可公开", default=False)
    created_at = models.DateTimeField("时间")

    class Meta:
        verbose_name = verbose_name_plural = "日志条目"
        ordering = ["index"]

    def __str__(self) -> str:
        return f"#{self.index} {self.kind}"


class TreeNode(models.Model):
    """Hash of a perfect subtree (level ≥ 1): leaves [index·2^level, (index+1)·2^level).

    Level-0 nodes are the entries' leaf hashes. With these, any root or proof needs O(log n)
    reads.
    """

    level = models.SmallIntegerField()
    index = models.BigIntegerField()
    hash = models.BinaryField(max_length=32)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["level", "index"], name="tree_node_unique")]

    def __str__(self) -> str:
        return f"节点 L{self.level}#{self.index}"


class Checkpoint(models.Model):
    """A signed C2SP checkpoint; every one is kept and tree sizes only grow."""

    tree_size = models.BigIntegerField("树大小", unique=True)
    root_hash = models.BinaryField("根哈希", max_length=32)
    note = models.TextField("签名检查点")
    created_at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "签名检查点"
        ordering = ["tree_size"]

    def __str__(self) -> str:
        return f"检查点 {self.tree_size}"


class CheckKind(models.TextChoices):
    CHECKPOINT = "checkpoint", "签发检查点"
    VERIFY_LEDGER = "verify_ledger", "防篡改日志校验"
    VERIFY_EVIDENCE = "verify_evidence", "证据文件校验"
    CLEANUP_UPLOADS = "cleanup_uploads", "清理中断的上传"


class IntegrityCheck(Recorded):
    """The result of one scheduled job run (nightly verification, clean-up), shown to supervisors.

    Written by `ledger.services.integrity_check_record` with a ledger entry, so a failed check
    cannot be quietly removed from the record.
    """

    kind = models.CharField("检查项目", max_length=30, choices=CheckKind.choices, db_index=True)
    ok = models.BooleanField("是否通过")
    message = models.CharField("结果", max_length=500)
    details = models.TextField("问题明细", blank=True)
    duration = models.FloatField("耗时（秒）", default=0)
    at = models.DateTimeField("时间", auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = verbose_name_plural = "完整性检查记录"
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.at:%Y-%m-%d %H:%M} {'通过' if self.ok else '未通过'}"


class Cosignature(models.Model):
    """A witness's cosignature (C2SP tlog-cosignature v1) of one checkpoint, as it answered.

    Like Checkpoint, a ledger-internal row that carries its own proof (the witness's signature),
    so it is not logged as an entry: an entry per cosignature would grow the tree, which needs
    a new checkpoint, which gathers new cosignatures. Insert-only (ledger.witnessing).
    """

    checkpoint = models.ForeignKey(Checkpoint, verbose_name="检查点", on_delete=models.PROTECT,
                                   related_name="cosignatures")
    witness = models.CharField("见证者", max_length=200)
    key_id = models.CharField("密钥 ID", max_length=8)
    timestamp = models.BigIntegerField("联署时间（Unix 秒）")
    line = models.TextField("联署签名行")
    created_at = models.DateTimeField("收到时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "见证者联署"
        ordering = ["checkpoint", "witness"]
        constraints = [models.UniqueConstraint(fields=["checkpoint", "witness"], name="cosignature_unique")]

    def __str__(self) -> str:
        return f"{self.witness} 联署检查点 {self.checkpoint_id}"
