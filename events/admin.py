from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html

from events.models import Event, Photo
from events.services import event_rotate_key


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "owner", "upload_limit", "is_open", "created_at"]
    list_filter = ["is_open"]
    search_fields = ["name", "slug", "owner__username"]
    readonly_fields = ["guest_link", "created_at"]
    actions = ["rotate_upload_key"]

    def get_readonly_fields(self, request, obj=None):
        # The slug is printed in QR codes; changing it would break every table card.
        return [*self.readonly_fields, "slug"] if obj else self.readonly_fields

    @admin.display(description="guest link")
    def guest_link(self, obj: Event) -> str:
        if not obj.pk:
            return "-"
        devices = reverse("device-list", args=[obj.slug])
        return format_html(
            '<a href="{}">{}</a><br><a href="{}">Devices: counts, resets and per-device limits</a>',
            obj.guest_path(),
            obj.guest_url(),
            devices,
        )

    @admin.action(description="Rotate upload key (old links and QR codes stop working)")
    def rotate_upload_key(self, request, queryset) -> None:
        for event in queryset:
            event_rotate_key(event=event)
        self.message_user(request, f"New upload keys for {queryset.count()} event(s).", messages.SUCCESS)


@admin.register(Photo)
class PhotoAdmin(admin.ModelAdmin):
    list_display = ["key", "event", "guest_name", "content_type", "size", "uploaded_at", "download"]
    list_filter = ["event"]
    search_fields = ["guest_name", "key"]
    readonly_fields = [*(f.name for f in Photo._meta.fields if f.name != "hidden"), "download"]
    list_select_related = ["event"]

    @admin.display(description="original")
    def download(self, obj: Photo) -> str:
        return format_html(
            '<a href="{}">Download</a>', reverse("photo-original", kwargs={"slug": obj.event.slug, "pk": obj.pk})
        )
