"""`sanxiang import_registry officers|items FILE --user USERNAME`: the Excel import from a shell."""

from django.core.management.base import BaseCommand, CommandError

from sanxiang.accounts.models import User
from sanxiang.common.exceptions import DomainError, ImportRejected
from sanxiang.registry import importers


class Command(BaseCommand):
    help = "从 Excel（.xlsx）导入执法人员或执法事项；任一行有错误则整份文件不导入"

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=["officers", "items"])
        parser.add_argument("file")
        parser.add_argument("--user", default="", help="以该用户身份导入（记入日志）；缺省为 system")

    def handle(self, *args, kind, file, user, **options):
        actor = "system"
        if user:
            actor = User.objects.filter(username=user).first()
            if actor is None:
                raise CommandError(f"用户“{user}”不存在")
        run = importers.import_officers if kind == "officers" else importers.import_items
        try:
            with open(file, "rb") as handle:
                rows = run(handle, actor=actor)
        except FileNotFoundError as exc:
            raise CommandError(f"文件不存在：{file}") from exc
        except ImportRejected as exc:
            for error in exc.errors:
                self.stderr.write(f"第{error['row']}行 [{error['column']}] {error['message']}")
            raise CommandError(exc.message) from exc
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(self.style.SUCCESS(f"已导入 {len(rows)} 条"))
