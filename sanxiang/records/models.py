"""Records (全过程记录): evidence files stored by content hash, attached at a case step."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from sanxiang.accounts.scoping import ScopedQuerySet, agency_q, restricted_q
from sanxiang.common.models import Recorded

# Evidence flagged 涉及国家秘密、商业秘密、个人隐私.
RESTRICTED = models.Q(secret=True) | models.Q(trade_secret=True) | models.Q(privacy=True)


class EvidenceKind(models.TextChoices):
    PHOTO = "photo", "照片"
    VIDEO = "video", "视频"
    AUDIO = "audio", "录音"
    DOCUMENT = "document", "书证/扫描件"
    ELECTRONIC = "electronic", "电子数据"
    # The party's signed 放弃陈述申辩、听证权利 statement: lets the decision follow before the period ends.
    WAIVER = "waiver", "放弃陈述申辩、听证权利声明（当事人签名）"
    OTHER = "other", "其他"


class StoredFile(Recorded):
    """Content-addressed blob: stored once under its SHA-256, never overwritten or deleted."""

    sha256 = models.CharField("SHA-256", max_length=64, unique=True)
    sm3 = models.CharField("SM3", max_length=64, blank=True, db_index=True,
                           help_text="国密 SM3 杂凑值（GB/T 32905），与 SHA-256 同时在写入时流式计算")
    size = models.BigIntegerField("字节数")
    storage_name = models.CharField("存储路径", max_length=200)
    created_at = models.DateTimeField("首次存储时间", auto_now_add=True)
    ledger_index = models.BigIntegerField("日志序号", null=True, blank=True, editable=False,
                                          help_text="首次记录该文件的日志条目")

    class Meta:
        verbose_name = verbose_name_plural = "存储文件"

    def __str__(self) -> str:
        return f"{self.sha256[:16]}…（{self.size} 字节）"

    def ledger_state(self) -> dict:
        state = super().ledger_state()
        if not state.get("sm3"):
            # Files stored before SM3 was recorded keep the state they were logged with.
            state.pop("sm3", None)
        return state


class EvidenceQuerySet(ScopedQuerySet):
    """Evidence of the cases in the user's scope; restricted evidence only for those the rule in
    accounts.scoping names (the case's officers, the agency's heads and reviewers, supervisors)."""

    def scope_q(self, user):
        scope = agency_q(user, "case__agency_id")
        if scope is None:
            return None
        allowed = restricted_q(user, "case")
        if allowed is not None and not allowed:  # Q(): every case's restricted material
            return scope
        plain = ~RESTRICTED
        return scope & (plain if allowed is None else plain | allowed)

    def withheld_from(self, user):
        """Restricted evidence of cases in the user's scope that the user may not open: shown to
        them by hash only ("受限材料（哈希 …）")."""
        scope = agency_q(user, "case__agency_id")
        if scope is None:
            return self.none()
        qs = self.filter(scope).filter(RESTRICTED)
        allowed = restricted_q(user, "case")
        if allowed is None:
            return qs
        return qs.none() if not allowed else qs.exclude(allowed)


class Evidence(Recorded):
    """A piece of evidence attached to a case at a step, with who captured it where and when.

    Never edited or deleted: a correction is a new row whose `supersedes` points at this one.
    Evidence flagged secret, trade secret or privacy is seen only by the people listed in
    `accounts.scoping` (applied by `Evidence.objects.visible_to(user)`).
    """

    case = models.ForeignKey("cases.Case", verbose_name="案件", on_delete=models.PROTECT, related_name="evidence")
    step = models.CharField("环节", max_length=40)
    kind = models.CharField("类型", max_length=20, choices=EvidenceKind.choices)
    file = models.ForeignKey(StoredFile, verbose_name="文件", on_delete=models.PROTECT, related_name="uses")
    original_name = models.CharField("原文件名", max_length=200)
    content_type = models.CharField("MIME类型", max_length=100, blank=True)
    description = models.CharField("说明", max_length=500, blank=True)
    captured_at = models.DateTimeField("采集时间", null=True, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)
    supersedes = models.ForeignKey("self", verbose_name="更正的证据", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="superseded_by")
    device_no = models.CharField("设备编号", max_length=60, blank=True, help_text="如执法记录仪编号")
    location = models.CharField("采集地点", max_length=200, blank=True)
    officer = models.ForeignKey("registry.Officer", verbose_name="采集人员", null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+")
    secret = models.BooleanField("涉及国家秘密", default=False)
    trade_secret = models.BooleanField("涉及商业秘密", default=False)
    privacy = models.BooleanField("涉及个人隐私", default=False)
    ledger_index = models.BigIntegerField("日志序号", null=True, blank=True, editable=False)

    objects = EvidenceQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "证据"
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.original_name}"

    @property
    def is_restricted(self) -> bool:
        return self.secret or self.trade_secret or self.privacy

    def restriction_labels(self) -> list[str]:
        return [label for flag, label in (("secret", "国家秘密"), ("trade_secret", "商业秘密"), ("privacy", "个人隐私"))
                if getattr(self, flag)]


class UploadStatus(models.TextChoices):
    RECEIVING = "receiving", "接收中"
    COMPLETE = "complete", "已完成"
    REJECTED = "rejected", "已拒绝"
    CANCELLED = "cancelled", "已取消"
    EXPIRED = "expired", "已过期"


class UploadSessionQuerySet(ScopedQuerySet):
    """A user's own upload sessions, on cases still in their scope."""

    def scope_q(self, user):
        scope = agency_q(user, "case__agency_id")
        return None if scope is None else scope & models.Q(created_by_id=user.pk)


class UploadSession(models.Model):
    """A resumable (chunked) upload in progress: the bytes so far sit in a temporary file.

    Transient, hence not Recorded and never in the ledger: nothing is evidence until the last
    byte arrived, the hash and type checks passed and `records.chunked.upload_finalize` wrote
    the StoredFile, the Evidence and their ledger entry in one transaction. `received` is the
    offset the next chunk must start at.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey("cases.Case", verbose_name="案件", on_delete=models.PROTECT,
                             related_name="upload_sessions")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="上传人", on_delete=models.PROTECT,
                                   related_name="+")
    filename = models.CharField("文件名", max_length=200)
    size = models.BigIntegerField("文件大小（字节）")
    kind = models.CharField("证据类型", max_length=20, choices=EvidenceKind.choices)
    content_type = models.CharField("声明的MIME类型", max_length=100, blank=True)
    detected_type = models.CharField("识别的MIME类型", max_length=100, blank=True)
    sha256_expected = models.CharField("客户端声明的SHA-256", max_length=64, blank=True)
    sha256 = models.CharField("SHA-256", max_length=64, blank=True)
    metadata = models.JSONField("证据信息", default=dict, blank=True)
    received = models.BigIntegerField("已接收字节", default=0)
    status = models.CharField("状态", max_length=20, choices=UploadStatus.choices, default=UploadStatus.RECEIVING,
                              db_index=True)
    error = models.CharField("拒绝原因", max_length=300, blank=True)
    evidence = models.ForeignKey(Evidence, verbose_name="证据", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("最近活动时间", auto_now=True, db_index=True)

    objects = UploadSessionQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "分片上传"
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                name="upload_received_within_size",
                condition=models.Q(received__gte=0) & models.Q(received__lte=models.F("size")),
                violation_error_message="已接收字节数不能超过文件大小",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.filename}（{self.received}/{self.size}）"
