from django.urls import path

from sanxiang.registry import views

app_name = "registry"

urlpatterns = [
    path("import/", views.import_page, name="import"),
    path("import/template/<slug:kind>.xlsx", views.import_template, name="import_template"),
    path("laws/<int:pk>/outline.json", views.law_outline, name="law_outline"),
]
