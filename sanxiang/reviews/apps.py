from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "sanxiang.reviews"
    verbose_name = "法制审核"

    def ready(self):
        # Registers this app's rules with the flow engine (cases.engine owns the registries).
        from sanxiang.reviews import guards  # noqa: F401
