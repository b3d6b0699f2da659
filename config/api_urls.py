"""REST API (OpenAPI schema at /api/schema/). Session or token auth: POST /api/auth/token/."""

from django.urls import include, path

from sanxiang.accounts import api as accounts_api
from sanxiang.cases import api as cases_api
from sanxiang.disclosure import api as disclosure_api
from sanxiang.documents import api as documents_api
from sanxiang.registry import api as registry_api
from sanxiang.supervision import api as supervision_api

urlpatterns = [
    path("auth/token/", accounts_api.TokenObtainApi.as_view(), name="api-token"),
    path("auth/logout/", accounts_api.TokenLogoutApi.as_view(), name="api-logout"),
    path("auth/password/", accounts_api.PasswordChangeApi.as_view(), name="api-password"),
    path("cases/", cases_api.CaseListApi.as_view(), name="api-cases"),
    path("cases/<int:pk>/", cases_api.CaseDetailApi.as_view(), name="api-case"),
    path("cases/<int:pk>/actions/<slug:action>/", cases_api.CaseActionApi.as_view(), name="api-case-action"),
    path("parties/<int:pk>/rename/", cases_api.PartyRenameApi.as_view(), name="api-party-rename"),
    path("cases/<int:pk>/evidence/", cases_api.EvidenceUploadApi.as_view(), name="api-case-evidence"),
    path("cases/<int:pk>/documents/", documents_api.CaseDocumentListApi.as_view(), name="api-case-documents"),
    path("cases/<int:pk>/document-kinds/", documents_api.CaseDocumentKindsApi.as_view(),
         name="api-case-document-kinds"),
    path("documents/<int:pk>/<slug:fmt>/", documents_api.DocumentFileApi.as_view(), name="api-document-file"),
    path("evidence/", include("sanxiang.records.api_urls")),
    path("compulsion/", include("sanxiang.compulsion.api_urls")),
    path("publications/", disclosure_api.PublicationListApi.as_view(), name="api-publications"),
    path("publications/pending/", disclosure_api.PendingPublicationListApi.as_view(), name="api-publications-pending"),
    path("publications/<int:pk>/publish/", disclosure_api.PublicationPublishApi.as_view(), name="api-publish"),
    path("publications/<int:pk>/correct/", disclosure_api.PublicationCorrectApi.as_view(), name="api-publication-correct"),
    path("publications/<int:pk>/withdraw/", disclosure_api.PublicationWithdrawApi.as_view(), name="api-publication-withdraw"),
    path("public/publications/<int:pk>/report/", disclosure_api.ErrorReportApi.as_view(), name="api-publication-report"),
    path("public/credit-repair/", disclosure_api.CreditRepairApi.as_view(), name="api-credit-repair"),
    path("registry/import/<slug:kind>/", registry_api.RegistryImportApi.as_view(), name="api-registry-import"),
    path("officers/<int:pk>/certificate/", registry_api.OfficerCertificateApi.as_view(), name="api-officer-certificate"),
    path("officers/<int:pk>/certificate/<slug:action>/", registry_api.OfficerCertificateActApi.as_view(),
         name="api-officer-certificate-act"),
    path("access-log/", supervision_api.AccessLogListApi.as_view(), name="api-access-log"),
    path("monitoring/", include("sanxiang.monitoring.api_urls")),
    path("public/officers/", registry_api.PublicOfficerListApi.as_view(), name="api-officers"),
    path("public/items/", registry_api.PublicItemListApi.as_view(), name="api-items"),
    path("public/av-list/", registry_api.PublicAvListApi.as_view(), name="api-av-list"),
    path("public/agencies/", registry_api.PublicAgencyListApi.as_view(), name="api-agencies"),
    path("", include("sanxiang.licensing.api_urls")),
    path("exchange/", include("sanxiang.exchange.api_urls")),
    path("public/progress/", disclosure_api.ProgressLookupApi.as_view(), name="api-progress"),
    path("", include("sanxiang.supervision.api_urls")),
    path("inspections/", include("sanxiang.inspections.api_urls")),
    path("public/draws/", include("sanxiang.draws.api_urls")),
    path("evaluation/", include("sanxiang.evaluation.api_urls")),
]
