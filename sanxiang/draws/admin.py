from django.contrib import admin

from sanxiang.draws.models import Draw


@admin.register(Draw)
class DrawAdmin(admin.ModelAdmin):
    """Read-only: draws are written by the services and never edited."""

    list_display = ("pk", "title", "purpose", "agency", "drawn_at", "redraw_of")
    list_filter = ("purpose",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
