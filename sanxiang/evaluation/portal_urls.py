from django.urls import path

from sanxiang.evaluation import views

app_name = "evaluation_public"

urlpatterns = [
    path("", views.public_list, name="list"),
    path("<int:pk>/", views.public_detail, name="detail"),
]
