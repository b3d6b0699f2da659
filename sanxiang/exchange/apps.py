from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "sanxiang.exchange"
    verbose_name = "数据交换与年度报告"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Registers the January alert (common.alerts) and the 双公示 export sources.
        from sanxiang.exchange import alerts, export, sources  # noqa: F401
