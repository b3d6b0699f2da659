"""`sanxiang restore DIR`: restore a backup into an empty database (see sanxiang/backup/services.py)."""

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from sanxiang.backup.services import backup_restore
from sanxiang.common.exceptions import DomainError
from sanxiang.records.services import human_size


class Command(BaseCommand):
    help = "从备份目录恢复到空数据库：先核对清单中每个文件的 SHA-256，再恢复数据库、文件、签名密钥和检查点文件"
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("dir", help="sanxiang backup 生成的备份目录")
        parser.add_argument("--no-verify", action="store_true", help="恢复后不运行 verify_ledger 与 verify_evidence")

    def handle(self, *args, dir, no_verify=False, **options):
        try:
            outcome = backup_restore(dir)
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        for note in outcome.notes:
            self.stdout.write(self.style.WARNING(note))
        self.stdout.write(self.style.SUCCESS(
            f"恢复完成：数据库与 {outcome.files} 个文件（{human_size(outcome.bytes)}），用时 {outcome.seconds:.1f} 秒"))
        # The backup may come from an older release: bring the schema up to date.
        call_command("migrate", "--noinput", verbosity=0)
        if not no_verify:
            call_command("verify_ledger", stdout=self.stdout, stderr=self.stderr)
            call_command("verify_evidence", stdout=self.stdout, stderr=self.stderr)
