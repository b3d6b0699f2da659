from django.core.management.base import BaseCommand

from sanxiang.ledger.services import ledger_checkpoint


class Command(BaseCommand):
    help = "为当前日志签发一个签名检查点（C2SP）"

    def handle(self, *args, **options):
        cp = ledger_checkpoint()
        self.stdout.write(cp.note)
