"""`sanxiang verify_dossier FILE`: offline check of an exported dossier (no database is touched)."""

from django.core.management.base import BaseCommand, CommandError

from sanxiang.dossier.verify import verify_dossier


class Command(BaseCommand):
    help = "离线校验导出的案卷：检查点签名、日志包含证明、文件哈希（不访问数据库和网络）"
    requires_system_checks = []
    requires_migrations_checks = False

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--vkey", help="受信的检查点验证公钥（name+hex+base64 格式）")

    def handle(self, *args, file, vkey=None, **options):
        report = verify_dossier(file, trusted_vkey=vkey)
        self.stdout.write(f"案卷 {report.case_number}：日志条目 {report.entries} 条（树大小 {report.tree_size}），"
                          f"文件 {report.files} 个，仅含哈希 {report.omitted} 个，受限材料仅列哈希 {report.withheld} 个")
        if report.ok:
            self.stdout.write(self.style.SUCCESS("校验通过"))
            return
        for problem in report.problems:
            self.stderr.write(problem)
        raise CommandError("案卷校验失败")
