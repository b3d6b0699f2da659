from django.urls import path

from sanxiang.ledger import views

app_name = "transparency"

urlpatterns = [
    path("checkpoint", views.checkpoint, name="checkpoint"),
    path("leaves", views.leaves, name="leaves"),
    path("proof/inclusion", views.inclusion, name="inclusion"),
    path("proof/consistency", views.consistency, name="consistency"),
    path("entries/<int:index>", views.entry, name="entry"),
]
