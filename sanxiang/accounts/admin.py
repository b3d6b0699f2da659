from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db import transaction

from sanxiang.accounts.models import User
from sanxiang.ledger.services import ledger_append


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "display_name", "agency", "role", "is_active")
    list_filter = ("role", "agency", "is_active")
    fieldsets = BaseUserAdmin.fieldsets + (("机关与角色", {"fields": ("display_name", "agency", "role")}),)
    add_fieldsets = BaseUserAdmin.add_fieldsets + (("机关与角色", {"fields": ("display_name", "agency", "role")}),)

    def save_model(self, request, obj, form, change):
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            ledger_append(kind="accounts.user.save", actor=request.user, agency=obj.agency, subjects=[obj],
                          summary=f"{'修改' if change else '新增'}用户：{obj.username}（{obj.get_role_display()}）")

    def has_delete_permission(self, request, obj=None):
        return False
