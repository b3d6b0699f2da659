"""Licensing API routes, included at /api/ by config/api_urls.py."""

from django.urls import path

from sanxiang.licensing import api

urlpatterns = [
    path("public/licensing/items/<int:pk>/guide/", api.PublicGuideApi.as_view(), name="api-licensing-guide"),
    path("public/licensing/items/<int:pk>/apply/", api.PublicApplyApi.as_view(), name="api-licensing-apply"),
    path("public/licensing/supplement/", api.PublicSupplementApi.as_view(), name="api-licensing-supplement"),
    path("public/fees/", api.PublicFeeListApi.as_view(), name="api-fee-list"),
    path("licensing/applications/", api.ApplicationListApi.as_view(), name="api-licensing-applications"),
    path("licensing/applications/<int:pk>/register/", api.ApplicationRegisterApi.as_view(),
         name="api-licensing-register"),
    path("licensing/applications/<int:pk>/materials/", api.ApplicationMaterialsApi.as_view(),
         name="api-licensing-materials"),
]
