from django.urls import path

from sanxiang.ledger import staff_views

app_name = "ledger_staff"

urlpatterns = [
    path("", staff_views.integrity, name="integrity"),
]
