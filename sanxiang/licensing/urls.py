from django.urls import path

from sanxiang.licensing import views

app_name = "licensing"

urlpatterns = [
    path("licensing/items/<int:pk>/apply/", views.apply, name="apply"),
    path("licensing/supplement/", views.supplement, name="supplement"),
    path("fees/", views.fee_list, name="fees"),
    path("staff/licensing/applications/", views.application_list, name="applications"),
    path("staff/licensing/applications/<int:pk>/register/", views.application_register_view, name="register"),
    path("staff/licensing/applications/<int:pk>/materials/", views.materials_upload, name="materials"),
]
