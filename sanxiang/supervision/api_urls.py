"""API routes of the supervision app (included from config/api_urls.py with one line)."""

from django.urls import path

from sanxiang.supervision import matter_api

urlpatterns = [
    path("public/complaints/", matter_api.ComplaintSubmitApi.as_view(), name="api-public-complaints"),
    path("complaints/", matter_api.ComplaintListApi.as_view(), name="api-complaints"),
    path("complaints/<int:pk>/", matter_api.ComplaintDetailApi.as_view(), name="api-complaint"),
    path("complaints/<int:pk>/actions/<slug:action>/", matter_api.ComplaintActionApi.as_view(),
         name="api-complaint-action"),
    path("matters/", matter_api.MatterListApi.as_view(), name="api-matters"),
    path("matters/<int:pk>/", matter_api.MatterDetailApi.as_view(), name="api-matter"),
    path("matters/<int:pk>/actions/<slug:action>/", matter_api.MatterActionApi.as_view(), name="api-matter-action"),
    path("cases/<int:pk>/accountability/", matter_api.AccountabilityApi.as_view(), name="api-case-accountability"),
]
