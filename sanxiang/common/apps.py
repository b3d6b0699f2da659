from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "sanxiang.common"
    verbose_name = "基础设置"
