from django.contrib import admin

from sanxiang.common.admin import ReadOnlyAdmin
from sanxiang.draws.models import Draw


@admin.register(Draw)
class DrawAdmin(ReadOnlyAdmin):
    """Read-only: draws are written by the services and never edited."""

    list_display = ("pk", "title", "purpose", "agency", "drawn_at", "redraw_of")
    list_filter = ("purpose",)
