"""`sanxiang backup DIR`: a consistent online backup (see sanxiang/backup/services.py)."""

from django.core.management.base import BaseCommand, CommandError

from sanxiang.backup.services import backup_create
from sanxiang.common.exceptions import DomainError
from sanxiang.records.services import human_size


class Command(BaseCommand):
    help = "在线备份：数据库一致性快照、存储的文件、签名密钥、检查点文件，以及全部文件的 SHA-256 清单"
    # A backup must work even when the system checks fail (e.g. a key problem being investigated).
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("dir", help="备份目录（不存在或为空）")

    def handle(self, *args, dir, **options):
        try:
            outcome = backup_create(dir)
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        for note in outcome.notes:
            self.stdout.write(self.style.WARNING(note))
        self.stdout.write(self.style.SUCCESS(
            f"备份完成：{outcome.directory}，{outcome.files} 个文件（{human_size(outcome.bytes)}），日志 {outcome.ledger_size} 条、"
            f"检查点 {outcome.checkpoints} 个，用时 {outcome.seconds:.1f} 秒"))
