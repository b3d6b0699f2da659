from django.apps import AppConfig


class InspectionsConfig(AppConfig):
    name = "sanxiang.inspections"
    verbose_name = "行政检查与双随机抽查"

    def ready(self):
        # The inspection flow's rules and documents, registered with the engine and the documents app.
        from sanxiang.inspections import documents, rules  # noqa: F401

        documents.register()
