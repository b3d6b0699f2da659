"""The project's URLs plus the evidence-store routes, for tests that run before config/ includes them."""

from django.urls import include, path

from config.urls import urlpatterns as project_urlpatterns

urlpatterns = [
    path("api/evidence/", include("sanxiang.records.api_urls")),
    path("staff/records/", include("sanxiang.records.urls")),
    *project_urlpatterns,
]
