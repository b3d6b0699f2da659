"""`sanxiang verify_evidence`: re-hash every stored evidence file; non-zero exit on any problem."""

from django.core.management.base import BaseCommand, CommandError

from sanxiang.records.services import human_size
from sanxiang.records.verification import verify_files


class Command(BaseCommand):
    help = "校验证据文件：逐个重新计算存储中文件的 SHA-256，报告缺失或被修改的文件及记录它的日志条目"

    def handle(self, *args, **options):
        report = verify_files()
        self.stdout.write(f"已校验文件 {report.files} 个，共 {human_size(report.bytes)}；"
                          f"缺失 {report.count('missing')} 个，被修改 {report.count('changed')} 个"
                          + (f"，未锁定 {report.count('unlocked')} 个" if report.count("unlocked") else ""))
        if report.ok:
            self.stdout.write(self.style.SUCCESS("校验通过"))
            return
        for problem in report.problems:
            where = f"[日志条目 {problem.ledger_index}] " if problem.ledger_index is not None else "[日志中无记录] "
            self.stderr.write(where + problem.message)
        raise CommandError(f"证据文件校验失败：{len(report.problems)} 个问题")
