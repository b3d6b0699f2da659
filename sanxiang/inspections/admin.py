from django.contrib import admin

from sanxiang.common.admin import ReadOnlyAdmin, RecordedAdmin
from sanxiang.inspections import services
from sanxiang.inspections.models import Avoidance, CheckItem, MarketEntity, Plan, ResultNotice


@admin.register(CheckItem)
class CheckItemAdmin(RecordedAdmin):
    list_display = ("name", "agency", "item", "ratio", "method", "frequency", "is_active")
    list_filter = ("agency", "method", "is_active")


@admin.register(MarketEntity)
class MarketEntityAdmin(RecordedAdmin):
    list_display = ("name", "uscc", "agency", "category", "risk_grade", "is_active")
    list_filter = ("agency", "risk_grade", "is_active")
    search_fields = ("name", "uscc")


@admin.register(Plan)
class PlanAdmin(RecordedAdmin):
    """A plan is made through plan_create (ratios checked, logged); its draw is on the staff page."""

    list_display = ("title", "agency", "check_item", "period_start", "period_end")
    fields = ("check_item", "title", "period_start", "period_end", "ratios")

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        plan = services.plan_create(actor=request.user, check_item=obj.check_item, title=obj.title,
                                    period_start=obj.period_start, period_end=obj.period_end, ratios=obj.ratios)
        obj.pk = plan.pk


# Tasks and referrals are case content: not in the admin (三权分立), like the cases themselves.
for model in (Avoidance, ResultNotice):
    admin.site.register(model, ReadOnlyAdmin)
