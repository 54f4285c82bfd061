from django import forms
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm, UserCreationForm
from django.http import HttpRequest
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from events.models import MAX_LIMIT, Event
from events.services import MODERATION_ACTIONS

CAP_FIELDS = ("expected_guests", "max_photos", "max_megabytes")
VIDEO_FIELDS = ("allow_videos", "max_video_megabytes", "smaller_photos")
SHARING_FIELDS = ("moderation", "wall_captions", "album_reveal_at", "guest_delete", "language")
CARD_FIELDS = ("welcome", "accent")
KEPT_WHEN_LEFT_OUT = ("moderation", "guest_delete", "accent")


class KeepsChoicesLeftOut(forms.ModelForm):
    """A form (or script) that leaves these choices out keeps what the event has: the defaults when new."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in KEPT_WHEN_LEFT_OUT:
            self.fields[name].required = False

    def clean(self) -> dict:
        cleaned = super().clean()
        for name in KEPT_WHEN_LEFT_OUT:
            if not cleaned.get(name):
                cleaned[name] = getattr(self.instance, name)
        return cleaned


class EventForm(KeepsChoicesLeftOut):
    """The organizer's form: caps up to the site's ceiling (staff set more in the admin, whose form this is not)."""

    class Meta:
        model = Event
        fields = [
            "name",
            "slug",
            "date",
            "upload_limit",
            "is_open",
            "closes_at",
            "keep_location",
            "retention_days",
            *CAP_FIELDS,
            *VIDEO_FIELDS,
            *SHARING_FIELDS,
            *CARD_FIELDS,
        ]
        widgets = {
            "accent": forms.TextInput(attrs={"type": "color"}),
            "date": forms.DateInput(attrs={"type": "date"}),
            "closes_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
            "album_reveal_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            # Printed on every table card: it never changes once the event exists.
            del self.fields["slug"]
        else:
            self.fields["slug"].required = False
            self.fields["slug"].help_text = _("Short name in the guest link. Leave empty to derive it from the name.")
        ceiling = gettext("At most %(megabytes)d MB on this site.") % {"megabytes": settings.MAX_VIDEO_MB}
        self.fields["max_video_megabytes"].help_text = f"{self.fields['max_video_megabytes'].help_text} {ceiling}"

    def clean_max_photos(self) -> int | None:
        return self._within_ceiling("max_photos", settings.EVENT_MAX_PHOTOS)

    def clean_max_megabytes(self) -> int | None:
        return self._within_ceiling("max_megabytes", settings.EVENT_MAX_MB)

    def _within_ceiling(self, field: str, ceiling: int) -> int | None:
        value = self.cleaned_data[field]
        # A cap staff raised beyond the ceiling stays when the organizer edits something else.
        if value is not None and value > ceiling and value != getattr(self.instance, field):
            raise forms.ValidationError(
                gettext("At most %(ceiling)d here: ask the site's administrators for more.") % {"ceiling": ceiling}
            )
        return value


class SignupForm(UserCreationForm):
    email = forms.EmailField(label=_("Email"), help_text=_("For resetting your password."))

    class Meta(UserCreationForm.Meta):
        model = get_user_model()
        fields = ["username", "email"]


class _SaysWhyRefused:
    """A log-in refused unchecked by the account's throttle (events/auth_backend.py) says why and until
    when, instead of "wrong password"."""

    request: HttpRequest | None

    def get_invalid_login_error(self) -> forms.ValidationError:
        refusal = getattr(self.request, "login_refused", None)
        if refusal:
            return forms.ValidationError(refusal, code="throttled")
        return super().get_invalid_login_error()  # type: ignore[misc]


class LoginForm(_SaysWhyRefused, AuthenticationForm):
    pass


class AdminLoginForm(_SaysWhyRefused, AdminAuthenticationForm):
    pass


class DeviceLimitForm(forms.Form):
    limit = forms.IntegerField(
        min_value=0,
        max_value=MAX_LIMIT,
        required=False,
        help_text=_("Photos this device may upload. Empty: the event's limit."),
    )


class PhotoDeleteForm(forms.Form):
    refund = forms.BooleanField(
        required=False,
        initial=True,
        label=_("Give the guest's phone its slot back"),
        help_text=_("Untick for a photo that should not come back: the same photo sent again is then refused."),
    )


class PhotoIdsField(forms.Field):
    """The ids of the photos ticked in the gallery (hidden inputs again on the confirmation page)."""

    widget = forms.MultipleHiddenInput
    MAX = 500  # bounds one request's work; a gallery page holds far fewer

    def to_python(self, value) -> list[int]:
        if not value:
            return []
        if len(value) > self.MAX or not all(str(item).isdigit() for item in value):
            raise forms.ValidationError(_("Those photos cannot be changed at once."))
        return [int(item) for item in value]


class PhotosModerateForm(PhotoDeleteForm):
    """One bulk action on the photos ticked in the gallery; a delete comes back once `confirmed`."""

    action = forms.ChoiceField(choices=[(action, action) for action in MODERATION_ACTIONS], widget=forms.HiddenInput)
    ids = PhotoIdsField(error_messages={"required": _("Select at least one photo first.")})
    confirmed = forms.BooleanField(required=False, widget=forms.HiddenInput)


class EventDeleteForm(forms.Form):
    """Deleting an event cannot be undone: the organizer types its name to confirm."""

    name = forms.CharField(label=_("Type the event's name to confirm"), max_length=200)

    def __init__(self, *args, event: Event, **kwargs):
        super().__init__(*args, **kwargs)
        self.event = event

    def clean_name(self) -> str:
        name = self.cleaned_data["name"]
        if name.strip() != self.event.name.strip():
            raise forms.ValidationError(_("That is not this event's name: nothing was deleted."))
        return name


class CohostInviteForm(forms.Form):
    """The event page's invite form (events/templates/events/cohosts.html draws it)."""

    who = forms.CharField(max_length=254)


class CohostRemoveForm(forms.Form):
    """One of the two: the co-host's user id, or a pending invitation's id."""

    user = forms.IntegerField(required=False, widget=forms.HiddenInput)
    invitation = forms.IntegerField(required=False, widget=forms.HiddenInput)
