from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "sanxiang.reviews"
    verbose_name = "法制审核"
