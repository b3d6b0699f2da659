from django.apps import AppConfig


class RecordsConfig(AppConfig):
    name = "sanxiang.records"
    verbose_name = "全过程记录"

    def ready(self):
        # Flows name evidence kinds in their dossier requirements; the engine checks them at load.
        from sanxiang.cases import engine
        from sanxiang.records.models import EvidenceKind

        for code, label in EvidenceKind.choices:
            engine.evidence_kind(code, label)
