import datetime
import secrets
from datetime import timedelta
from pathlib import PurePosixPath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from events.accent import DEFAULT_ACCENT, readable_accent
from events.public_url import public_base_url
from events.short_codes import grouped, new_short_code
from uploads.naming import SLUG_PATTERN, poster_key
from uploads.policy import (
    DEFAULT_EXPECTED_GUESTS,
    DEFAULT_MAX_VIDEO_BYTES,
    MB,
    Limits,
    default_byte_cap,
    default_photo_cap,
)

DEFAULT_LIMIT = 10
MAX_LIMIT = 1000
MAX_EXPECTED_GUESTS = 100_000
MAX_RETENTION_DAYS = 3650
# The owner is e-mailed this long before the deletion, and it never comes sooner after that mail.
RETENTION_NOTICE = timedelta(days=7)


def ceiling_bytes() -> int:
    """The most storage an organizer may give one event (staff may give more, in the admin)."""
    return settings.EVENT_MAX_MB * MB


def video_ceiling_mb() -> int:
    """The largest video the site lets any event take (PHOTOSHARE_MAX_VIDEO_MB); read when validating."""
    return settings.MAX_VIDEO_MB


# Top-level folders of the photo storage besides the events' own (events/thumbnails.py THUMBNAIL_PREFIX,
# events/exports.py EXPORT_PREFIX): an event with one of these slugs would share its folder, and the
# S3 trigger would skip its photos. (uploads/ports.py STAGING_PREFIX, `_incoming/`, is no slug anyway.)
RESERVED_SLUGS = frozenset({"thumbs", "exports"})


def not_reserved_slug(slug: str) -> None:
    if slug in RESERVED_SLUGS:
        raise ValidationError(
            _("“%(slug)s” is a folder of the photo storage itself: please choose another short name."),
            params={"slug": slug},
        )


def new_upload_key() -> str:
    # 32 random bytes, URL-safe: 256 bits, well past the 128 an attacker would have to guess.
    return secrets.token_urlsafe(32)


def new_share_token() -> str:
    """The secret of a wall or album link (events/sharing.py): 192 bits, URL-safe."""
    return secrets.token_urlsafe(24)


class Moderation(models.TextChoices):
    AT_ONCE = "at_once", _("Show new photos on the wall and album at once")
    APPROVE_FIRST = "approve_first", _("Approve each photo first")


class GuestDelete(models.TextChoices):
    REFUND = "refund", _("Allowed, and the photo's slot is given back")
    KEEP_SLOT = "keep_slot", _("Allowed, but the slot stays used")
    OFF = "off", _("Not allowed")


# The languages the guest page, the wall and the album speak (settings.LANGUAGES holds the same codes).
class Language(models.TextChoices):
    PHONE = "", _("The phone's own language")
    EN = "en", "English"
    ES = "es", "Español"
    FR = "fr", "Français"
    DE = "de", "Deutsch"
    IT = "it", "Italiano"
    PT = "pt", "Português"


class Event(models.Model):
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="events")
    name = models.CharField(max_length=120)
    slug = models.CharField(
        max_length=50,
        unique=True,
        validators=[
            RegexValidator(SLUG_PATTERN, _("Use lowercase letters, digits and inner hyphens.")),
            not_reserved_slug,
        ],
        help_text=_("Short name in the guest link. Lowercase letters, digits and hyphens; cannot change later."),
    )
    upload_limit = models.PositiveSmallIntegerField(
        _("photos per device"),
        default=DEFAULT_LIMIT,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_LIMIT)],
    )
    date = models.DateField(null=True, blank=True, help_text=_("The day of the event, for your list."))
    is_open = models.BooleanField(_("accepting uploads"), default=True)
    closes_at = models.DateTimeField(
        _("uploads close at"), null=True, blank=True, help_text=_("Optional: after this moment uploads are refused.")
    )
    keep_location = models.BooleanField(
        _("keep GPS location"),
        default=False,
        help_text=_("Off: the GPS position phones write into photos is removed as they arrive (nothing else changes)."),
    )
    # The event's caps bound what it stores from all phones together, whatever device ids they send.
    expected_guests = models.PositiveIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_EXPECTED_GUESTS)],
        help_text=format_lazy(
            _("About how many guests you expect (empty: {guests}); it sets the default caps."),
            guests=DEFAULT_EXPECTED_GUESTS,
        ),
    )
    max_photos = models.PositiveIntegerField(
        _("photo cap"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_(
            "Most photos the event takes from all phones together. "
            "Empty: 3 × photos per device × expected guests, up to the site's ceiling."
        ),
    )
    max_megabytes = models.PositiveIntegerField(
        _("storage cap (MB)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_(
            "Most space its photos take together. Empty: 2 MB per photo of the photo cap, up to the site's ceiling."
        ),
    )
    allow_videos = models.BooleanField(_("take videos"), default=True, help_text=_("Off: guests can send photos only."))
    max_video_megabytes = models.PositiveIntegerField(
        _("largest video (MB)"),
        null=True,
        blank=True,
        validators=[
            MinValueValidator(1),
            MaxValueValidator(video_ceiling_mb, _("At most %(limit_value)s MB on this site.")),
        ],
        help_text=format_lazy(
            _(
                "Empty: {megabytes} MB, about two minutes of phone video. "
                "Videos count towards the storage cap like photos."
            ),
            megabytes=DEFAULT_MAX_VIDEO_BYTES // MB,
        ),
    )
    # A flag rather than a choice: a form that leaves it out keeps the guest page's default, the original.
    smaller_photos = models.BooleanField(
        _("smaller photos by default"),
        default=False,
        help_text=_(
            "Off: the guest page sends photos exactly as taken. On: downscaled to 2560 px, "
            "quicker on a busy Wi-Fi. Each guest can still choose; videos are always sent as they are."
        ),
    )
    upload_key = models.CharField(max_length=64, default=new_upload_key, editable=False)
    moderation = models.CharField(
        _("new photos"), max_length=20, choices=Moderation.choices, default=Moderation.AT_ONCE
    )
    guest_delete = models.CharField(
        _("guests deleting their own uploads"), max_length=20, choices=GuestDelete.choices, default=GuestDelete.REFUND
    )
    language = models.CharField(
        _("language of the guest pages"),
        max_length=5,
        choices=Language.choices,
        default=Language.PHONE,
        blank=True,
        help_text=_("The guest page, the wall and the album: each phone's own language, or this one for everyone."),
    )
    # The venue screen's link (no log-in): off until the organizer turns it on; renewing changes the token.
    wall_on = models.BooleanField(_("wall link on"), default=False)
    wall_token = models.CharField(max_length=64, default=new_share_token, editable=False)
    wall_captions = models.BooleanField(_("show guest names on the wall"), default=True)
    # The guests' read-only album: off by default; before `album_reveal_at` it only says when.
    album_on = models.BooleanField(_("shared album on"), default=False)
    album_token = models.CharField(max_length=64, default=new_share_token, editable=False)
    album_reveal_at = models.DateTimeField(
        _("album reveals photos at"),
        null=True,
        blank=True,
        help_text=_("Optional: before this moment the album only says when its photos will appear."),
    )
    # Off (empty) by default; events/retention.py warns the owner, then deletes the event through event_delete.
    retention_days = models.PositiveSmallIntegerField(
        _("delete everything after (days)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_RETENTION_DAYS)],
        help_text=_(
            "Optional: photos, videos and the event itself are deleted this many days after the event's date. "
            "You are e-mailed a week before. Empty: kept until you delete the event."
        ),
    )
    # When the owner was e-mailed about the deletion (once per deletion date: see retention_deletes_on).
    retention_warned_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The table card (events/templates/events/event_card.html): the organizer's words and colour, and the
    # short address printed under the QR code, renewed with the upload key (events/short_codes.py).
    welcome = models.CharField(
        _("welcome line"),
        max_length=120,
        blank=True,
        help_text=_("Printed on the table card, e.g. “Welcome to our wedding!”"),
    )
    accent = models.CharField(
        _("card colour"),
        max_length=7,
        default=DEFAULT_ACCENT,
        validators=[readable_accent],
        help_text=_("The table card's colour: dark enough to read on white paper."),
    )
    short_code = models.CharField(max_length=10, unique=True, default=new_short_code, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(upload_limit__gte=1, upload_limit__lte=MAX_LIMIT),
                name="event_upload_limit_in_range",
            ),
            models.CheckConstraint(
                condition=models.Q(slug__regex=SLUG_PATTERN),
                name="event_slug_lowercase",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        if self.retention_days and not self.date:
            # The deletion is counted from the event's day: without one there is no date to promise.
            raise ValidationError({"date": _("Set the event's date: the deletion is counted from it.")})

    def retention_date(self) -> datetime.date | None:
        """The day the organizer chose: the event's date plus its retention; None when off."""
        if not (self.retention_days and self.date):
            return None
        return self.date + timedelta(days=self.retention_days)

    def retention_warned(self) -> bool:
        """Whether the owner was e-mailed for the current date (a later date, once edited, needs a new mail)."""
        chosen = self.retention_date()
        warned = self.retention_warned_at
        return bool(chosen and warned and timezone.localdate(warned) >= chosen - RETENTION_NOTICE)

    def retention_deletes_on(self, today: datetime.date | None = None) -> datetime.date | None:
        """The day everything goes: the chosen date, but never sooner than a week after the owner's mail
        (or, before it is sent, a week from today), so a retention set on an old event gives notice too."""
        chosen = self.retention_date()
        if chosen is None:
            return None
        mailed = timezone.localdate(self.retention_warned_at) if self.retention_warned() else today
        return max(chosen, (mailed or timezone.localdate()) + RETENTION_NOTICE)

    def limits(self) -> Limits:
        """The per-device limit and the event's caps: the organizer's, or the defaults below the site's ceiling."""
        photos = self.max_photos or min(
            default_photo_cap(self.upload_limit, self.expected_guests or DEFAULT_EXPECTED_GUESTS),
            settings.EVENT_MAX_PHOTOS,
        )
        size = self.max_megabytes * MB if self.max_megabytes else min(default_byte_cap(photos), ceiling_bytes())
        return Limits(self.upload_limit, photos, size)

    def max_video_bytes(self) -> int:
        own = self.max_video_megabytes * MB if self.max_video_megabytes else DEFAULT_MAX_VIDEO_BYTES
        # A ceiling lowered after the event was saved holds at once.
        return min(own, video_ceiling_mb() * MB)

    def quality(self) -> str:
        """The guest page's default for photos, one of uploads/policy.py QUALITIES."""
        return "smaller" if self.smaller_photos else "original"

    def guest_path(self) -> str:
        return f"{reverse('guest-page')}?{urlencode({'event': self.slug, 'key': self.upload_key})}"

    def guest_url(self) -> str:
        return public_base_url() + self.guest_path()

    def short_path(self) -> str:
        """The card's readable fallback for the QR code, `/g/<code>`, which redirects to guest_url()."""
        return reverse("short-link", args=[grouped(self.short_code)])


class EventHost(models.Model):
    """A co-host: another organizer who manages the event with its owner, except deleting it and
    choosing its co-hosts (events/views/common.py OWNER_ONLY)."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="hosts")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="hosted_events")
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["added_at"]
        constraints = [models.UniqueConstraint(fields=["event", "user"], name="event_host_once")]

    def __str__(self) -> str:
        return f"{self.user} co-hosts {self.event}"


# The mailed sign-up link of an invitation: its id signed with the site's secret, valid this long.
INVITATION_SALT = "events.host-invitation"
INVITATION_VALID_FOR = timedelta(days=30)


class HostInvitation(models.Model):
    """A co-host invited by an e-mail no account has yet: signing up from the mailed link, with this
    e-mail, makes them a co-host (events/services.py host_invitations_accept). `email` is lowercased."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="host_invitations")
    email = models.EmailField()
    invited_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["invited_at"]
        constraints = [models.UniqueConstraint(fields=["event", "email"], name="host_invitation_once")]

    def __str__(self) -> str:
        return f"{self.email} invited to {self.event}"


class Photo(models.Model):
    """The gallery's index of a stored photo; the bytes live in the photo store under `key`."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="photos")
    guest_name = models.CharField(max_length=80)
    device_id = models.CharField(max_length=36)
    key = models.CharField(max_length=255, unique=True)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField()
    # Empty until the thumbnail exists (or when the original could not be rendered).
    thumbnail_key = models.CharField(max_length=255, blank=True)
    hidden = models.BooleanField(default=False, help_text=_("Hidden photos stay stored but out of the gallery."))
    # False while an event that approves first has not approved it. Shared (wall, album) = approved, not hidden.
    approved = models.BooleanField(default=True)
    # Moved forward by every change of `approved`/`hidden` (services set it, bulk updates too): the wall's
    # feed cursor, so a photo approved now shows even if it was uploaded an hour ago.
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-uploaded_at"]
        indexes = [
            models.Index(fields=["event", "guest_name", "-uploaded_at"]),
            models.Index(fields=["event", "changed_at"]),
            models.Index(fields=["event", "device_id"]),
        ]

    def __str__(self) -> str:
        return self.key

    @property
    def is_video(self) -> bool:
        return self.content_type.startswith("video/")

    def poster_key(self) -> str:
        """Where a video's poster frame, drawn by the guest page, is stored (it may never have been sent)."""
        return poster_key(self.key)

    def download_name(self) -> str:
        """`<guest folder>_<stored name>`, so a downloaded file still says who took it."""
        key = PurePosixPath(self.key)
        return f"{key.parent.name}_{key.name}"

    def zip_name(self) -> str:
        """`<event>/<guest folder>/<download name>`: foldered by guest, and still says who if moved out."""
        key = PurePosixPath(self.key)
        return f"{key.parent.parent.name}/{key.parent.name}/{self.download_name()}"


class PhotoExport(models.Model):
    """A ZIP of an event's photos built in the background into S3 (AWS, where a response is capped near 6 MB)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    class Scope(models.TextChoices):
        # The organizer's ZIP leaves hidden photos out unless asked; the album's holds only shared ones.
        NOT_HIDDEN = "not_hidden"
        WITH_HIDDEN = "with_hidden"
        SHARED = "shared"

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="exports")
    scope = models.CharField(max_length=12, choices=Scope.choices, default=Scope.NOT_HIDDEN)
    key = models.CharField(max_length=255, unique=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    photo_count = models.PositiveIntegerField(default=0)
    size = models.PositiveBigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.key


class LoginThrottle(models.Model):
    """Wrong passwords for one account from any addresses (events/login_throttle.py); no row, no failures."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="login_throttle"
    )
    failures = models.PositiveIntegerField(default=0)
    last_failure_at = models.DateTimeField(null=True, blank=True)
    retry_after = models.DateTimeField(_("next attempt allowed at"), null=True, blank=True)
    locked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.user}: {self.failures} failures"


class PasswordResetRequest(models.Model):
    """A reset mail let through in the last hour, for the limits per address and per email
    (events/password_reset.py); older rows are deleted as new ones come."""

    address = models.CharField(max_length=45)
    email = models.CharField(max_length=254)
    requested_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.email} from {self.address} at {self.requested_at:%H:%M}"
