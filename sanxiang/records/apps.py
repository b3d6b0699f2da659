from django.apps import AppConfig


class RecordsConfig(AppConfig):
    name = "sanxiang.records"
    verbose_name = "全过程记录"
