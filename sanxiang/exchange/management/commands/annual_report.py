"""sanxiang annual_report --year Y --user U [--agency CODE] : generate a draft annual report (a new version)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from sanxiang.accounts.models import User
from sanxiang.common.exceptions import DomainError
from sanxiang.exchange.services import annual_report_generate
from sanxiang.registry.models import Agency


class Command(BaseCommand):
    help = "生成年度行政执法数据报告（待机关负责人审核后公布）"

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--user", required=True, help="生成人账号（机关负责人、法制审核人员、承办机构负责人或执法监督人员）")
        parser.add_argument("--agency", default="", help="机关代码；不填为全部执法机关（须执法监督人员）")

    def handle(self, *args, **options):
        actor = User.objects.filter(username=options["user"], is_active=True).first()
        if actor is None:
            raise CommandError(f"账号 {options['user']} 不存在或已停用")
        agency = None
        if options["agency"]:
            agency = Agency.objects.filter(code=options["agency"]).first()
            if agency is None:
                raise CommandError(f"机关代码 {options['agency']} 不存在")
        try:
            report = annual_report_generate(agency=agency, year=options["year"], actor=actor)
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"已生成：{report}（数据 SHA-256 {report.figures_sha256}），待审核后公布")
