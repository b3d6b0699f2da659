from django.contrib import admin

from sanxiang.common.admin import ReadOnlyAdmin
from sanxiang.supervision.models import AccessLog


@admin.register(AccessLog)
class AccessLogAdmin(ReadOnlyAdmin):
    list_display = ("at", "actor", "agency", "case", "target_label", "action", "reason", "flagged", "ledger_index")
    list_filter = ("agency", "action", "flagged")
    search_fields = ("actor__username", "case__number", "target_label", "reason")
