from django.urls import path

from sanxiang.evaluation import api

urlpatterns = [
    path("rounds/", api.RoundListApi.as_view(), name="api-evaluation-rounds"),
    path("files/<int:pk>/", api.FileApi.as_view(), name="api-evaluation-file"),
    path("files/<int:pk>/score/", api.FileScoreApi.as_view(), name="api-evaluation-score"),
    path("rectifications/<int:pk>/answer/", api.RectificationAnswerApi.as_view(), name="api-evaluation-answer"),
]
