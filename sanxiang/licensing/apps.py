from django.apps import AppConfig


class LicensingConfig(AppConfig):
    name = "sanxiang.licensing"
    verbose_name = "行政许可与征收、收费"

    def ready(self):
        # Parameters, document kinds, then the rules the flows name; the tracker and the alert rule.
        from sanxiang.licensing import documents, params

        params.register()
        documents.register()
        from sanxiang.licensing import alerts, progress, rules  # noqa: F401
