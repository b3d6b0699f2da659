from django.contrib import admin

from sanxiang.common.admin import ReadOnlyAdmin, RecordedAdmin
from sanxiang.exchange.models import AnnualReport, Delivery, Endpoint


@admin.register(Endpoint)
class EndpointAdmin(RecordedAdmin):
    list_display = ("name", "url", "agency", "batch_size", "is_active")
    list_filter = ("is_active",)


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    list_display = ("endpoint", "started_at", "attempt", "status", "http_status", "items", "cursor_from", "cursor_to",
                    "next_attempt_at")
    list_filter = ("status", "endpoint")


@admin.register(AnnualReport)
class AnnualReportAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "status", "figures_sha256", "published_at", "ledger_index")
    list_filter = ("status", "year")
