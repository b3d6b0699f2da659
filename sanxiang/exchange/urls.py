from django.urls import path

from sanxiang.exchange import views

app_name = "exchange"

urlpatterns = [
    path("staff/exchange/", views.index, name="index"),
    path("staff/exchange/export/", views.export_download, name="export"),
    path("staff/exchange/annual/", views.reports, name="reports"),
    path("staff/exchange/annual/generate/", views.report_generate, name="report_generate"),
    path("staff/exchange/annual/<int:pk>/", views.report_detail, name="report"),
    path("staff/exchange/annual/<int:pk>/review/", views.report_review, name="report_review"),
    path("staff/exchange/annual/<int:pk>/publish/", views.report_publish, name="report_publish"),
    # Portal: the published reports (年度行政执法数据).
    path("annual/", views.annual_list, name="annual_list"),
    path("annual/<int:pk>/", views.annual_detail, name="annual"),
    path("annual/<int:pk>/pdf/", views.annual_pdf, name="annual_pdf"),
]
