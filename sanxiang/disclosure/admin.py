"""Publications, reports and 信用修复 applications are not registered in /admin/: they are case
content, which no administrator role reads (三权分立, see sanxiang/accounts/backends.py). Staff
read them through the scoped selectors, which log every access.

The display-period rules (公示期限规则) are configuration, like the statutory parameters: the
administrator edits them here; each save is validated and logged (RecordedAdmin → record_save)."""

from django.contrib import admin

from sanxiang.common.admin import RecordedAdmin
from sanxiang.disclosure.models import DisplayPeriod


@admin.register(DisplayPeriod)
class DisplayPeriodAdmin(RecordedAdmin):
    list_display = ("penalty_kind", "sector", "min_months", "max_months", "basis", "is_active")
    list_filter = ("is_active",)
