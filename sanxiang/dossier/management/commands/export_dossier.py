"""`sanxiang export_dossier CASE_NUMBER OUT.zip --user U --reason R`: export from a shell (logged)."""

import shutil

from django.core.management.base import BaseCommand, CommandError

from sanxiang.accounts.models import User
from sanxiang.accounts.scoping import OutOfScope
from sanxiang.cases.models import Case
from sanxiang.common.exceptions import DomainError
from sanxiang.dossier.export import dossier_export
from sanxiang.ledger.audit import audit_record


class Command(BaseCommand):
    help = "导出案卷（含文书、证据、日志条目及包含证明、签名检查点），导出行为记入调阅记录"

    def add_arguments(self, parser):
        parser.add_argument("case_number")
        parser.add_argument("out")
        parser.add_argument("--user", required=True, help="以该用户身份导出（须有权查看该案件）")
        parser.add_argument("--reason", default="", help="调阅事由")

    def handle(self, *args, case_number, out, user, reason, **options):
        actor = User.objects.filter(username=user).first()
        if actor is None:
            raise CommandError(f"用户“{user}”不存在")
        try:
            case = Case.objects.get_visible(actor, number=case_number, message=f"案件“{case_number}”不存在或无权查看")
            path = dossier_export(case=case, actor=actor, reason=reason)
        except OutOfScope as exc:
            # A denial on a scoped object is audited from the shell as from the web (no address).
            audit_record("permission_denied", user=actor, summary=f"越权导出案卷被拒绝：{case_number}",
                         detail={"object": exc.object_ref, "path": "sanxiang export_dossier"})
            raise CommandError(exc.message) from exc
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        shutil.move(path, out)
        self.stdout.write(self.style.SUCCESS(f"已导出：{out}"))
