"""Public pages of the supervision app: 投诉举报 intake (included from config/urls.py)."""

from django.urls import path

from sanxiang.supervision import portal_views

app_name = "complaints"

urlpatterns = [
    path("", portal_views.complaint_new, name="new"),
]
