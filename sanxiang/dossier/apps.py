from django.apps import AppConfig


class DossierConfig(AppConfig):
    name = "sanxiang.dossier"
    verbose_name = "案卷"
    default_auto_field = "django.db.models.BigAutoField"
