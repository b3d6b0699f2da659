"""评查标准 in the admin: an administrator changes the items of a template not yet used; a
template a round has used is frozen (its scores keep their meaning), so a change is a new one."""

from django.contrib import admin

from sanxiang.common.admin import ReadOnlyAdmin, RecordedAdmin
from sanxiang.evaluation.models import EvaluatedFile, EvaluationRound, ScoringTemplate, TemplateItem


class TemplateItemInline(admin.TabularInline):
    model = TemplateItem
    extra = 0
    fields = ("order", "part", "text", "points", "is_veto")

    def has_change_permission(self, request, obj=None):
        return obj is None or not obj.rounds.exists()

    has_add_permission = has_change_permission

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ScoringTemplate)
class ScoringTemplateAdmin(RecordedAdmin):
    list_display = ("code", "name", "kind", "is_active")
    inlines = [TemplateItemInline]

    def save_formset(self, request, form, formset, change):
        from sanxiang.common.services import record_save

        for item in formset.save(commit=False):
            record_save(item, actor=request.user, summary=f"评查标准条目 {item.order}")


@admin.register(EvaluationRound)
class EvaluationRoundAdmin(ReadOnlyAdmin):
    list_display = ("title", "year", "state")


@admin.register(EvaluatedFile)
class EvaluatedFileAdmin(ReadOnlyAdmin):
    list_display = ("round", "case", "evaluator", "score", "grade")
