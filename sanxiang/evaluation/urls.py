from django.urls import path

from sanxiang.evaluation import views

app_name = "evaluation"

urlpatterns = [
    path("", views.round_list, name="rounds"),
    path("<int:pk>/", views.round_detail, name="round"),
    path("files/<int:pk>/", views.file_detail, name="file"),
    path("rectifications/<int:pk>/", views.rectification_act, name="rectification"),
]
