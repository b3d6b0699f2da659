from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "sanxiang.cases"
    verbose_name = "案件办理"

    def ready(self):
        # Registers this app's rules with the flow engine (cases.engine owns the registries).
        from sanxiang.cases import guards, party_rules, services  # noqa: F401
