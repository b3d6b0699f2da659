from django.urls import path

from sanxiang.compulsion import api

urlpatterns = [
    path("", api.CompulsionOverviewApi.as_view(), name="api-compulsion"),
    path("from-penalty/<int:pk>/", api.FromPenaltyApi.as_view(), name="api-compulsion-from-penalty"),
]
