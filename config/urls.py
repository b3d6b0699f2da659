from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView

admin.site.site_header = "Sanxiang 行政执法三项制度平台 · 管理后台"
admin.site.site_title = "Sanxiang 管理后台"

urlpatterns = [
    path("", include("sanxiang.disclosure.urls")),
    path("", include("sanxiang.licensing.urls")),
    path("complaints/", include("sanxiang.supervision.portal_urls")),
    path("spot-checks/", include("sanxiang.inspections.portal_urls")),
    path("draws/", include("sanxiang.draws.urls")),
    path("evaluations/", include("sanxiang.evaluation.portal_urls")),
    path("staff/evaluation/", include("sanxiang.evaluation.urls")),
    path("staff/inspections/", include("sanxiang.inspections.urls")),
    path("staff/registry/", include("sanxiang.registry.urls")),
    path("staff/supervision/integrity/", include("sanxiang.ledger.staff_urls")),
    path("staff/supervision/", include("sanxiang.supervision.urls")),
    path("staff/monitoring/", include("sanxiang.monitoring.urls")),
    path("staff/documents/", include("sanxiang.documents.urls")),
    path("staff/publicity/", include("sanxiang.disclosure.staff_urls")),
    path("staff/records/", include("sanxiang.records.urls")),
    path("staff/audit/", include("sanxiang.accounts.audit_urls")),
    path("staff/compulsion/", include("sanxiang.compulsion.urls")),
    path("", include("sanxiang.exchange.urls")),
    path("staff/", include("sanxiang.dossier.urls")),
    path("staff/", include("sanxiang.cases.urls")),
    path("accounts/", include("sanxiang.accounts.urls")),
    # The admin's own password form would skip the policy history, the token revocation and the
    # audit entry: everyone changes their password through the one service.
    path("admin/password_change/", RedirectView.as_view(url="/accounts/password/", permanent=False),
         name="admin-password-change"),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/", include("config.api_urls")),
    path("transparency/v1/", include("sanxiang.ledger.urls")),
]

# Django's own error answers: JSON under /api/ and /transparency/, a Chinese page elsewhere.
handler400 = "sanxiang.common.errors.handler400"
handler403 = "sanxiang.common.errors.handler403"
handler404 = "sanxiang.common.errors.handler404"
handler500 = "sanxiang.common.errors.handler500"
