"""Reads of events and their photos: for the upload core and for the dashboard."""

import hmac
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal

from django.contrib.auth.models import AbstractBaseUser
from django.core import signing
from django.db.models import Count, Max, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext

from events.models import (
    INVITATION_SALT,
    INVITATION_VALID_FOR,
    RETENTION_NOTICE,
    Event,
    EventHost,
    HostInvitation,
    Photo,
    PhotoExport,
)
from uploads.policy import EventPolicy, hash_upload_key
from uploads.ports import Claim, DeviceUsage, EventUsage, QuotaStore, UnknownEvent, UnknownPhoto, WrongKey


def event_policy(event: Event) -> EventPolicy:
    limits = event.limits()
    return EventPolicy(
        slug=event.slug,
        name=event.name,
        limit=event.upload_limit,
        is_open=event.is_open,
        upload_key_sha256=hash_upload_key(event.upload_key),
        closes_at=event.closes_at,
        keep_location=event.keep_location,
        max_photos=limits.photos,
        max_bytes=limits.bytes,
        allow_videos=event.allow_videos,
        max_video_bytes=event.max_video_bytes(),
        quality=event.quality(),
        language=event.language,
    )


class EventPolicies:
    """The upload core's PolicySource backed by the dashboard's database."""

    def get(self, slug: str) -> EventPolicy | None:
        fields = ("slug", "name", "upload_limit", "is_open", "closes_at", "keep_location", "upload_key")
        fields += (
            "expected_guests",
            "max_photos",
            "max_megabytes",
            "allow_videos",
            "max_video_megabytes",
            "smaller_photos",
            "language",
        )
        event = Event.objects.filter(slug=slug).only(*fields).first()
        return event_policy(event) if event else None


def _managed_by(user: AbstractBaseUser, *, owner_only: bool = False) -> QuerySet[Event]:
    """The events the user owns, and unless `owner_only` those they co-host: the one access rule."""
    if owner_only:
        return Event.objects.filter(owner=user)
    # A subquery, not a join on hosts: a join would repeat an event once per co-host (and its counts).
    return Event.objects.filter(Q(owner=user) | Q(pk__in=EventHost.objects.filter(user=user).values("event")))


def events_for(user: AbstractBaseUser) -> QuerySet[Event]:
    """The events a user may manage: their own and those they co-host (staff use the admin for
    everyone's), with the number and total size of their photos (`photo_count`, `bytes_used`)."""
    return _managed_by(user).annotate(photo_count=Count("photos"), bytes_used=Coalesce(Sum("photos__size"), 0))


def event_for(
    user: AbstractBaseUser, slug: str, *, staff_permissions: Collection[str] = (), owner_only: bool = False
) -> Event:
    """The user's own or co-hosted event (with `owner_only`: own), or 404: another organizer's event is
    indistinguishable from none. Staff reach another organizer's event only with `staff_permissions`
    (all of them, none given: none), as the admin asks the same user for its model permissions
    (README "Support staff")."""
    may_see_others = user.is_staff and bool(staff_permissions) and user.has_perms(staff_permissions)
    events = Event.objects.all() if may_see_others else _managed_by(user, owner_only=owner_only)
    return get_object_or_404(events, slug=slug)


@dataclass(frozen=True)
class Cohosts:
    """The event page's "Co-hosts" section: who, who is invited, and whether this viewer may change it."""

    hosts: list[EventHost]
    invitations: list[HostInvitation]
    may_manage: bool


def cohosts_for(event: Event, viewer: AbstractBaseUser) -> Cohosts:
    hosts = list(event.hosts.select_related("user"))
    # Co-hosts manage everything but this and deleting the event; staff reached the page with permissions.
    may_manage = viewer.pk == event.owner_id or viewer.is_staff
    return Cohosts(hosts, list(event.host_invitations.all()), may_manage)


def host_invitation_signed(token: str) -> HostInvitation | None:
    """The invitation a mailed sign-up link names, while it is valid (signed by us, not too old)."""
    try:
        pk = signing.loads(token, salt=INVITATION_SALT, max_age=INVITATION_VALID_FOR)
    except signing.BadSignature:
        return None
    return HostInvitation.objects.filter(pk=pk).select_related("event").first()


def photo_for(event: Event, pk: int) -> Photo:
    return get_object_or_404(Photo, event=event, pk=pk)


# The gallery's tabs. A hidden photo is only under "hidden", even if it was never approved: hiding decided it.
GALLERY_STATES = {
    "all": Q(),
    "waiting": Q(approved=False, hidden=False),
    "shared": Q(approved=True, hidden=False),
    "hidden": Q(hidden=True),
}


def photos_for(event: Event, *, guest: str | None = None, state: str = "all") -> QuerySet[Photo]:
    """The event's photos, newest first; `state` is one of GALLERY_STATES."""
    photos = Photo.objects.filter(event=event).filter(GALLERY_STATES[state]).order_by("-uploaded_at", "-pk")
    return photos if guest is None else photos.filter(guest_name=guest)


def gallery_counts(event: Event) -> dict[str, int]:
    """How many photos each gallery tab holds, in one query."""
    # Aliases unlike the field names: Django refuses an aggregate named like a field its filter reads.
    totals = Photo.objects.filter(event=event).aggregate(
        **{f"in_{state}": Count("pk", filter=condition) for state, condition in GALLERY_STATES.items()}
    )
    return {state: totals[f"in_{state}"] for state in GALLERY_STATES}


def shared_photos(event: Event) -> QuerySet[Photo]:
    """What the wall and the album show: approved and not hidden (the one definition of it)."""
    return Photo.objects.filter(event=event, approved=True, hidden=False).order_by("-uploaded_at", "-pk")


def photos_in_scope(event: Event, scope: str) -> QuerySet[Photo]:
    """The photos a ZIP of this PhotoExport.Scope holds, newest first."""
    if scope == PhotoExport.Scope.SHARED:
        return shared_photos(event)
    photos = photos_for(event)
    return photos if scope == PhotoExport.Scope.WITH_HIDDEN else photos.filter(hidden=False)


def shared_event(slug: str, token: str, *, link: Literal["wall", "album"]) -> Event:
    """The event whose wall or album link this is, or 404: wrong token, link off, or no such event all
    look the same. The token is compared in constant time, after a lookup by slug."""
    event = Event.objects.filter(slug=slug).first()
    expected = getattr(event, f"{link}_token", "")
    if event is None or not (hmac.compare_digest(token.encode(), expected.encode()) and getattr(event, f"{link}_on")):
        raise Http404("No such link.")
    return event


def album_revealed(event: Event) -> bool:
    """Whether the album shows its photos yet (no reveal moment set: at once)."""
    return event.album_reveal_at is None or event.album_reveal_at <= timezone.now()


def album_photo(event: Event, pk: int) -> Photo:
    """A photo the album may serve, or 404: shared, and the album revealed."""
    if not album_revealed(event):
        raise Http404("Not yet.")
    return get_object_or_404(shared_photos(event), pk=pk)


# A pending export older than this is taken for lost (its build never finished): a new one may start.
EXPORT_PENDING_FOR = timedelta(minutes=15)


def album_export_current(event: Event) -> PhotoExport | None:
    """The album's ZIP that still holds exactly the shared photos (ready), or the one being built.

    A ready export is current when no photo of the event changed since it was started (approving,
    hiding, uploading all move `changed_at`) and it holds as many photos as are shared now (a deleted
    photo leaves no row to move)."""
    exports = event.exports.filter(scope=PhotoExport.Scope.SHARED)
    pending = exports.filter(status=PhotoExport.Status.PENDING, created_at__gt=timezone.now() - EXPORT_PENDING_FOR)
    if found := pending.first():
        return found
    ready = exports.filter(status=PhotoExport.Status.READY).first()
    last_change = Photo.objects.filter(event=event).aggregate(last=Max("changed_at"))["last"]
    if ready is None or (last_change and last_change >= ready.created_at):
        return None
    return ready if ready.photo_count == shared_photos(event).count() else None


@dataclass(frozen=True)
class GuestSummary:
    name: str
    photos: int
    last_upload: datetime


def guests_for(event: Event) -> list[GuestSummary]:
    rows = (
        Photo.objects.filter(event=event)
        .values("guest_name")
        .annotate(photos=Count("pk"), last=Max("uploaded_at"))
        .order_by("guest_name")
    )
    return [GuestSummary(row["guest_name"], row["photos"], row["last"]) for row in rows]


@dataclass(frozen=True)
class EventStats:
    photos: int
    hidden: int
    waiting: int
    guests: int
    devices: int
    bytes: int


def stats_for(event: Event, device_count: int) -> EventStats:
    totals = Photo.objects.filter(event=event).aggregate(
        photos=Count("pk"),
        in_hidden=Count("pk", filter=GALLERY_STATES["hidden"]),
        in_waiting=Count("pk", filter=GALLERY_STATES["waiting"]),
        bytes=Sum("size"),
        guests=Count("guest_name", distinct=True),
    )
    return EventStats(
        photos=totals["photos"],
        hidden=totals["in_hidden"],
        waiting=totals["in_waiting"],
        guests=totals["guests"],
        devices=device_count,
        bytes=totals["bytes"] or 0,
    )


@dataclass(frozen=True)
class DeviceRow:
    device: str
    count: int
    limit: int
    limit_override: int | None
    last_upload_at: datetime | None
    # The names the phone uploaded under, the most used first: how an organizer knows whose phone it is.
    guest_names: list[str]

    @property
    def short_id(self) -> str:
        return self.device[:8]

    @property
    def name(self) -> str | None:
        return self.guest_names[0] if self.guest_names else None

    @property
    def other_names(self) -> list[str]:
        return self.guest_names[1:]

    @property
    def phone(self) -> str:
        """What the organizer calls it: by the name it used most, else (nothing kept) by its short id."""
        if self.name:
            return gettext("%(name)s's phone") % {"name": self.name}
        return gettext("Phone %(id)s") % {"id": self.short_id}


@dataclass(frozen=True)
class DeviceRows:
    """One page of the devices page: its rows, and cursors for the neighbouring pages (None at an end)."""

    rows: list[DeviceRow]
    previous: str | None
    next: str | None


def _guest_names(event: Event, devices: Collection[str]) -> dict[str, list[str]]:
    """The names each of `devices` uploaded under, the most photos first (then by name, for a stable
    order), read for those devices only: a flood elsewhere costs nothing."""
    names: dict[str, list[str]] = {}
    used = (
        Photo.objects.filter(event=event, device_id__in=devices)
        .values("device_id", "guest_name")
        .annotate(photos=Count("pk"))
        .order_by("device_id", "-photos", "guest_name")
    )
    for row in used:
        names.setdefault(row["device_id"], []).append(row["guest_name"])
    return names


def _device_row(event: Event, usage: DeviceUsage, names: dict[str, list[str]]) -> DeviceRow:
    limit = usage.limit(event.upload_limit)
    return DeviceRow(
        usage.device, usage.count, limit, usage.limit_override, usage.last_upload_at, names.get(usage.device, [])
    )


def devices_for(event: Event, quota: QuotaStore, *, after: str | None = None, before: str | None = None) -> DeviceRows:
    """One page of counts from the quota store (SQL or DynamoDB), with the names its devices used."""
    page = quota.devices_page(event.slug, after=after, before=before)
    names = _guest_names(event, [usage.device for usage in page.devices])
    return DeviceRows([_device_row(event, usage, names) for usage in page.devices], page.previous, page.next)


def device_for(event: Event, quota: QuotaStore, device: str) -> DeviceRow:
    """One device's row, for the page that confirms a change to it."""
    return _device_row(event, quota.usage(event.slug, device), _guest_names(event, [device]))


@dataclass(frozen=True)
class CapsUsage:
    """What an event holds (from the quota store, counted as uploads reserve) against its caps."""

    usage: EventUsage
    max_photos: int
    max_bytes: int

    @property
    def full(self) -> bool:
        return self.usage.photos >= self.max_photos or self.usage.bytes >= self.max_bytes


def caps_usage_for(event: Event, quota: QuotaStore) -> CapsUsage:
    limits = event.limits()
    return CapsUsage(quota.event_usage(event.slug), limits.photos, limits.bytes)


def guest_event(slug: str, key: str) -> Event:
    """The event a guest page opened with its upload key (compared in constant time)."""
    event = Event.objects.filter(slug=slug).first()
    if event is None:
        raise UnknownEvent()
    if not hmac.compare_digest(key.encode(), event.upload_key.encode()):
        raise WrongKey()
    return event


def event_by_short_code(code: str) -> Event | None:
    """The event whose table card prints `code` (normalised: events/short_codes.py), if any."""
    return Event.objects.filter(short_code=code).first()


def guest_uploads(event: Event, device: str) -> QuerySet[Photo]:
    """What one phone sent to the event and the organizer kept, newest first (My uploads)."""
    return Photo.objects.filter(event=event, device_id=device).select_related("event")


def guest_upload(slug: str, key: str, device: str, pk: int) -> Photo:
    """One of the phone's own uploads. No such event, a wrong key and another phone's photo all raise
    the same UnknownPhoto: a guest learns nothing about what is not theirs."""
    try:
        event = guest_event(slug, key)
    except (UnknownEvent, WrongKey):
        raise UnknownPhoto() from None
    photo = guest_uploads(event, device).filter(pk=pk).first()
    if photo is None:
        raise UnknownPhoto()
    return photo


def guest_uploads_in_flight(event: Event, device: str, quota: QuotaStore, now: datetime) -> list[Claim]:
    """The phone's uploads started and not finished, whose slot is still held."""
    # The store answers the unfinished claims past a moment; a day ahead is past every one of them (they
    # live minutes), and those not past `now` are still on their way.
    unfinished = quota.pending_claims(event.slug, now + timedelta(days=1), device)
    return sorted((claim for claim in unfinished if claim.deadline > now), key=lambda claim: claim.at, reverse=True)


# The wall's feed (events/wall_feed.py): the latest shared photos, and what changed after a cursor.
def wall_latest(event: Event, limit: int) -> list[Photo]:
    return list(shared_photos(event)[:limit])


def wall_changes(event: Event, after: tuple[datetime, int], limit: int) -> list[Photo]:
    """Photos of the event whose `approved`/`hidden` changed (or that arrived) after the cursor, oldest
    change first: the caller tells shared ones (to show) from the others (to drop)."""
    changed_at, pk = after
    later = Q(changed_at__gt=changed_at) | Q(changed_at=changed_at, pk__gt=pk)
    return list(Photo.objects.filter(event=event).filter(later).order_by("changed_at", "pk")[:limit])


def wall_last_change(event: Event) -> tuple[datetime, int] | None:
    """The cursor of the event's latest change; None while it has no photo."""
    return Photo.objects.filter(event=event).order_by("-changed_at", "-pk").values_list("changed_at", "pk").first()


def _with_retention() -> list[Event]:
    # Few events have it on; the dates are compared in Python, the same on SQLite and PostgreSQL.
    return list(Event.objects.filter(retention_days__isnull=False, date__isnull=False).select_related("owner"))


def events_to_warn(today: date) -> list[Event]:
    """Events whose deletion is a week away or less, and whose owner was not yet e-mailed about that date."""
    return [
        event
        for event in _with_retention()
        if not event.retention_warned() and today >= event.retention_date() - RETENTION_NOTICE
    ]


def events_to_purge(today: date) -> list[Event]:
    """Events whose owner was e-mailed and whose deletion day has come."""
    return [
        event for event in _with_retention() if event.retention_warned() and today >= event.retention_deletes_on(today)
    ]
