from django.urls import path

from sanxiang.supervision import matter_views, views

app_name = "supervision"

urlpatterns = [
    path("access-log/", views.access_log, name="access_log"),
    path("matters/", matter_views.matter_list, name="matters"),
    path("matters/new/", matter_views.matter_new, name="matter_new"),
    path("matters/<int:pk>/", matter_views.matter_detail, name="matter"),
    path("matters/<int:pk>/actions/<slug:action>/", matter_views.matter_action, name="matter_action"),
    path("matters/<int:pk>/documents/<int:document_id>/<slug:fmt>/", matter_views.matter_document,
         name="matter_document"),
    path("matters/<int:pk>/files/<str:sha256>/", matter_views.matter_file, name="matter_file"),
    path("complaints/", matter_views.complaint_list, name="complaints"),
    path("complaints/<int:pk>/", matter_views.complaint_detail, name="complaint"),
    path("complaints/<int:pk>/actions/<slug:action>/", matter_views.complaint_action, name="complaint_action"),
    path("cases/<int:pk>/accountability/", matter_views.accountability, name="accountability"),
    path("cases/<int:pk>/accountability/pdf/", matter_views.accountability_pdf, name="accountability_pdf"),
]
