from django.urls import path

from sanxiang.inspections import views

app_name = "inspections"

urlpatterns = [
    path("", views.home, name="home"),
    path("plans/new/", views.plan_new, name="plan_new"),
    path("plans/<int:pk>/", views.plan_detail, name="plan"),
    path("plans/<int:pk>/commit/", views.plan_commit, name="commit"),
    path("plans/<int:pk>/reveal/", views.plan_reveal, name="reveal"),
    path("plans/<int:pk>/draw/", views.plan_draw, name="draw"),
    path("plans/<int:pk>/task/", views.plan_task, name="task"),
    path("avoidances/", views.avoidances, name="avoidances"),
    path("avoidances/<int:pk>/withdraw/", views.avoidance_withdraw, name="avoidance_withdraw"),
    path("targets/import/", views.targets_import, name="import"),
    path("targets/template/", views.targets_template, name="template"),
]
