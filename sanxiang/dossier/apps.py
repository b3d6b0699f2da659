from django.apps import AppConfig


class DossierConfig(AppConfig):
    name = "sanxiang.dossier"
    verbose_name = "案卷"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Registers this app's rules with the flow engine (cases.engine owns the registries).
        from sanxiang.dossier import guards  # noqa: F401
