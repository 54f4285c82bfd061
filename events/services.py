"""Writes to events, their photos and their devices. Keyword-only arguments; callers are views, the
admin, commands and the S3 trigger. Every write of an event goes through `_save`, so the guest path's
copy of its policy (DynamoDB on AWS) never disagrees with the dashboard's."""

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from functools import partial
from typing import Literal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core import signing
from django.core.files.base import ContentFile
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from events.exports import EXPORT_PREFIX, export_start
from events.models import (
    DEFAULT_LIMIT,
    INVITATION_SALT,
    RESERVED_SLUGS,
    Event,
    EventHost,
    GuestDelete,
    HostInvitation,
    Photo,
    PhotoExport,
    new_share_token,
    new_upload_key,
)
from events.selectors import album_export_current, event_policy, events_to_purge, events_to_warn
from events.short_codes import new_short_code
from events.thumbnails import THUMBNAIL_PREFIX, display_key, render_display, render_thumbnail, thumbnail_key
from photoshare_site import wiring
from uploads.core import Recovered, utc_now
from uploads.ports import DeleteNotAllowed, DeviceUsage
from uploads.stores.staging_fs import STAGED_LEFTOVER_AGE

log = logging.getLogger(__name__)


class EventNotSaved(Exception):
    """The guest path's copy of the event's policy could not be written: nothing was changed."""

    message = _("The upload service did not answer, so nothing was changed. Please try again in a moment.")


def _save(event: Event, **options) -> Event:
    # The mirror is written inside the transaction on purpose (slow I/O, but at most one small
    # write): if it refuses, the row rolls back and the guest path keeps agreeing with the dashboard.
    with transaction.atomic():
        event.save(**options)
        try:
            wiring.policy_mirror().put_policy(event_policy(event))
        except Exception as error:
            log.warning("policy of %s not mirrored", event.slug, exc_info=True)
            raise EventNotSaved() from error
    return event


def _unique_slug(name: str) -> str:
    base = (slugify(name) or "event")[:40].strip("-") or "event"
    slug, n = base, 2
    while slug in RESERVED_SLUGS or Event.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def event_create(
    *, owner: AbstractBaseUser, name: str, slug: str | None = None, limit: int = DEFAULT_LIMIT, **details
) -> Event:
    """Create an event; without a slug one is derived from the name and made unique.
    `details` are further Event fields (date, is_open, closes_at, keep_location, caps, video settings)."""
    event = Event(owner=owner, name=name, slug=slug or _unique_slug(name), upload_limit=limit, **details)
    event.full_clean()
    return _save(event)


def event_update(*, event: Event, **fields) -> Event:
    for name, value in fields.items():
        setattr(event, name, value)
    event.full_clean()
    return _save(event)


def event_save(*, event: Event) -> Event:
    """Save an event a form or the admin has already changed and validated."""
    return _save(event)


def event_rotate_key(*, event: Event) -> Event:
    """Give the event a new upload key: links, short addresses and QR codes printed before stop working."""
    event.upload_key = new_upload_key()
    # The card's short address leads to the key: it changes with it, so the old one stops resolving too.
    event.short_code = new_short_code()
    return _save(event, update_fields=["upload_key", "short_code"])


def event_share_link(*, event: Event, link: Literal["wall", "album"], action: Literal["on", "off", "renew"]) -> Event:
    """Turn the wall's or the album's link on or off, or give it a new token: the old link then answers 404."""
    field = f"{link}_token" if action == "renew" else f"{link}_on"
    setattr(event, field, new_share_token() if action == "renew" else action == "on")
    return _save(event, update_fields=[field])


def event_delete(*, event: Event) -> None:
    """Remove the event and everything kept under its slug, so a new event with the same slug starts
    empty: photos, thumbnails and ZIP exports in storage; counters, claims and the mirrored policy in
    the quota store; then the rows. Safe to run again if it stops part-way."""
    if event.is_open:
        # Closed first, so no upload starts while its data goes.
        event_update(event=event, is_open=False)
    store = wiring.photo_store()
    for prefix in (event.slug, THUMBNAIL_PREFIX + event.slug, EXPORT_PREFIX + event.slug):
        store.delete_prefix(f"{prefix}/")
    wiring.staging_store().discard_event(event.slug)
    wiring.quota_store().purge_event(event.slug)
    wiring.policy_mirror().delete_policy(event.slug)
    event.delete()


def photo_make_thumbnail(*, photo: Photo, data: bytes) -> bool:
    """Make the photo's thumbnail (once: its key is kept); False when the original cannot be rendered."""
    try:
        thumbnail = render_thumbnail(data)
    except Exception:
        # The original is safe and counted; the gallery shows a placeholder instead.
        log.warning("no thumbnail for %s", photo.key, exc_info=True)
        return False
    storage = wiring.photo_links().storage
    key = storage.save(thumbnail_key(photo.key), ContentFile(thumbnail))
    if not Photo.objects.filter(pk=photo.pk).update(thumbnail_key=key):
        _deleted_meanwhile(storage, key)
        return False
    photo.thumbnail_key = key
    return True


def _deleted_meanwhile(storage, key: str) -> None:
    """The photo was deleted while its rendition was made (a guest's or the organizer's delete racing
    the first view of it): keep no file of a photo that is gone."""
    log.info("%s was deleted while it was rendered", key)
    storage.delete(key)


def photo_thumbnail_ensure(*, photo: Photo) -> bool:
    """Make the thumbnail if it is missing: a photo's from its original, a video's from the poster frame
    the guest page drew (videos are never decoded here). False when there is nothing to show yet."""
    if photo.thumbnail_key:
        return True
    storage = wiring.photo_links().storage
    source = photo.poster_key() if photo.is_video else photo.key
    # A video sent without a poster (or before it arrives) keeps a placeholder; the poster may come later.
    if photo.is_video and not storage.exists(source):
        return False
    try:
        with storage.open(source) as file:
            data = file.read()
    except FileNotFoundError:
        return False  # deleted since it was looked up
    return photo_make_thumbnail(photo=photo, data=data)


def photo_display_ensure(*, photo: Photo) -> bool:
    """Make the wall's display rendition of a photo if it is missing (videos have none: the wall plays
    them, with the thumbnail as poster). False when the original cannot be rendered."""
    if photo.is_video:
        return False
    storage = wiring.photo_links().storage
    key = display_key(photo.key)
    if storage.exists(key):
        return True
    try:
        with storage.open(photo.key) as file:
            rendition = render_display(file.read())
    except Exception:
        log.warning("no display rendition for %s", photo.key, exc_info=True)
        return False
    # Two first requests at once render twice; the second finds the file and keeps no copy of its own.
    if not storage.exists(key):
        storage.save(key, ContentFile(rendition))
    if not Photo.objects.filter(pk=photo.pk).exists():
        _deleted_meanwhile(storage, key)
        return False
    return True


def photo_delete(*, photo: Photo, refund: bool) -> None:
    """Remove the original, its thumbnail (and a video's poster) and its record; the event gets its photo
    and bytes back under its caps either way (once, however often this is retried).

    With `refund` the device gets its slot back (and could send the same photo again). Without it the
    upload claim stays: the same bytes sent again are answered as already uploaded, so a photo the
    organizer removed does not come back.
    """
    # Files first, outside any transaction: if a delete fails part-way the record is still listed and
    # the organizer can delete it again; the other order could leave a file no page lists any more.
    store = wiring.photo_store()
    renditions = [photo.thumbnail_key, photo.poster_key() if photo.is_video else display_key(photo.key)]
    for key in filter(None, [photo.key, *renditions]):
        store.delete(key)
    quota = wiring.quota_store()
    if refund:
        quota.refund(photo.event.slug, photo.device_id, photo.sha256)
    else:
        quota.give_back(photo.event.slug, photo.device_id, photo.sha256)
    photo.delete()


def guest_photo_delete(*, photo: Photo) -> None:
    """A guest deletes one of their own uploads, as the event allows: with the slot given back (the
    default), without it, or not at all."""
    allowed = photo.event.guest_delete
    if allowed == GuestDelete.OFF:
        raise DeleteNotAllowed()
    photo_delete(photo=photo, refund=allowed == GuestDelete.REFUND)


def photo_set_hidden(*, photo: Photo, hidden: bool) -> Photo:
    photo.hidden = hidden
    photo.changed_at = timezone.now()
    photo.save(update_fields=["hidden", "changed_at"])
    return photo


def album_export(*, event: Event) -> PhotoExport:
    """The album's ZIP where it is prepared in the background: the current one (ready, or being built),
    else a new export of the shared photos. Raises exports.ExportNotStarted when it cannot start."""
    with transaction.atomic():
        # The event's row is locked while deciding, so guests asking at once start one export, not one each.
        Event.objects.select_for_update().get(pk=event.pk)
        if current := album_export_current(event):
            return current
        # The start (one asynchronous invocation) stays inside the lock on purpose: released before it,
        # a second request could start another.
        export = export_start(event=event, scope=PhotoExport.Scope.SHARED)
    # Off Lambda (a shell, the tests) it was built right there, and may be ready already.
    export.refresh_from_db(fields=["status"])
    return export


# What each bulk action writes. Approving also shows: a photo approved is meant to be seen.
MODERATION_UPDATES = {
    "approve": {"approved": True, "hidden": False},
    "hide": {"hidden": True},
    "show": {"hidden": False},
}
MODERATION_ACTIONS = (*MODERATION_UPDATES, "delete")


def photos_moderate(*, event: Event, ids: Iterable[int], action: str, refund: bool = False) -> int:
    """Approve, hide, show or delete the event's photos among `ids` (others' are ignored); returns how many.
    Deletes go one by one through photo_delete (files, then counts); the others in one update that also
    moves `changed_at`, the wall's cursor."""
    photos = Photo.objects.filter(event=event, pk__in=list(ids))
    if action == "delete":
        chosen = list(photos.select_related("event"))
        for photo in chosen:
            photo_delete(photo=photo, refund=refund)
        return len(chosen)
    return photos.update(changed_at=timezone.now(), **MODERATION_UPDATES[action])


def device_reset(*, event: Event, device: str) -> DeviceUsage:
    """Set one device's count back to zero: it may upload its whole limit again."""
    quota = wiring.quota_store()
    quota.reset(event.slug, device)
    return quota.usage(event.slug, device)


def device_set_limit(*, event: Event, device: str, limit: int | None) -> DeviceUsage:
    """Give one device its own limit (after a guest's complaint); None goes back to the event's."""
    quota = wiring.quota_store()
    quota.set_device_limit(event.slug, device, limit)
    return quota.usage(event.slug, device)


def device_photos_delete(*, event: Event, device: str) -> int:
    """Remove every photo one device sent to the event (a phone flooding it, say), each through
    photo_delete; returns how many. No slot is given back: the device keeps its count, so a flooder
    cannot simply send as many again, and its claims, so the same photos resent are answered as
    already uploaded. `device_reset` lets an honest guest's phone upload again."""
    photos = list(Photo.objects.filter(event=event, device_id=device).select_related("event"))
    for photo in photos:
        photo_delete(photo=photo, refund=False)
    return len(photos)


def uploads_recover() -> dict[str, Recovered]:
    """The periodic sweep over every event: complete the uploads whose request died after storing the
    photo, release those that died before. Returns what it did, for the events where it did something."""
    # Direct uploads' claims too: those expired are completed if published, else released with their
    # staged bytes.
    uploads = wiring.direct_uploads()
    done = {}
    for slug in Event.objects.order_by("pk").values_list("slug", flat=True):
        try:
            recovered = uploads.recover(slug)
        except Exception:
            # One event's stores failing must not stop the others' sweep; the next pass tries again.
            log.exception("recovery of %s failed", slug)
            recovered = Recovered(failed=1)
        if recovered:
            done[slug] = recovered
    removed = wiring.remove_staged_leftovers(utc_now() - STAGED_LEFTOVER_AGE)
    if removed:
        log.info("removed %d staged uploads left over for a day", removed)
    return done


def event_retention_warn(*, event: Event, today: date) -> None:
    """E-mail the owner that everything of the event goes on its deletion day, and record it. Once: the
    record is taken before sending, so a second pass running at the same time (a schedule delivered
    twice, a run by hand) sends nothing; a mail that fails gives it back for the next pass to try, and
    the deletion waits until a week after a mail went."""
    claimed = Event.objects.filter(pk=event.pk, retention_warned_at=event.retention_warned_at)
    if not claimed.update(retention_warned_at=timezone.now()):
        return
    try:
        _send_retention_warning(event, deletes_on=event.retention_deletes_on(today))
    except Exception:
        Event.objects.filter(pk=event.pk).update(retention_warned_at=event.retention_warned_at)
        raise


def _send_retention_warning(event: Event, *, deletes_on: date | None) -> None:
    if not event.owner.email:
        # Nobody to tell: the date is still shown on the event's page from the day it was set.
        log.warning("the owner of %s has no e-mail address: no retention warning sent", event.slug)
        return
    context = {"event": event, "deletes_on": deletes_on}
    subject = render_to_string("events/emails/retention_warning_subject.txt", context).strip()
    body = render_to_string("events/emails/retention_warning.txt", context)
    send_mail(subject, body, None, [event.owner.email])


@dataclass
class RetentionDone:
    """The slugs a retention pass e-mailed about, deleted, or failed on (tried again next pass)."""

    warned: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


def events_retention_sweep(*, today: date | None = None, dry_run: bool = False) -> RetentionDone:
    """Delete (through event_delete) the events whose retention ran out, and warn the owners of those
    whose deletion is a week away. With `dry_run` only says which."""
    today = today or timezone.localdate()
    done = RetentionDone()
    for event in events_to_purge(today):
        _retention_step(event, done.deleted, done.failed, None if dry_run else partial(event_delete, event=event))
    for event in events_to_warn(today):
        warn = None if dry_run else partial(event_retention_warn, event=event, today=today)
        _retention_step(event, done.warned, done.failed, warn)
    return done


def _retention_step(event: Event, done: list[str], failed: list[str], step: Callable[[], None] | None) -> None:
    try:
        if step is not None:
            step()
    except Exception:
        # One event's stores or mail failing must not stop the others; the next pass tries again.
        log.exception("retention of %s failed", event.slug)
        failed.append(event.slug)
        return
    done.append(event.slug)


class CohostRefused(Exception):
    """An invitation that cannot be made; `message` says why, for the owner."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


NOT_YOURSELF = _("You own this event already: invite someone else.")
NO_SUCH_USERNAME = _("No organizer has the username “%(name)s”. Check the spelling, or invite them by e-mail.")
SEVERAL_ACCOUNTS = _("Several accounts use this e-mail: invite the right one by username.")
NO_SIGNUP = _("No account uses this e-mail, and sign-up is off on this site: ask them to get an account first.")
INVITATION_NOT_SENT = _("The invitation e-mail could not be sent, so nobody was invited. Please try again later.")


def event_host_add(*, event: Event, user: AbstractBaseUser) -> EventHost:
    """Make an organizer a co-host of the event (again: no change); any invitation to their e-mail goes."""
    if user.pk == event.owner_id:
        raise CohostRefused(str(NOT_YOURSELF))
    host, _created = EventHost.objects.get_or_create(event=event, user=user)
    if user.email:
        event.host_invitations.filter(email=user.email.lower()).delete()
    return host


def event_host_remove(*, event: Event, user_id: int | None = None, invitation_id: int | None = None) -> bool:
    """Remove a co-host, or withdraw an invitation (its link then makes nobody a co-host); False if none."""
    hosts = event.hosts.filter(user_id=user_id) if user_id else event.host_invitations.filter(pk=invitation_id)
    deleted, _by_model = hosts.delete()
    return bool(deleted)


def event_host_invite(*, event: Event, who: str, signup_url: str) -> EventHost | HostInvitation:
    """Invite by username, or by e-mail: the account using it becomes a co-host at once; an e-mail no
    account uses is recorded and mailed a sign-up link (host_invitations_accept does the rest)."""
    who = who.strip()
    if "@" not in who:
        user = get_user_model().objects.filter(username=who).first()
        if user is None:
            raise CohostRefused(NO_SUCH_USERNAME % {"name": who})
        return event_host_add(event=event, user=user)
    users = list(get_user_model().objects.filter(email__iexact=who)[:2])
    if len(users) > 1:
        raise CohostRefused(str(SEVERAL_ACCOUNTS))
    if users:
        return event_host_add(event=event, user=users[0])
    if not settings.SIGNUP_ENABLED:
        raise CohostRefused(str(NO_SIGNUP))
    return _host_invitation_send(event, who.lower(), signup_url)


def _host_invitation_send(event: Event, email: str, signup_url: str) -> HostInvitation:
    invitation, _created = HostInvitation.objects.update_or_create(
        event=event, email=email, defaults={"invited_at": timezone.now()}
    )
    token = signing.dumps(invitation.pk, salt=INVITATION_SALT)
    context = {"event": event, "link": f"{signup_url}?{urlencode({'invitation': token})}"}
    try:
        subject = render_to_string("events/emails/cohost_invitation_subject.txt", context).strip()
        send_mail(subject, render_to_string("events/emails/cohost_invitation.txt", context), None, [email])
    except Exception as error:
        log.warning("invitation to %s not mailed", event.slug, exc_info=True)
        invitation.delete()
        raise CohostRefused(str(INVITATION_NOT_SENT)) from error
    return invitation


def host_invitations_accept(*, user: AbstractBaseUser, invitation: HostInvitation) -> list[Event]:
    """After sign-up from an invitation's mailed link (selectors.host_invitation_signed): when the account's
    e-mail is the one invited, it co-hosts every event that invited that e-mail (the link proves the
    mailbox). Otherwise nothing: []."""
    if not user.email or user.email.lower() != invitation.email:
        return []
    with transaction.atomic():
        invitations = list(HostInvitation.objects.filter(email=invitation.email).select_related("event"))
        for each in invitations:
            event_host_add(event=each.event, user=user)
    return [each.event for each in invitations]
