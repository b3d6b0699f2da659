from django.urls import path

from sanxiang.inspections import portal_views

app_name = "spotcheck"

urlpatterns = [
    path("", portal_views.spot_checks, name="list"),
    path("plans/<int:pk>/", portal_views.plan_detail, name="plan"),
]
