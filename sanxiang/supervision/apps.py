from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "sanxiang.supervision"
    verbose_name = "执法监督"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from sanxiang.supervision import alerts, complaints, matter_documents, params

        params.install()
        matter_documents.register()
        complaints.register_trackers()
        alerts.register()
        # `sanxiang worker` imports sanxiang.jobs.tasks only: the periodic task registers here.
        from sanxiang.supervision import tasks  # noqa: F401
