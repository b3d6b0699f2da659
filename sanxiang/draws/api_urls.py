from django.urls import path

from sanxiang.draws import api

urlpatterns = [
    path("<int:pk>/", api.PublicDrawApi.as_view(), name="api-draw"),
]
