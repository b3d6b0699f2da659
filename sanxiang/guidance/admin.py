from django import forms
from django.contrib import admin
from django.db import transaction

from sanxiang.common.admin import ReadOnlyAdmin
from sanxiang.guidance.models import Article, Benchmark, BenchmarkCircumstance, BenchmarkTier, Law

admin.site.register(Law, ReadOnlyAdmin)
admin.site.register(Article, ReadOnlyAdmin)


class TierForm(forms.ModelForm):
    penalty_kinds = forms.MultipleChoiceField(label="处罚种类", required=False, widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = BenchmarkTier
        fields = ["tier", "description", "penalty_kinds", "citizen_min", "citizen_max", "org_min", "org_max",
                  "multiple_min", "multiple_max"]

    def __init__(self, *args, **kwargs):
        from sanxiang.cases.choices import PenaltyKind

        super().__init__(*args, **kwargs)
        self.fields["penalty_kinds"].choices = PenaltyKind.choices


class TierInline(admin.TabularInline):
    model = BenchmarkTier
    form = TierForm
    extra = 5


class CircumstanceInline(admin.TabularInline):
    model = BenchmarkCircumstance
    fields = ("code", "label", "tier", "rule")
    extra = 3


class BenchmarkForm(forms.ModelForm):
    class Meta:
        model = Benchmark
        fields = ["item", "effective_from", "title", "document_no", "note"]

    def clean(self):
        data = super().clean()
        item, effective = data.get("item"), data.get("effective_from")
        if item is not None and effective is not None:
            latest = Benchmark.objects.filter(item=item).order_by("-version").first()
            if latest is not None and effective <= latest.effective_from:
                self.add_error("effective_from", f"新版本的施行日期须晚于现行第{latest.version}版的施行日期"
                                                 f"（{latest.effective_from}）；已公布的版本不得修改")
        return data


@admin.register(Benchmark)
class BenchmarkAdmin(admin.ModelAdmin):
    """A version is added once and then only read: a change is a new version (行政处罚法第三十四条)."""

    form = BenchmarkForm
    inlines = [TierInline, CircumstanceInline]
    list_display = ("item", "version", "effective_from", "title", "document_no", "agency")
    list_filter = ("agency",)

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        latest = Benchmark.objects.select_for_update().filter(item=obj.item).order_by("-version").first()
        obj.version = (latest.version + 1) if latest else 1
        obj.agency = obj.item.agency
        obj.save()

    @transaction.atomic
    def save_related(self, request, form, formsets, change):
        from sanxiang.ledger.services import ledger_append

        super().save_related(request, form, formsets, change)
        benchmark = form.instance
        ledger_append(kind="guidance.benchmark_publish", actor=request.user, agency=benchmark.agency,
                      subjects=[benchmark, *benchmark.tiers.all(), *benchmark.circumstances.all()],
                      summary=f"公布裁量基准：{benchmark}")
