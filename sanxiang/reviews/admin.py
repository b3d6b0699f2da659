from django.contrib import admin

from sanxiang.common.admin import RecordedAdmin
from sanxiang.reviews.models import CatalogueEntry


@admin.register(CatalogueEntry)
class CatalogueEntryAdmin(RecordedAdmin):
    list_display = ("agency", "criterion", "party_scope", "threshold", "basis")
    list_filter = ("agency", "criterion")


# Legal reviews are case content and are not registered here (三权分立, see accounts/backends.py).
