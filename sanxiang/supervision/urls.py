from django.urls import path

from sanxiang.supervision import views

app_name = "supervision"

urlpatterns = [
    path("access-log/", views.access_log, name="access_log"),
]
