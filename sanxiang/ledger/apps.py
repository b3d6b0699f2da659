from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "sanxiang.ledger"
    verbose_name = "防篡改日志"

    def ready(self) -> None:
        from sanxiang.ledger import checks  # noqa: F401  (registers the system checks)
