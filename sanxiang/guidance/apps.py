from django.apps import AppConfig


class GuidanceConfig(AppConfig):
    name = "sanxiang.guidance"
    verbose_name = "法律法规库"
