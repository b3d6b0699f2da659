from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "sanxiang.documents"
    verbose_name = "执法文书"

    def ready(self):
        # The engine checks each flow's documents per step against the kinds registered here.
        from sanxiang.cases import engine
        from sanxiang.documents.kinds import KINDS

        for code, kind in KINDS.items():
            engine.document_kind(code, kind.name)
