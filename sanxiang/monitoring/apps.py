from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "sanxiang.monitoring"
    verbose_name = "监督平台（驾驶舱与预警）"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The early-warning rules this app declares, and the hooks that keep the tallies current.
        from sanxiang.monitoring import rules, tally  # noqa: F401

        tally.connect()
