"""Administrators set each rule's threshold and whether it runs (through the service: a reason
and a ledger entry). Alerts and digests are read-only here."""

from django import forms
from django.contrib import admin

from sanxiang.monitoring.models import AlertRule
from sanxiang.monitoring.services import alert_rule_set


class AlertRuleForm(forms.ModelForm):
    change_reason = forms.CharField(label="修改理由", max_length=200)

    class Meta:
        model = AlertRule
        fields = ["threshold", "enabled"]


@admin.register(AlertRule)
class AlertRuleAdmin(admin.ModelAdmin):
    form = AlertRuleForm
    list_display = ["code", "name", "threshold", "threshold_label", "enabled", "severity"]
    readonly_fields = ["code", "name", "threshold_label", "basis", "severity"]
    fields = ["code", "name", "basis", "threshold_label", "threshold", "enabled", "change_reason", "severity"]

    def has_add_permission(self, request):
        return False  # rules come from the code's registry (alert_rules_install)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        alert_rule_set(rule=obj, actor=request.user, threshold=form.cleaned_data["threshold"],
                       enabled=form.cleaned_data["enabled"], reason=form.cleaned_data["change_reason"])
