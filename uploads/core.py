"""The guest upload use case: authorise -> validate -> reserve -> store -> record.

No Django, no boto3: the stores arrive as ports, so the same rules run locally and on AWS.
"""

import hashlib
import logging
import uuid
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from datetime import UTC, datetime

from uploads.exif import strip_location
from uploads.images import ImageInfo, inspect_image
from uploads.naming import storage_key
from uploads.policy import EventPolicy, Limits
from uploads.ports import (
    CLAIM_TTL,
    Claim,
    ClaimPending,
    EventClosed,
    EventFull,
    LimitReached,
    PhotoRecorder,
    PhotoStore,
    PolicySource,
    QuotaStore,
    QuotaUnavailable,
    Reservation,
    StorageFull,
    StorageUnavailable,
    StoredPhoto,
    UnknownEvent,
    UploadInProgress,
    WrongKey,
)
from uploads.ratelimit import RateLimiter

log = logging.getLogger(__name__)


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class UploadRequest:
    """One photo a guest sends, parsed and validated (uploads/payload.py)."""

    event: str
    upload_key: str
    guest_name: str
    device: str
    image: bytes


@dataclass(frozen=True)
class UploadResult:
    count: int
    limit: int
    key: str
    duplicate: bool = False

    @property
    def remaining(self) -> int:
        return max(self.limit - self.count, 0)


@dataclass(frozen=True)
class EventView:
    """What a guest's page learns about an event, and about its own device when it says which."""

    policy: EventPolicy
    open: bool
    count: int | None = None
    limit: int | None = None

    @property
    def remaining(self) -> int | None:
        return None if self.count is None or self.limit is None else max(self.limit - self.count, 0)


@dataclass(frozen=True)
class Recovered:
    """What one recovery pass did with what requests left unfinished."""

    completed: int = 0
    released: int = 0
    # Claims it could not settle this time (the store failed): the next pass tries them again.
    failed: int = 0
    # Half-written photos (a request died mid-write) it deleted.
    partials: int = 0

    def __bool__(self) -> bool:
        return any((self.completed, self.released, self.failed, self.partials))


# What to record for a claim whose photo is stored: from the resent bytes, or read back.
Describe = Callable[[Claim], StoredPhoto]


class Uploader:
    def __init__(
        self,
        *,
        policies: PolicySource,
        quota: QuotaStore,
        photos: PhotoStore,
        recorder: PhotoRecorder,
        clock: Callable[[], datetime] = utc_now,
        atomic: Callable[[], AbstractContextManager[object]] = nullcontext,
        undo_budget: Callable[[], AbstractContextManager[object]] = nullcontext,
        limiter: RateLimiter | None = None,
    ):
        self.policies = policies
        self.quota = quota
        self.photos = photos
        self.recorder = recorder
        self.clock = clock
        # Completing a claim and recording its photo happen together where the stores share a
        # database (locally): a crash between the two cannot leave a counted photo unlisted.
        self.atomic = atomic
        # Where time is counted (the guest function), giving a slot back may spend the time kept for it.
        self.undo_budget = undo_budget
        # Where guests upload (not the recovery sweep): uploads and new device ids per client address.
        self.limiter = limiter

    def authorised_policy(self, slug: str, upload_key: str) -> EventPolicy:
        policy = self.policies.get(slug)
        if policy is None:
            raise UnknownEvent()
        if not policy.key_matches(upload_key):
            raise WrongKey()
        return policy

    def event_view(self, slug: str, upload_key: str, device: str | None = None) -> EventView:
        policy = self.authorised_policy(slug, upload_key)
        is_open = policy.accepts_uploads(self.clock())
        if device is None:
            return EventView(policy, is_open)
        usage = self.quota.usage(slug, device)
        return EventView(policy, is_open, count=usage.count, limit=usage.limit(policy.limit))

    def admit(self, event: str, upload_key: str, device: str, client: str) -> tuple[EventPolicy, datetime]:
        """The event's policy and the time, if this device may upload to it now from `client` (the address
        the request came from, for the rate limit); raises why not."""
        policy = self.authorised_policy(event, upload_key)
        now = self.clock()
        if not policy.accepts_uploads(now):
            raise EventClosed()
        if self.limiter:
            # Before any work on the bytes, and long before the reservation: a refusal counts nothing.
            self.limiter.admit(client, device)
        return policy, now

    def upload(self, request: UploadRequest, client: str = "") -> UploadResult:
        """`client` is the address the request came from, for the rate limit."""
        policy, now = self.admit(request.event, request.upload_key, request.device, client)
        image = inspect_image(request.image)
        # Bytes appended after the image's end (an HTML page, an archive) are not the photo: never stored.
        sent = request.image[: image.length]
        # Duplicates are recognised by the photo the phone sent; what is stored has no location unless kept.
        fingerprint = hashlib.sha256(sent).hexdigest()
        data = sent if policy.keep_location else strip_location(sent, image.extension)
        claim = Claim(
            request.event,
            request.device,
            fingerprint,
            now,
            token=uuid.uuid4().hex,
            key=storage_key(request.event, request.guest_name, now, image.extension),
            guest_name=request.guest_name,
            size=len(data),
        )
        # A retry of a request that died after storing this photo: the same bytes, so the same
        # description, under the key and time its claim holds.
        reservation = self.reserve(claim, policy.limits, lambda held: _stored_photo(held, image, len(data)))
        if reservation.stored_key:
            return UploadResult(reservation.count, reservation.limit, reservation.stored_key, duplicate=True)
        photo = _stored_photo(claim, image, len(data))
        self._store(photo, data, reservation)
        return UploadResult(reservation.count, reservation.limit, photo.key)

    def reserve(self, claim: Claim, limits: Limits, describe: Describe) -> Reservation:
        """Hold a slot for the claim, settling or taking over an unfinished claim on the same photo;
        `describe` tells what was stored for a claim whose request died after storing it."""
        try:
            try:
                return self.quota.reserve(claim, limits)
            except ClaimPending as pending:
                return self._resume(pending.held, claim, limits, describe)
        except (LimitReached, EventFull, UploadInProgress):
            raise
        except Exception:
            # The outcome is unknown (a timeout may follow a write that landed): give back whatever
            # this request may hold. The token makes this safe; nothing of another request is touched.
            log.exception("reservation failed for %s", claim.fingerprint)
            self.release_quietly(claim)
            raise QuotaUnavailable() from None

    def _resume(self, held: Claim, claim: Claim, limits: Limits, describe: Describe) -> Reservation:
        """The same photo's claim is unfinished: its request is still at work, or died."""
        if self.settle(held, describe, release=False):
            # It had stored the photo: its work is finished for it, and this is a retry.
            return self.quota.reserve(claim, limits)
        if claim.at < held.deadline:
            if held.expires_at and claim.expires_at:
                # The same device announced the same bytes again while its direct upload waits (its page
                # lost its queue): the upload goes on under the claim it holds.
                usage = self.quota.usage(held.event, held.device)
                return Reservation(held, usage.count, usage.limit(limits.device))
            raise UploadInProgress()
        return self.quota.take_over(held, claim, limits)

    def settle(self, held: Claim, describe: Describe, *, release: bool) -> bool:
        """Complete a claim whose photo is stored (True); otherwise release it if asked."""
        if held.key and self.photos.exists(held.key):
            self.record(held, describe(held))
            return True
        if release:
            self.quota.release_pending(held)
        return False

    def describe_stored(self, held: Claim) -> StoredPhoto:
        """Describe a stored photo nobody is resending, from its bytes (the sweep)."""
        data = self.photos.read(held.key)
        return _stored_photo(held, inspect_image(data), len(data))

    def recover(self, event: str, settle_direct: Callable[[Claim], bool] | None = None) -> Recovered:
        """The periodic sweep: settle the event's claims past their deadline (their request died, or
        their direct upload expired), and delete what dead requests left half-written. Direct uploads'
        claims are settled by `settle_direct` (True: completed, False: released; uploads/direct.py)."""
        now = self.clock()
        completed = released = failed = 0
        for held in self.quota.pending_claims(event, now):
            try:
                if settle_direct and held.expires_at:
                    stored = settle_direct(held)
                else:
                    stored = self.settle(held, self.describe_stored, release=True)
                if stored:
                    completed += 1
                else:
                    released += 1
            except Exception:
                # One claim the stores cannot settle now must not keep the others stranded.
                log.exception("could not settle %s", held.key)
                failed += 1
        partials = self.photos.remove_partial(f"{event}/", now - CLAIM_TTL)
        return Recovered(completed, released, failed, partials)

    def release_quietly(self, claim: Claim) -> None:
        try:
            with self.undo_budget():
                self.quota.release(claim)
        except Exception:
            # Left unfinished: the recovery pass (or a retry after CLAIM_TTL) releases it.
            log.exception("could not release %s", claim.fingerprint)

    def record(self, claim: Claim, photo: StoredPhoto) -> None:
        """Complete the claim and index its stored photo, together where the stores allow."""
        with self.atomic():
            self.quota.complete(claim, photo.key)
            self.recorder.record(photo)

    def _store(self, photo: StoredPhoto, data: bytes, reservation: Reservation) -> None:
        """Store, then complete and record; on any failure undo what was done so nothing failed is counted."""
        try:
            self.photos.put(photo, data)
        except StorageFull:
            # Refused before a byte was written: only the slot to give back, and the guest is told why.
            log.warning("photo store full, %s refused", photo.key)
            self.release_quietly(reservation.claim)
            raise
        except Exception:
            log.exception("photo store failed for %s", photo.key)
            # The write may have landed before the error: the key is new, so deleting it is safe.
            self.undo(reservation.claim, stored_key=photo.key)
            raise StorageUnavailable() from None
        self.record_or_undo(reservation.claim, photo)

    def record_or_undo(self, claim: Claim, photo: StoredPhoto) -> None:
        """Record a photo just stored; if that fails, delete it and give its slot back."""
        try:
            self.record(claim, photo)
        except Exception:
            log.exception("recording failed for %s", photo.key)
            self.undo(claim, stored_key=photo.key)
            raise StorageUnavailable() from None

    def undo(self, claim: Claim, stored_key: str) -> None:
        # Each step on its own: a photo that cannot be deleted must still give its slot back.
        try:
            with self.undo_budget():
                self.photos.delete(stored_key)
        except Exception:
            log.exception("could not delete %s after a failed upload", stored_key)
        self.release_quietly(claim)


def _stored_photo(claim: Claim, image: ImageInfo, size: int) -> StoredPhoto:
    return StoredPhoto(
        event=claim.event,
        device=claim.device,
        guest_name=claim.guest_name,
        key=claim.key,
        content_type=image.content_type,
        size=size,
        width=image.width,
        height=image.height,
        sha256=claim.fingerprint,
        uploaded_at=claim.at,
    )
