from django.contrib import admin

from sanxiang.common.admin import RecordedAdmin
from sanxiang.reviews.models import CatalogueEntry, ChecklistItem


@admin.register(CatalogueEntry)
class CatalogueEntryAdmin(RecordedAdmin):
    list_display = ("agency", "criterion", "party_scope", "threshold", "requires_collective_discussion", "basis")
    list_filter = ("agency", "criterion", "requires_collective_discussion")


@admin.register(ChecklistItem)
class ChecklistItemAdmin(RecordedAdmin):
    """法制审核内容 per agency; an agency without items reviews against the default list."""

    list_display = ("agency", "order", "key", "label", "standard", "is_active")
    list_filter = ("agency", "is_active")
    list_display_links = ("key",)
    search_fields = ("label", "key")


# Legal reviews are case content and are not registered here (三权分立, see accounts/backends.py).
