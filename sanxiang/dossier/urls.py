from django.urls import path

from sanxiang.dossier import views

app_name = "dossier"

urlpatterns = [
    path("cases/<int:pk>/dossier/", views.dossier_page, name="dossier"),
    path("parties/", views.party_page, name="party"),
]
