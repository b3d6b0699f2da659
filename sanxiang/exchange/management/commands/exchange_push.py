"""sanxiang exchange_push: one push tick now (what the job runner does every few minutes)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from sanxiang.exchange.push import push_all


class Command(BaseCommand):
    help = "向已配置的上级平台推送公示数据增量（失败按指数退避重试）"

    def handle(self, *args, **options):
        made = push_all()
        for d in made:
            self.stdout.write(f"{d.endpoint.name}: 第{d.attempt}次 {d.get_status_display()} {d.items} 条 "
                              f"游标 {d.cursor_from}→{d.cursor_to} {d.error}")
        if not made:
            self.stdout.write("没有需要推送的数据（或接收方在退避等待中）")
