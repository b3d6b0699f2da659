from django.urls import path

from sanxiang.monitoring import views

app_name = "monitoring"

urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/cases/", views.case_list, name="cases"),
    path("dashboard/certificates/", views.certificates, name="certificates"),
    path("dashboard/export/<slug:table>.xlsx", views.export, name="export"),
    path("alerts/", views.alerts, name="alerts"),
    path("alerts/<int:pk>/<slug:action>/", views.alert_action, name="alert_action"),
    path("digests/", views.digests, name="digests"),
]
