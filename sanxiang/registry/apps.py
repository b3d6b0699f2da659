from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "sanxiang.registry"
    verbose_name = "主体与人员"

    def ready(self):
        # The statutory figures a flow may name as a period or due date (refused when misspelt).
        from sanxiang.cases import engine
        from sanxiang.registry.params import DEFAULTS

        for code, (value, unit, label, source) in DEFAULTS.items():
            engine.parameter(code, label=label, unit=unit, source=source, default=value)

        # Registers the statutory-range rule with the flow engine (cases.engine owns the registries).
        from sanxiang.registry import alerts, guards  # noqa: F401
