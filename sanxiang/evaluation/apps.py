from django.apps import AppConfig


class EvaluationConfig(AppConfig):
    name = "sanxiang.evaluation"
    verbose_name = "案卷评查"
