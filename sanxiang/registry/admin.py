from django.contrib import admin

from sanxiang.common.admin import RecordedAdmin
from sanxiang.registry.models import Agency, AvRequirement, EnforcementItem, Flow, Officer, Parameter


@admin.register(Agency)
class AgencyAdmin(RecordedAdmin):
    list_display = ("code", "name", "parent", "kind", "uscc", "jurisdiction")
    search_fields = ("name", "code", "uscc")


@admin.register(Officer)
class OfficerAdmin(RecordedAdmin):
    list_display = ("name", "agency", "staff_type", "certificate_no", "valid_to", "status", "is_legal_reviewer",
                    "legal_qualification_no")
    list_filter = ("agency", "staff_type", "status", "is_legal_reviewer")
    search_fields = ("name", "certificate_no")


@admin.register(EnforcementItem)
class EnforcementItemAdmin(RecordedAdmin):
    list_display = ("code", "name", "agency", "kind", "flow", "is_active")
    list_filter = ("agency", "kind", "is_active")
    search_fields = ("code", "name")


@admin.register(Flow)
class FlowAdmin(RecordedAdmin):
    list_display = ("code", "name", "kind")


@admin.register(Parameter)
class ParameterAdmin(RecordedAdmin):
    list_display = ("key", "label", "value", "unit", "agency", "source")
    list_filter = ("agency",)


@admin.register(AvRequirement)
class AvRequirementAdmin(RecordedAdmin):
    list_display = ("name", "agency", "flow_code", "step_code", "when_field", "is_active")
    list_filter = ("agency", "flow_code", "is_active")
