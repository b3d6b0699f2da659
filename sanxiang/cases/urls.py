from django.urls import path

from sanxiang.cases import views

app_name = "cases"

urlpatterns = [
    path("", views.my_cases, name="my_cases"),
    path("cases/new/", views.case_new, name="new"),
    path("cases/<int:pk>/", views.case_detail, name="detail"),
    path("cases/<int:pk>/actions/<slug:action>/", views.case_action, name="action"),
    path("cases/<int:pk>/discretion/", views.case_discretion_hint, name="discretion"),
    path("cases/<int:pk>/evidence/", views.evidence_upload, name="evidence_upload"),
    path("cases/<int:pk>/evidence/<int:evidence_id>/", views.evidence_download, name="evidence_download"),
    path("publications/<int:publication_id>/publish/", views.publication_release, name="publish"),
]
