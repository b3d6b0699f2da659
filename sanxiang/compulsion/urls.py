from django.urls import path

from sanxiang.compulsion import views

app_name = "compulsion"

urlpatterns = [
    path("", views.index, name="index"),
    path("from-penalty/<int:pk>/", views.from_penalty, name="from_penalty"),
]
