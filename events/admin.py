"""The Django admin for staff. Every write goes through the same services as the dashboard, so the
guest path's copy of an event's policy, the photo store and the quota store stay in step."""

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from events import services
from events.forms import AdminLoginForm, KeepsChoicesLeftOut
from events.login_throttle import login_throttle_clear
from events.models import Event, LoginThrottle, Photo
from uploads.models import DeviceQuota

# Says why a log-in was refused by the account's throttle, as the dashboard's log-in does.
admin.site.login_form = AdminLoginForm


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "owner", "upload_limit", "is_open", "created_at"]
    list_filter = ["is_open", "allow_videos"]
    search_fields = ["name", "slug", "owner__username"]
    readonly_fields = ["guest_link", "created_at"]
    form = KeepsChoicesLeftOut
    actions = ["rotate_upload_key"]

    def get_readonly_fields(self, request, obj=None):
        # The slug is printed in QR codes; changing it would break every table card.
        return [*self.readonly_fields, "slug"] if obj else self.readonly_fields

    @admin.display(description=_("guest link"))
    def guest_link(self, obj: Event) -> str:
        if not obj.pk:
            return "-"
        devices = reverse("device-list", args=[obj.slug])
        return format_html(
            '<a href="{}">{}</a><br><a href="{}">{}</a>',
            obj.guest_path(),
            obj.guest_url(),
            devices,
            _("Devices: counts, resets and per-device limits"),
        )

    def save_model(self, request: HttpRequest, obj: Event, form, change: bool) -> None:
        services.event_save(event=obj)

    def delete_model(self, request: HttpRequest, obj: Event) -> None:
        services.event_delete(event=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Event]) -> None:
        for event in queryset:
            services.event_delete(event=event)

    def changeform_view(self, request, *args, **kwargs):
        return self._unless_refused(request, super().changeform_view, *args, **kwargs)

    def delete_view(self, request, *args, **kwargs):
        return self._unless_refused(request, super().delete_view, *args, **kwargs)

    def _unless_refused(self, request: HttpRequest, view, *args, **kwargs):
        """The admin's view, or back to the same page with the message when a service refused."""
        try:
            return view(request, *args, **kwargs)
        except services.EventNotSaved as error:
            # The admin wraps the write in a transaction of its own: nothing was changed.
            self.message_user(request, error.message, messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    @admin.action(description=_("Rotate upload key (old links and QR codes stop working)"))
    def rotate_upload_key(self, request, queryset) -> None:
        try:
            for event in queryset:
                services.event_rotate_key(event=event)
        except services.EventNotSaved as error:
            self.message_user(request, error.message, messages.ERROR)
            return
        count = queryset.count()
        said = ngettext("New upload key for %(count)d event.", "New upload keys for %(count)d events.", count)
        self.message_user(request, said % {"count": count}, messages.SUCCESS)


@admin.register(Photo)
class PhotoAdmin(admin.ModelAdmin):
    list_display = ["key", "event", "guest_name", "content_type", "size", "uploaded_at", "download"]
    list_filter = ["event"]
    search_fields = ["guest_name", "key"]
    readonly_fields = [*(f.name for f in Photo._meta.fields if f.name != "hidden"), "download"]
    list_select_related = ["event"]

    @admin.display(description=_("original"))
    def download(self, obj: Photo) -> str:
        return format_html(
            '<a href="{}">{}</a>',
            reverse("photo-original", kwargs={"slug": obj.event.slug, "pk": obj.pk}),
            _("Download"),
        )

    # `hidden` is the one field staff may change here: through the service, which moves the wall's cursor.
    def save_model(self, request: HttpRequest, obj: Photo, form, change: bool) -> None:
        services.photo_set_hidden(photo=obj, hidden=obj.hidden)

    # As the dashboard's default: the file and thumbnail go with the record, the phone gets its slot back.
    def delete_model(self, request: HttpRequest, obj: Photo) -> None:
        services.photo_delete(photo=obj, refund=True)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Photo]) -> None:
        for photo in queryset.select_related("event"):
            services.photo_delete(photo=photo, refund=True)


@admin.register(DeviceQuota)
class DeviceQuotaAdmin(admin.ModelAdmin):
    """The SQL store's counters (local runtime); on AWS the dashboard's devices page shows DynamoDB's."""

    list_display = ["event_slug", "device_id", "count", "limit_override", "last_upload_at"]
    list_filter = ["event_slug"]
    search_fields = ["event_slug", "device_id"]
    readonly_fields = ["event_slug", "device_id", "count", "last_upload_at"]
    fields = [*readonly_fields, "limit_override"]
    actions = ["reset_count"]

    def has_add_permission(self, request) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: DeviceQuota, form, change: bool) -> None:
        event = Event.objects.get(slug=obj.event_slug)
        services.device_set_limit(event=event, device=obj.device_id, limit=obj.limit_override)

    @admin.action(description=_("Reset the upload count to zero"))
    def reset_count(self, request, queryset) -> None:
        events = {e.slug: e for e in Event.objects.filter(slug__in=queryset.values("event_slug"))}
        for row in queryset:
            services.device_reset(event=events[row.event_slug], device=row.device_id)
        count = queryset.count()
        self.message_user(
            request,
            ngettext("Reset %(count)d device.", "Reset %(count)d devices.", count) % {"count": count},
            messages.SUCCESS,
        )


@admin.register(LoginThrottle)
class LoginThrottleAdmin(admin.ModelAdmin):
    """Accounts with recent wrong passwords; a locked one is unlocked here (or by its owner's password reset)."""

    list_display = ["user", "failures", "last_failure_at", "retry_after", "locked_at"]
    list_filter = [("locked_at", admin.EmptyFieldListFilter)]
    search_fields = ["user__username", "user__email"]
    readonly_fields = list_display
    actions = ["unlock"]

    def has_add_permission(self, request) -> bool:
        return False

    @admin.action(description=_("Unlock: forget the wrong passwords"), permissions=["change"])
    def unlock(self, request, queryset) -> None:
        throttles = list(queryset.select_related("user"))
        for throttle in throttles:
            login_throttle_clear(user=throttle.user)
        said = ngettext("Unlocked %(count)d account.", "Unlocked %(count)d accounts.", len(throttles))
        self.message_user(request, said % {"count": len(throttles)}, messages.SUCCESS)
