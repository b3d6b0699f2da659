"""`sanxiang cleanup_uploads`: remove abandoned chunked uploads (temporary files, stale rows)."""

import datetime as dt

from django.conf import settings
from django.core.management.base import BaseCommand

from sanxiang.records.chunked import uploads_cleanup


class Command(BaseCommand):
    help = "清理中断后长时间未续传的分片上传：删除临时文件；已结束的上传记录保留若干天后删除"

    def add_arguments(self, parser):
        parser.add_argument("--idle-hours", type=float, default=settings.EVIDENCE_UPLOAD_EXPIRY_HOURS,
                            help="未续传超过该小时数的上传视为放弃（默认 EVIDENCE_UPLOAD_EXPIRY_HOURS）")
        parser.add_argument("--keep-days", type=float, default=30, help="已结束的上传记录保留天数")

    def handle(self, *args, idle_hours, keep_days, **options):
        stats = uploads_cleanup(idle=dt.timedelta(hours=idle_hours), keep=dt.timedelta(days=keep_days))
        self.stdout.write(f"过期上传 {stats['expired']} 个，无主临时文件 {stats['orphans']} 个，"
                          f"删除旧上传记录 {stats['purged']} 条")
