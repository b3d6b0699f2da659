from django.urls import path

from sanxiang.disclosure import staff_views as views

app_name = "publicity"

urlpatterns = [
    path("", views.home, name="home"),
    path("publications/<int:pk>/", views.publication_detail, name="publication"),
    path("publications/<int:pk>/correct/", views.publication_correct_view, name="correct"),
    path("publications/<int:pk>/withdraw/", views.publication_withdraw_view, name="withdraw"),
    path("reports/<int:pk>/answer/", views.report_answer_view, name="report-answer"),
    path("repairs/<int:pk>/decide/", views.repair_decide_view, name="repair-decide"),
]
