from django.apps import AppConfig


class DisclosureConfig(AppConfig):
    name = "sanxiang.disclosure"
    verbose_name = "执法公示"

    def ready(self):
        # Registers this app's rules with the flow engine (cases.engine owns the registries).
        from django.db.models.signals import post_migrate

        from sanxiang.disclosure import effects, reports, search_index, tasks  # noqa: F401

        post_migrate.connect(search_index.post_migrate, sender=self)
