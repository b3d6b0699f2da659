from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "sanxiang.supervision"
    verbose_name = "调阅监督"
    default_auto_field = "django.db.models.BigAutoField"
