from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "sanxiang.jobs"
    verbose_name = "后台任务"

    def ready(self):
        # The ledger queues its checkpoints through this app without importing it.
        from sanxiang.jobs.tasks import checkpoint_job
        from sanxiang.ledger.services import checkpoint_queue_register

        checkpoint_queue_register(checkpoint_job)
