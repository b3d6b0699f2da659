from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "sanxiang.registry"
    verbose_name = "主体与人员"

    def ready(self):
        # Registers the statutory-range rule with the flow engine (cases.engine owns the registries).
        from sanxiang.registry import guards  # noqa: F401
