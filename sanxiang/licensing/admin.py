"""Admin: 服务指南 and 收费清单 are data the agency edits (saved through record_save, logged);
applications and licences are read-only here (their writes are the services')."""

from django.contrib import admin

from sanxiang.common.services import record_save
from sanxiang.licensing.models import Application, FeeItem, Licence, ServiceGuide


class _Logged(admin.ModelAdmin):
    def save_model(self, request, obj, form, change):
        record_save(obj, actor=request.user)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ServiceGuide)
class ServiceGuideAdmin(_Logged):
    list_display = ("item", "accepting_body", "time_limit", "online")
    search_fields = ("item__name", "item__code")


@admin.register(FeeItem)
class FeeItemAdmin(_Logged):
    list_display = ("code", "name", "kind", "agency", "standard", "is_active")
    list_filter = ("kind", "agency")


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Application)
class ApplicationAdmin(_ReadOnly):
    list_display = ("number", "item", "applicant_name", "channel", "received_on", "case")


@admin.register(Licence)
class LicenceAdmin(_ReadOnly):
    list_display = ("number", "holder", "issued_on", "case")
