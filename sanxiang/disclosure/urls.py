from django.urls import path

from sanxiang.disclosure import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("agencies/", views.agency_list, name="agencies"),
    path("agencies/<slug:code>/", views.agency_detail, name="agency"),
    path("officers/", views.officer_search, name="officers"),
    path("items/", views.item_list, name="items"),
    path("items/<int:pk>/", views.item_detail, name="item"),
    path("flows/<slug:code>/", views.flow_detail, name="flow"),
    path("decisions/", views.decision_list, name="decisions"),
    path("decisions/<int:pk>/", views.decision_detail, name="decision"),
    path("decisions/<int:pk>/pdf/", views.decision_pdf, name="decision-pdf"),
    path("decisions/<int:pk>/report/", views.decision_report, name="decision-report"),
    path("credit-repair/", views.credit_repair, name="credit-repair"),
    path("progress/", views.progress, name="progress"),
]
