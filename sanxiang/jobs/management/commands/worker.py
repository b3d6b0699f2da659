"""`sanxiang worker`: run the job queue's consumer (huey) with its periodic tasks.

The system checks run first (as for serve and migrate), so a worker never starts signing
checkpoints with a key that did not sign the existing ones.
"""

import logging

from django.conf import settings
from django.core.management.base import BaseCommand
from huey.consumer_options import ConsumerConfig


class Command(BaseCommand):
    help = "启动后台任务进程（huey）：定期签发检查点、夜间校验日志与证据、清理中断的上传"

    def add_arguments(self, parser):
        parser.add_argument("--workers", type=int, default=None, help="并行执行任务的线程数（默认 SANXIANG_WORKER_THREADS）")

    def handle(self, *args, workers=None, **options):
        from huey.contrib.djhuey import HUEY

        import sanxiang.jobs.tasks  # noqa: F401  (registers the tasks and periodic tasks)

        consumer_options = dict(settings.HUEY.get("consumer", {}))
        if workers:
            consumer_options["workers"] = workers
        config = ConsumerConfig(**consumer_options)
        config.validate()
        # The root logger already prints to the console (settings.LOGGING); huey's own handler
        # would print every line twice.
        logging.getLogger("huey").setLevel(logging.DEBUG if config.verbose else logging.INFO)
        storage = type(HUEY.storage).__name__
        self.stdout.write(f"Sanxiang 后台任务已启动（{storage}，{config.workers} 个线程；"
                          f"检查点每 {settings.LEDGER_CHECKPOINT_INTERVAL_MINUTES} 分钟）")
        HUEY.create_consumer(**config.values).run()
