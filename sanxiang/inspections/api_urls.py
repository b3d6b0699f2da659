from django.urls import path

from sanxiang.inspections import api

urlpatterns = [
    path("public/check-items/", api.PublicCheckItemListApi.as_view(), name="api-check-items"),
    path("plans/<int:pk>/draw/", api.PlanDrawApi.as_view(), name="api-plan-draw"),
    path("plans/<int:pk>/tasks/", api.PlanTaskApi.as_view(), name="api-plan-task"),
    path("tasks/", api.AdHocTaskApi.as_view(), name="api-inspection-task"),
    path("avoidances/", api.AvoidanceApi.as_view(), name="api-avoidance"),
    path("targets/import/", api.EntityImportApi.as_view(), name="api-targets-import"),
]
