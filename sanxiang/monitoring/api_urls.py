from django.urls import path

from sanxiang.monitoring import api

urlpatterns = [
    path("dashboard/", api.DashboardApi.as_view(), name="api-monitoring-dashboard"),
    path("dashboard/cases/", api.DrilldownApi.as_view(), name="api-monitoring-cases"),
    path("alerts/", api.AlertListApi.as_view(), name="api-monitoring-alerts"),
    path("alerts/<int:pk>/<slug:action>/", api.AlertActionApi.as_view(), name="api-monitoring-alert-action"),
]
