"""`sanxiang verify_ledger`: recompute the tree, check signatures, rows and content."""

import os

from django.core.management.base import BaseCommand, CommandError

from sanxiang.ledger.verification import verify_all


class Command(BaseCommand):
    help = "校验防篡改日志：重算默克尔树、校验检查点签名、核对业务数据与文件哈希"
    # Verification must run, and report, exactly when the system checks fail (e.g. a wrong key).
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--tree-only", action="store_true", help="只校验日志与检查点，不核对业务数据和文件")
        parser.add_argument("--jobs", type=int, default=min(os.cpu_count() or 1, 4),
                            help="重算默克尔树时并行的进程数（默认为 CPU 核数，最多 4；1 为单进程）")

    def handle(self, *args, tree_only=False, jobs=1, **options):
        report = verify_all(rows=not tree_only, content=not tree_only, jobs=max(jobs, 1))
        self.stdout.write(f"日志条目 {report.size} 条，检查点 {report.checkpoints} 个，"
                          f"检查点文件中的检查点 {report.witnessed} 个，业务数据 {report.rows} 行，文件 {report.files} 个")
        for warning in report.warnings:
            self.stdout.write(self.style.WARNING(f"注意：{warning}"))
        if report.ok:
            self.stdout.write(self.style.SUCCESS("校验通过"))
            return
        for problem in report.problems[:50]:
            where = f"[条目 {problem.index}] " if problem.index is not None else ""
            self.stderr.write(f"{where}{problem.message}")
        first = report.first_bad_index
        raise CommandError(f"校验失败：首个异常条目序号 {first}" if first is not None else "校验失败")
