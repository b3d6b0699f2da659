from django.contrib import admin

from sanxiang.compulsion.models import EnforcementOrigin, SeizedThing


class ReadOnly(admin.ModelAdmin):
    """Rows written by the services (and logged); the admin only reads them."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


admin.site.register(SeizedThing, ReadOnly)
admin.site.register(EnforcementOrigin, ReadOnly)
