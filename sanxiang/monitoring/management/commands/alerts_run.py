from django.core.management.base import BaseCommand, CommandError

from sanxiang.common.params import safe_parse_date


class Command(BaseCommand):
    help = "运行预警规则（每条发现只记录一次），可同时生成当日预警日报"

    def add_arguments(self, parser):
        parser.add_argument("--on", help="按该日运行（YYYY-MM-DD），默认今天")
        parser.add_argument("--digest", action="store_true", help="同时生成预警日报")

    def handle(self, *args, **options):
        from sanxiang.monitoring.services import alerts_run, digests_make

        on = safe_parse_date(options["on"]) if options["on"] else None
        if options["on"] and on is None:
            raise CommandError("--on 须为 YYYY-MM-DD")
        for code, n in alerts_run(on).items():
            self.stdout.write(f"{code}: 新增 {n} 条")
        if options["digest"]:
            self.stdout.write(f"预警日报 {len(digests_make(on))} 份")
