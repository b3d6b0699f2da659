"""Account administration for the security administrator (三权分立).

Users are created, reset, unlocked and deactivated here through accounts.services; nobody sets
superuser flags, groups or per-user permissions (admin rights follow the role, see backends).
API tokens are listed by prefix only and can be revoked; TOTP secrets and recovery codes are not
shown to anyone (django-otp's own device admins are unregistered).
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import UserCreationForm
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from sanxiang.accounts.context import current_request
from sanxiang.accounts.models import ApiToken, User
from sanxiang.accounts.services import (
    PasswordRejected,
    password_reset,
    staff_flag_for,
    validate_new_password,
)
from sanxiang.accounts.tokens import token_revoke, tokens_revoke_all
from sanxiang.common.exceptions import DomainError
from sanxiang.common.services import record_save
from sanxiang.ledger.audit import audit_record

# Admin rights come from the role, never from groups; device secrets are shown to no one.
for model in (Group, TOTPDevice, StaticDevice):
    if admin.site.is_registered(model):
        admin.site.unregister(model)


class PasswordResetForm(forms.Form):
    """The administrator's reset: the policy applies, the user must change it at next login."""

    password1 = forms.CharField(label="新密码", widget=forms.PasswordInput, strip=False)
    password2 = forms.CharField(label="再次输入新密码", widget=forms.PasswordInput, strip=False)

    def __init__(self, user, *args, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean(self):
        data = super().clean()
        if data.get("password1") != data.get("password2"):
            raise ValidationError("两次输入的密码不一致。")
        try:
            validate_new_password(data.get("password1") or "", user=self.user, field="password1")
        except PasswordRejected as exc:
            self.add_error("password1", exc.message)
        data["set_usable_password"] = True  # Django's view expects it (no "disable password" option here)
        return data

    def save(self, commit=True):
        request = current_request()
        return password_reset(user=self.user, new_password=self.cleaned_data["password1"], actor=request.user,
                              request=request)


class UserCreateForm(UserCreationForm):
    class Meta(UserCreationForm.Meta):
        model = User
        fields = ("username",)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    add_form = UserCreateForm
    change_password_form = PasswordResetForm
    list_display = ("username", "display_name", "agency", "role", "is_active", "password_change_required",
                    "last_login")
    list_filter = ("role", "agency", "is_active")
    search_fields = ("username", "display_name")
    readonly_fields = ("password_changed_at", "last_login", "date_joined")
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("个人信息", {"fields": ("display_name", "email")}),
        ("机关与角色", {"fields": ("agency", "role")}),
        ("状态", {"fields": ("is_active", "password_change_required", "password_changed_at", "last_login",
                           "date_joined")}),
    )
    add_fieldsets = (
        (None, {"fields": ("username", "password1", "password2")}),
        ("机关与角色", {"fields": ("display_name", "agency", "role")}),
    )
    actions = ["unlock_accounts", "reset_two_factor", "revoke_tokens"]

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and obj.pk == request.user.pk:
            # Nobody changes their own role or deactivates themselves (三权分立).
            fields += ["role", "is_active"]
        return fields

    @transaction.atomic
    def save_model(self, request, obj, form, change):
        obj.is_staff = staff_flag_for(obj.role)
        obj.is_superuser = False
        if not change:
            obj.password_change_required = True
            obj.password_changed_at = timezone.now()
        deactivated = change and "is_active" in form.changed_data and not obj.is_active
        try:
            record_save(obj, actor=request.user, agency=obj.agency,
                        summary=f"{'修改' if change else '新增'}用户：{obj.username}（{obj.get_role_display()}）")
        except DomainError as exc:
            raise ValidationError(exc.message) from exc
        if deactivated:
            tokens_revoke_all(user=obj, reason="deactivated", request=request, actor=request.user)

    def has_delete_permission(self, request, obj=None):
        return False  # accounts are deactivated, never deleted: their history stays attributable

    @admin.action(description="解除所选账户的登录锁定")
    def unlock_accounts(self, request, queryset):
        from sanxiang.accounts.services import user_unlock

        for user in queryset:
            user_unlock(username=user.username, actor=request.user, request=request)
        messages.success(request, f"已解除 {queryset.count()} 个账户的锁定。")

    @admin.action(description="重置所选账户的双因素认证（须重新绑定）")
    def reset_two_factor(self, request, queryset):
        for user in queryset:
            with transaction.atomic():
                TOTPDevice.objects.filter(user=user).delete()
                StaticDevice.objects.filter(user=user).delete()
                audit_record("admin_change", request=request, user=request.user, agency=user.agency,
                             summary=f"重置 {user.username} 的双因素认证",
                             detail={"action": "otp_reset", "target": user.username})
        messages.success(request, "所选账户下次登录时须重新绑定认证器。")

    @admin.action(description="吊销所选账户的全部接口令牌")
    def revoke_tokens(self, request, queryset):
        count = sum(tokens_revoke_all(user=user, reason="admin", request=request, actor=request.user)
                    for user in queryset)
        messages.success(request, f"已吊销 {count} 个令牌。")


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens by prefix: the secret was never stored, and the digest is not shown either."""

    list_display = ("prefix", "user", "created_at", "expires_at", "revoked_at", "revoked_reason", "last_used_at",
                    "address")
    list_filter = ("revoked_reason",)
    search_fields = ("prefix", "user__username")
    fields = ("prefix", "user", "created_at", "expires_at", "revoked_at", "revoked_reason", "last_used_at", "address")
    readonly_fields = fields
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="吊销所选令牌", permissions=["change"])
    def revoke(self, request, queryset):
        for token in queryset.select_related("user"):
            token_revoke(token=token, reason="admin", request=request, actor=request.user)
        messages.success(request, "已吊销所选令牌。")
