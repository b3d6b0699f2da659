from django.urls import path

from sanxiang.inspections import views

app_name = "inspections"

urlpatterns = [
    path("", views.home, name="home"),
    path("plans/<int:pk>/draw/", views.plan_draw, name="draw"),
    path("plans/<int:pk>/task/", views.plan_task, name="task"),
    path("targets/import/", views.targets_import, name="import"),
    path("targets/template/", views.targets_template, name="template"),
]
