import time

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "重新统计驾驶舱汇总表（批量导入或数据迁移后运行；每晚也自动运行）"

    def handle(self, *args, **options):
        from sanxiang.monitoring.tally import rebuild

        start = time.perf_counter()
        rows = rebuild()
        self.stdout.write(f"汇总表已重建：{rows}，用时 {time.perf_counter() - start:.1f} 秒")
