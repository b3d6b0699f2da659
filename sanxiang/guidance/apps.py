from django.apps import AppConfig


class GuidanceConfig(AppConfig):
    name = "sanxiang.guidance"
    verbose_name = "法律法规库"

    def ready(self):
        # Registers the discretion benchmark's rules with the flow engine.
        from sanxiang.guidance import guards  # noqa: F401
