from django.urls import path

from sanxiang.exchange import api

urlpatterns = [
    path("export/", api.ExportApi.as_view(), name="api-exchange-export"),
    path("feed/", api.FeedApi.as_view(), name="api-exchange-feed"),
    path("annual/", api.AnnualReportListApi.as_view(), name="api-annual-reports"),
]
