from django.contrib import admin, messages

from uploads.backends import quota_store
from uploads.models import DeviceQuota


@admin.register(DeviceQuota)
class DeviceQuotaAdmin(admin.ModelAdmin):
    list_display = ["event_slug", "device_id", "count", "limit_override", "last_upload_at"]
    list_filter = ["event_slug"]
    search_fields = ["event_slug", "device_id"]
    readonly_fields = ["event_slug", "device_id", "count", "last_upload_at"]
    fields = [*readonly_fields, "limit_override"]
    actions = ["reset_count"]

    def has_add_permission(self, request) -> bool:
        return False

    @admin.action(description="Reset the upload count to zero")
    def reset_count(self, request, queryset) -> None:
        store = quota_store()
        for row in queryset:
            store.reset(row.event_slug, row.device_id)
        self.message_user(request, f"Reset {queryset.count()} device(s).", messages.SUCCESS)
