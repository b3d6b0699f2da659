"""Evidence API routes, included under /api/evidence/ by config/api_urls.py."""

from django.urls import path

from sanxiang.records import api

urlpatterns = [
    path("", api.EvidenceListApi.as_view(), name="api-evidence-list"),
    path("<int:pk>/", api.EvidenceDetailApi.as_view(), name="api-evidence"),
    path("<int:pk>/content/", api.EvidenceContentApi.as_view(), name="api-evidence-content"),
    path("uploads/", api.UploadListCreateApi.as_view(), name="api-evidence-uploads"),
    path("uploads/<uuid:pk>/", api.UploadDetailApi.as_view(), name="api-evidence-upload"),
    path("uploads/<uuid:pk>/complete/", api.UploadCompleteApi.as_view(), name="api-evidence-upload-complete"),
]
