"""sanxiang exchange_export --kind penalty --format xlsx --out FILE [--agency CODE] [--since D] [--until D]"""

from __future__ import annotations

import datetime as dt
import sys

from django.core.management.base import BaseCommand, CommandError

from sanxiang.common.exceptions import DomainError
from sanxiang.exchange import export


class Command(BaseCommand):
    help = "导出双公示数据（信用中国字段，仅已公示、已脱敏数据）"

    def add_arguments(self, parser):
        parser.add_argument("--kind", default="penalty", help="penalty 或 licensing")
        parser.add_argument("--format", default="xlsx", choices=sorted(export.FORMATS))
        parser.add_argument("--out", help="输出文件（不填则写到标准输出）")
        parser.add_argument("--agency", default="", help="机关代码（不填为全部机关）")
        parser.add_argument("--since", type=dt.date.fromisoformat, help="决定日期起 YYYY-MM-DD")
        parser.add_argument("--until", type=dt.date.fromisoformat, help="决定日期止 YYYY-MM-DD")

    def handle(self, *args, **options):
        kind, fmt = options["kind"], options["format"]
        try:
            publications = export.exportable(kind, agency_code=options["agency"], since=options["since"],
                                             until=options["until"])
            rows = export.export_rows(kind, publications)
            body = export.render(kind, rows, fmt)
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        if options["out"]:
            with open(options["out"], "wb") as handle:
                handle.write(body)
            self.stderr.write(f"已导出 {len(rows)} 条到 {options['out']}")
        else:
            sys.stdout.buffer.write(body)
