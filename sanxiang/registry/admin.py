from django import forms
from django.contrib import admin
from django.db import transaction

from sanxiang.common.admin import RecordedAdmin
from sanxiang.registry.models import (
    Agency,
    AvRequirement,
    EnforcementItem,
    Flow,
    LegalBasis,
    Officer,
    Parameter,
)


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


class CitationForm(forms.ModelForm):
    """A citation picked, not typed: law from the law database, then its article, 款 and 项
    (citation_picker.js fills the lists from /staff/registry/laws/<id>/outline.json; the
    server checks the choice against the law text again here)."""

    article_choice = forms.CharField(label="条", widget=forms.Select)
    paragraph = forms.IntegerField(label="款", required=False, min_value=1, widget=forms.Select)
    item_no = forms.IntegerField(label="项", required=False, min_value=1, widget=forms.Select)
    penalty_kinds = forms.MultipleChoiceField(label="本条款设定的处罚种类", required=False,
                                              widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = LegalBasis
        fields = ["role", "position", "law", "article_choice", "paragraph", "item_no", "penalty_kinds", "fine_basis",
                  "citizen_min", "citizen_max", "org_min", "org_max", "multiple_min", "multiple_max", "base_label",
                  "base_floor"]

    def __init__(self, *args, **kwargs):
        from sanxiang.cases.choices import PenaltyKind

        super().__init__(*args, **kwargs)
        self.fields["penalty_kinds"].choices = PenaltyKind.choices
        row = self.instance
        articles: list = []
        if row.law_id:
            from sanxiang.guidance.services import law_outline

            articles = law_outline(row.law)
            self.initial["article_choice"] = f"{row.article}:{row.suffix}"
        self.fields["article_choice"].widget.choices = [("", "请选择条文")] + [
            (f"{a['number']}:{a['suffix']}", a["label"]) for a in articles]
        counts = next((a["paragraphs"] for a in articles if (a["number"], a["suffix"]) == (row.article, row.suffix)), [])
        self.fields["paragraph"].widget.choices = [("", "（整条）")] + [(i, f"第{i}款") for i in range(1, len(counts) + 1)]
        items = counts[(row.paragraph or 1) - 1] if counts else 0
        self.fields["item_no"].widget.choices = [("", "（不引至项）")] + [(i, f"第（{i}）项") for i in range(1, items + 1)]

    def clean(self):
        from sanxiang.common.exceptions import ValidationFailed
        from sanxiang.guidance.lawtext import provision_text

        data = super().clean()
        law, raw = data.get("law"), data.get("article_choice") or ""
        self.instance.article = None  # the model check runs only on a citation this form accepted
        try:
            number, suffix = (int(part) for part in raw.split(":"))
        except ValueError:
            self.add_error("article_choice", "请选择条文")
            return data
        if law is None:
            return data
        try:
            provision_text(law=law, article=number, suffix=suffix, paragraph=data.get("paragraph"),
                           item=data.get("item_no"))
        except ValidationFailed as exc:
            field = {"article": "article_choice", "item": "item_no"}.get(exc.field, exc.field)
            self.add_error(field, exc.message)
            return data
        self.instance.article, self.instance.suffix = number, suffix
        return data


class CitationFormSet(forms.BaseInlineFormSet):
    """An item cites at least one 违法依据, and a penalty item at least one 处罚依据."""

    def clean(self):
        from sanxiang.registry.services import check_citation_roles

        super().clean()
        forms_ = [f for f in self.forms if getattr(f, "cleaned_data", None)]
        roles = [f.cleaned_data.get("role") for f in forms_ if not f.cleaned_data.get("DELETE")]
        in_form = {f.instance.pk for f in forms_ if f.instance.pk}
        if self.instance is not None and self.instance.pk:  # rows in force the form did not show
            roles += [r.role for r in LegalBasis.current.filter(item=self.instance).exclude(pk__in=in_form)]
        kind = self.instance.kind if self.instance is not None else ""
        message = check_citation_roles(kind, roles)
        if message:
            raise forms.ValidationError(message)


class CitationInline(admin.StackedInline):
    model = LegalBasis
    form = CitationForm
    formset = CitationFormSet
    extra = 1
    fk_name = "item"

    class Media:
        js = ("registry/citation_picker.js",)

    def has_delete_permission(self, request, obj=None):
        # "Delete" here retires the citation (save_formset); the row and its ledger entry stay.
        return True


@admin.register(EnforcementItem)
class EnforcementItemAdmin(RecordedAdmin):
    list_display = ("code", "name", "agency", "kind", "flow", "is_active")
    list_filter = ("agency", "kind", "is_active")
    search_fields = ("code", "name")
    inlines = [CitationInline]
    actions = ["publish_standard_benchmark"]

    @admin.action(description="按法定幅度公布标准裁量基准（新版本，次日施行）")
    def publish_standard_benchmark(self, request, queryset):
        """A new benchmark version per selected penalty item, split from its statutory range; the
        administrator refines it by publishing another version. Items without a range are named."""
        import datetime as dt

        from django.contrib import messages
        from django.utils import timezone

        from sanxiang.common.exceptions import DomainError
        from sanxiang.guidance.models import Benchmark
        from sanxiang.guidance.services import benchmark_publish, standard_circumstances, standard_tiers

        done, skipped = [], []
        for item in queryset:
            tiers = standard_tiers(item) if item.kind == "penalty" else []
            if not tiers:
                skipped.append(item.code)
                continue
            latest = Benchmark.objects.filter(item=item).order_by("-version").first()
            start = timezone.localdate() + dt.timedelta(days=1)
            if latest is not None and latest.effective_from >= start:
                start = latest.effective_from + dt.timedelta(days=1)
            try:
                benchmark_publish(item=item, effective_from=start, title=f"{item.agency.name}行政处罚裁量基准",
                                  tiers=tiers, circumstances=standard_circumstances(), actor=request.user)
            except DomainError as exc:
                skipped.append(f"{item.code}（{exc.message}）")
                continue
            done.append(item.code)
        if done:
            self.message_user(request, f"已公布裁量基准：{'、'.join(done)}", messages.SUCCESS)
        if skipped:
            self.message_user(request, f"未设定法定罚款幅度，未生成：{'、'.join(skipped)}", messages.WARNING)

    @transaction.atomic
    def save_formset(self, request, form, formset, change):
        from sanxiang.ledger.services import ledger_append
        from sanxiang.registry.services import citations_retire

        rows = formset.save(commit=False)
        for row in rows:
            row.save()
        # A citation taken off the item is retired, not deleted: the ledger keeps what it said.
        removed = citations_retire(form.instance, rows=list(formset.deleted_objects))
        if rows or removed:
            item = form.instance
            ledger_append(kind="registry.item_citations", actor=request.user, agency=item.agency,
                          subjects=[item, *rows, *removed],
                          summary=f"登记法律依据：{item}（修改{len(rows)}项，撤下{len(removed)}项）")


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
