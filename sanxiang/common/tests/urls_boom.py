"""The site's URLs plus two views that fail, to see the 500 answers (test_limits)."""

from django.urls import path

from config.urls import handler400, handler403, handler404, handler500  # noqa: F401
from config.urls import urlpatterns as site_urls


def boom(request):
    raise RuntimeError("boom: internal detail that must not leak")


urlpatterns = [path("api/boom/", boom), path("staff/boom/", boom), *site_urls]
