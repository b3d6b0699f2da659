from django.apps import AppConfig


class DrawsConfig(AppConfig):
    name = "sanxiang.draws"
    verbose_name = "随机抽取"
