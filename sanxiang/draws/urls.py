from django.urls import path

from sanxiang.draws import views

app_name = "draws"

urlpatterns = [
    path("<int:pk>/", views.draw_detail, name="detail"),
    path("<int:pk>/draw.json", views.draw_json, name="json"),
]
