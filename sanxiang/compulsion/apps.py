from django.apps import AppConfig


class CompulsionConfig(AppConfig):
    name = "sanxiang.compulsion"
    verbose_name = "行政强制"

    def ready(self):
        # Statutory figures, the audio-video list entries, the engine's rules, the document kinds
        # and the early warnings of 行政强制法, registered from this app (the engine imports no app).
        from sanxiang.compulsion import params

        params.register()
        from sanxiang.compulsion import alerts, documents, rules  # noqa: F401

        documents.register()
