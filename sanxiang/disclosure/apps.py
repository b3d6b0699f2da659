from django.apps import AppConfig


class DisclosureConfig(AppConfig):
    name = "sanxiang.disclosure"
    verbose_name = "执法公示"

    def ready(self):
        # Registers this app's rules with the flow engine (cases.engine owns the registries).
        from sanxiang.disclosure import effects, reports, tasks  # noqa: F401
