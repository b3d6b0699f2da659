from django.urls import path

from sanxiang.registry import certificate_views, views

app_name = "registry"

urlpatterns = [
    path("import/", views.import_page, name="import"),
    path("import/template/<slug:kind>.xlsx", views.import_template, name="import_template"),
    path("laws/<int:pk>/outline.json", views.law_outline, name="law_outline"),
    path("officers/", certificate_views.officer_register, name="officers"),
    path("officers/<int:pk>/", certificate_views.officer_detail, name="officer"),
    path("officers/<int:pk>/certificate/<slug:action>/", certificate_views.officer_act, name="officer_act"),
]
