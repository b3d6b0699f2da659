from django.contrib import admin

from sanxiang.common.admin import ReadOnlyAdmin, RecordedAdmin
from sanxiang.reviews.models import CatalogueEntry, LegalReview


@admin.register(CatalogueEntry)
class CatalogueEntryAdmin(RecordedAdmin):
    list_display = ("agency", "criterion", "party_scope", "threshold", "basis")
    list_filter = ("agency", "criterion")


admin.site.register(LegalReview, ReadOnlyAdmin)
