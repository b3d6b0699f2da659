"""The project's URLs plus this app's, as config/urls.py and config/api_urls.py include them."""

from django.urls import include, path

from config.urls import urlpatterns as project_urlpatterns
from sanxiang.documents import api

urlpatterns = [
    path("staff/documents/", include("sanxiang.documents.urls")),
    path("api/cases/<int:pk>/documents/", api.CaseDocumentListApi.as_view(), name="api-case-documents"),
    path("api/cases/<int:pk>/document-kinds/", api.CaseDocumentKindsApi.as_view(), name="api-case-document-kinds"),
    path("api/documents/<int:pk>/<slug:fmt>/", api.DocumentFileApi.as_view(), name="api-document-file"),
    *project_urlpatterns,
]
