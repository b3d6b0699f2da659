from django.urls import path

from sanxiang.accounts import audit_views

app_name = "audit"

urlpatterns = [
    path("", audit_views.audit_trail, name="trail"),
    path("export.xlsx", audit_views.audit_export, name="export"),
]
