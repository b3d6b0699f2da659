"""Staff routes of the evidence store, included under /staff/records/ by config/urls.py."""

from django.urls import path

from sanxiang.records import views

app_name = "records"

urlpatterns = [
    path("evidence/<int:pk>/download/", views.evidence_download, name="evidence_download"),
]
