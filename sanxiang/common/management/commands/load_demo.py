"""`sanxiang load_demo`: load the 河洛市 demo data (see sanxiang.demo); `--reset` rebuilds it."""

from __future__ import annotations

import time
from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from sanxiang import demo
from sanxiang.ledger.services import ledger_checkpoint
from sanxiang.ledger.verification import verify_all


class Command(BaseCommand):
    help = "载入演示数据（河洛市四个执法机关、人员、执法事项、各环节案件与公示）；已有演示数据时保留不动"

    def add_arguments(self, parser):
        parser.add_argument("--reset", action="store_true",
                            help="清空数据库中的全部数据后重新载入演示数据（make demo RESET=1）")
        parser.add_argument("--yes", action="store_true",
                            help="确认对非 SQLite 数据库执行 --reset（会清空该数据库的全部数据）")
        parser.add_argument("--laws", type=Path, default=None,
                            help="法律法规文本目录（默认为项目旁的 ../shared/laws，存在时导入）")
        parser.add_argument("--no-laws", action="store_true", help="不导入法律法规文本")

    def handle(self, *args, reset=False, yes=False, laws=None, no_laws=False, **options):
        laws_dir = self._laws_dir(laws, no_laws)
        if reset:
            if connection.vendor != "sqlite" and not yes:
                raise CommandError(
                    f"当前数据库为 {connection.vendor}（非 SQLite），--reset 将清空其中的全部数据；"
                    "确认无误后请加 --yes 重新执行")
            self.stdout.write("正在清空数据库中的现有数据……")
            call_command("flush", interactive=False, verbosity=0)
        elif demo.demo_present():
            counts = demo.summary()
            self.stdout.write(self.style.SUCCESS(
                f"演示数据已存在（{counts['agencies']}个机关、{counts['users']}个账号、{counts['cases']}件案件、"
                f"{counts['published']}条已公示决定），保留现有数据，未作改动。"))
            self.stdout.write("如需清空后重新生成演示数据：make demo RESET=1（或 sanxiang load_demo --reset）")
            self._print_logins()
            return
        elif demo.other_data_present():
            self.stdout.write(self.style.WARNING(
                "数据库中已有非演示数据（执法机关或用户），保留现有数据，未载入演示数据（避免与现有数据冲突）。"))
            self.stdout.write("如需清空后载入演示数据：make demo RESET=1（或 sanxiang load_demo --reset）")
            return

        started = time.monotonic()
        if laws_dir is None and not demo.laws_present():
            # Items cite 条/款/项 that are checked against the law database when saved.
            raise CommandError(f"演示数据的执法事项引用法律法规条文，须先有法律法规文本：未找到 {demo.default_laws_dir()}；"
                               "请用 --laws DIR 指定，或设置 SANXIANG_LAWS_DIR，或先运行 sanxiang import_laws DIR")
        report = demo.load(laws_dir=laws_dir, out=self.stdout.write)
        if laws_dir is not None:
            self.stdout.write(f"已载入法律法规 {len(report.laws)} 部（{laws_dir}）")
        for skipped in report.skipped:
            self.stdout.write(self.style.WARNING(f"已跳过：{skipped}"))
        if report.extra:
            self.stdout.write("另有：" + "、".join(f"{label}{n}" for label, n in report.extra.items()))
        checkpoint = ledger_checkpoint()
        verification = verify_all()
        if not verification.ok:
            for problem in verification.problems[:20]:
                self.stderr.write(problem.message)
            raise CommandError("演示数据载入后防篡改日志校验未通过，请检查上面的问题")
        counts = demo.summary()
        self.stdout.write(self.style.SUCCESS(
            f"{'已清空并重新生成' if reset else '已生成'}演示数据（{time.monotonic() - started:.1f} 秒）："
            f"{counts['agencies']}个机关、{counts['officers']}名人员、{counts['users']}个账号、"
            f"{counts['items']}个执法事项、{counts['cases']}件案件、{counts['published']}条已公示决定、"
            f"{counts['laws']}部法律法规。"))
        self.stdout.write(f"业务日期截至 {report.anchor}；防篡改日志 {verification.size} 条，"
                          f"已签发检查点（大小 {checkpoint.tree_size}），校验通过。")
        self._print_logins()

    def _laws_dir(self, laws: Path | None, no_laws: bool) -> Path | None:
        if no_laws:
            return None
        if laws is not None:
            if not laws.is_dir():
                raise CommandError(f"法律法规文本目录不存在：{laws}")
            return laws
        default = demo.default_laws_dir()
        return default if default.is_dir() else None

    def _print_logins(self) -> None:
        rows = demo.logins()
        if not rows:
            return
        self.stdout.write(f"\n演示账号（密码均为 {demo.DEMO_PASSWORD}；负责人、法制审核、监督和管理员账号须双因素认证，"
                          f"认证器密钥 {demo.DEMO_TOTP_SECRET}，当前验证码：sanxiang totp 用户名）：")
        width = max(len(r.username) for r in rows) + 2
        for r in rows:
            self.stdout.write(f"  {r.username.ljust(width)}{r.role}\t{r.display}\t{r.agency}")
