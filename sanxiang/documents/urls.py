from django.urls import path

from sanxiang.documents import views

app_name = "documents"

urlpatterns = [
    path("cases/<int:pk>/", views.case_documents, name="case"),
    path("cases/<int:pk>/issue/", views.document_issue_view, name="issue"),
    path("<int:document_id>/<slug:fmt>/", views.document_download, name="download"),
]
