"""Admin wiring: every admin save goes through record_save (validated and logged); deleting is
not possible through the admin, because nothing is deleted (corrections are new entries)."""

from django.contrib import admin

from sanxiang.common.models import CalendarOverride, CalendarYear
from sanxiang.common.services import record_save


class RecordedAdmin(admin.ModelAdmin):
    def save_model(self, request, obj, form, change):
        record_save(obj, actor=request.user)

    def has_delete_permission(self, request, obj=None):
        return False

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows written only by the flow engine: visible to administrators, never edited here."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CalendarYear)
class CalendarYearAdmin(RecordedAdmin):
    list_display = ("year", "source", "entered_at")


@admin.register(CalendarOverride)
class CalendarOverrideAdmin(RecordedAdmin):
    list_display = ("date", "is_working_day", "note")
    list_filter = ("is_working_day",)
