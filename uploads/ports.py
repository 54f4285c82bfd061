"""The upload core's ports (what it needs from storage) and its domain errors.

Plain Python: the core and its adapters meet here, so nothing here imports Django or boto3.
"""

from collections.abc import Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import BinaryIO, Protocol

from uploads.policy import EventPolicy, Limits

# A claim still unfinished after this long belongs to a request that died (worker killed, function
# timed out) before storing its photo: a retry may take it over, the recovery pass releases it.
# Longer than any request lives after its reservation (the guest function stops within 30 s,
# gunicorn's worker timeout is 120 s).
CLAIM_TTL = timedelta(minutes=3)


# Slots: a Claim and its Reservation are made for every upload, one of them between two reservations' SQLite
# transactions, where each allocation counts (README, P8).
@dataclass(frozen=True, slots=True)
class Claim:
    """One photo (by content hash) that one device wants to add to one event, by one request.

    `token` names the request holding the claim: only it may complete or release it, so a request
    that lost its claim (taken over after it stalled) can never undo the one that took it.
    """

    event: str
    device: str
    fingerprint: str
    at: datetime
    token: str
    # Where its photo will be stored and who sent it, known before any byte is written: a recovery
    # pass can then tell a request that died before storing from one that died after.
    key: str = ""
    guest_name: str = ""
    # Bytes its photo takes once stored: the event's usage holds them while the claim stands.
    size: int = 0
    # When an unfinished claim is given up: a direct upload's URL lifetime plus a grace (its bytes travel
    # from the phone for that long); None: CLAIM_TTL after `at`, the JSON upload's request lifetime.
    expires_at: datetime | None = None

    @property
    def deadline(self) -> datetime:
        return self.expires_at or self.at + CLAIM_TTL


@dataclass(frozen=True, slots=True)
class Reservation:
    """A slot held for a claim. `stored_key` is set when the same photo was already stored."""

    claim: Claim
    count: int
    limit: int
    stored_key: str | None = None


@dataclass(frozen=True)
class DeviceUsage:
    device: str
    count: int
    limit_override: int | None
    last_upload_at: datetime | None

    def limit(self, event_limit: int) -> int:
        return device_limit(self.limit_override, event_limit)


def device_limit(override: int | None, event_limit: int) -> int:
    """How many photos a device may upload: the limit an admin set for it, or else the event's."""
    return event_limit if override is None else override


# The most devices one page of a listing holds: a flood of device ids cannot swamp the dashboard.
DEVICE_PAGE_SIZE = 100


@dataclass(frozen=True)
class DevicePage:
    """One page of an event's devices in device-id order, which stays put while devices upload.
    `previous` and `next` are opaque cursors for the neighbouring pages, None at either end."""

    devices: list[DeviceUsage]
    previous: str | None = None
    next: str | None = None

    @classmethod
    def read(cls, rows: list[DeviceUsage], size: int, *, after: str | None, before: str | None) -> "DevicePage":
        """The page from what a store read: up to `size` + 1 devices from the cursor on, in the
        direction of travel (the extra one only says there is more that way)."""
        more, rows = len(rows) > size, rows[:size]
        if before is not None:
            rows.reverse()
            # Stepping back from `before`: the page it started is still there after this one.
            return cls(rows, previous=rows[0].device if more else None, next=rows[-1].device if rows else before)
        # Stepping on from `after`: the page that ended there is still before this one.
        previous = (rows[0].device if rows else after) if after is not None else None
        return cls(rows, previous=previous, next=rows[-1].device if more else None)


@dataclass(frozen=True)
class EventUsage:
    """What an event holds against its caps: photos stored or being stored, and their bytes."""

    photos: int = 0
    bytes: int = 0


@dataclass(frozen=True)
class HeldClaim:
    """One claim as its store holds it, for the reconciliation (events/reconcile.py), which sums an
    event's claims to check its counters."""

    claim: Claim
    # Where its photo was stored; None while unfinished.
    stored_key: str | None
    # False once its photo's usage was given back (`give_back`): it still holds its device's slot.
    holds_usage: bool


@dataclass(frozen=True)
class StoredPhoto:
    event: str
    device: str
    guest_name: str
    key: str
    content_type: str
    size: int
    width: int
    height: int
    sha256: str
    uploaded_at: datetime


@dataclass(frozen=True)
class PendingUpload:
    """A direct upload between its start and its completion (uploads/direct.py): the claim it holds,
    what its bytes must be, and where they wait meanwhile."""

    event: str
    device: str
    # SHA-256 (hex) of the exact bytes the phone announced: the claim's fingerprint.
    fingerprint: str
    # The claim's token: only this upload may complete or give back its slot.
    token: str
    size: int
    content_type: str
    expires_at: datetime

    @property
    def upload_id(self) -> str:
        return f"{self.event}.{self.fingerprint}.{self.token}"

    @property
    def staging_key(self) -> str:
        """Where the bytes land before completion: outside every event's photo folder."""
        return f"{STAGING_PREFIX}{self.event}/{self.device}/{self.fingerprint}.{self.token}"


# Staged bytes live under this prefix, never mixed with stored photos (the gallery indexer skips it);
# no event slug starts with "_", so no event's photo folder can be taken for it.
STAGING_PREFIX = "_incoming/"


@dataclass(frozen=True)
class Target:
    """One HTTP request that sends bytes: to a presigned S3 URL, or the local server's signed URL."""

    url: str
    headers: dict[str, str]
    method: str = "PUT"


@dataclass(frozen=True)
class Targets:
    """Where a direct upload sends its bytes: one request (`single`), or one per part of `part_size`
    bytes (the last one shorter), numbered from 1."""

    single: Target | None = None
    part_size: int | None = None
    parts: list[Target] | None = None


class StagingStore(Protocol):
    """Where a direct upload's bytes wait between the phone and the photo store."""

    # Files larger than this go in parts of this size.
    part_size: int

    def targets(self, upload: PendingUpload) -> Targets:
        """The requests that send the upload's bytes, each bound to its key and exact size, valid until
        `upload.expires_at`. Calling it again continues the same upload (a multipart upload already
        begun keeps its parts)."""

    def received(self, upload: PendingUpload) -> list[int]:
        """Numbers of the parts whole on the store (a single-request upload: [1] once it arrived)."""

    def assemble(self, upload: PendingUpload, etags: dict[int, str] | None) -> None:
        """Join the parts into one staged object (nothing to do for a single request); raises
        UploadIncomplete naming the missing parts. Doing it again once joined is a no-op."""

    def open(self, upload: PendingUpload) -> AbstractContextManager[BinaryIO]:
        """The whole staged bytes as a seekable file opened for reading and writing in place (the
        location is blanked through it). Raises UnknownUpload when nothing is staged."""

    def publish(self, upload: PendingUpload, file: BinaryIO, photo: "StoredPhoto") -> None:
        """Store the bytes of `file` (as changed in place) in the photo store at `photo.key`, which must
        be new: raises KeyExists rather than overwrite. The staged copy stays until `discard`."""

    def discard(self, upload: PendingUpload) -> None:
        """Delete the staged bytes or abort the multipart upload; nothing staged is a no-op."""

    def discard_event(self, event: str) -> int:
        """Delete everything staged for the event (the event is deleted); returns how many."""


class QuotaStore(Protocol):
    def reserve(self, claim: Claim, limits: Limits) -> Reservation:
        """Atomically claim the photo, spend one slot while the device is below its limit, and add one
        photo and `claim.size` bytes to the event's usage while both stay within its caps.

        A per-device override replaces `limits.device`. The same fingerprint already stored returns
        a reservation with `stored_key` and spends nothing; one whose claim is unfinished raises
        ClaimPending with that claim, for the core to finish, take over or wait for. Raises
        LimitReached when the device has no slot left, EventFull when the event has no room.
        """

    def take_over(self, held: Claim, claim: Claim, limits: Limits) -> Reservation:
        """Give `held`'s slot to `claim` (same photo, a retry), if `held` is still unfinished and
        unchanged; raises UploadInProgress when another request changed it first. The event keeps the
        usage `held` added (the same bytes)."""

    def complete(self, claim: Claim, key: str) -> None:
        """Mark the claim's photo as stored under `key` (a later retry gets that key back); doing it
        again with the same key is a no-op. Raises ClaimLost when this request no longer holds the claim."""

    def release(self, claim: Claim) -> None:
        """Give the slot and the event's usage back and forget the claim, if this request still holds
        it; else do nothing."""

    def release_pending(self, claim: Claim) -> None:
        """As release, but only while the claim is still unfinished (the recovery pass's undo)."""

    def pending_claims(self, event: str, now: datetime, device: str | None = None) -> list[Claim]:
        """Unfinished claims whose `deadline` is before `now` (their request died or their direct upload
        expired), with their target key, guest name and expiry; only `device`'s when given."""

    def lookup(self, event: str, device: str, fingerprint: str) -> tuple[Claim, str | None] | None:
        """The device's claim on the photo and the key it was stored under (None while unfinished),
        or None when there is no claim."""

    def purge_event(self, event: str) -> None:
        """Forget everything about the event: counters, limits, claims, usage (and its mirrored policy)."""

    def refund(self, event: str, device: str, fingerprint: str) -> None:
        """The organizer removed a stored photo: forget its claim and give its device the slot back
        (and the event its usage, unless `give_back` did already)."""

    def give_back(self, event: str, device: str, fingerprint: str) -> None:
        """The organizer removed a stored photo and keeps its claim (the same bytes sent again stay
        "already uploaded"): give the event back the photo and bytes it held, once."""

    def event_usage(self, event: str) -> EventUsage: ...

    def usage(self, event: str, device: str) -> DeviceUsage: ...

    def reset(self, event: str, device: str) -> None:
        """Set the device's count back to zero."""

    def set_count(self, event: str, device: str, count: int) -> None:
        """Set the device's count to `count` (the reconciliation's repair); a device the event has not
        seen stays unseen."""

    def claims(self, event: str) -> list[HeldClaim]:
        """Every claim of the event, finished or not, in no particular order."""

    def set_event_usage(self, event: str, usage: EventUsage) -> None:
        """Set what the event holds against its caps (the reconciliation's repair)."""

    def set_device_limit(self, event: str, device: str, limit: int | None) -> None:
        """Give one device its own limit; None goes back to the event's."""

    def devices_page(
        self, event: str, *, after: str | None = None, before: str | None = None, size: int = DEVICE_PAGE_SIZE
    ) -> DevicePage:
        """At most `size` of the devices the event has seen, in device-id order: the first ones, those
        after the cursor `after`, or those just before the cursor `before` (cursors from a DevicePage)."""

    def device_count(self, event: str) -> int:
        """How many devices the event has seen."""


class PhotoStore(Protocol):
    def put(self, photo: StoredPhoto, data: bytes) -> None:
        """Store the bytes under `photo.key`, which must be new: raises KeyExists rather than overwrite.
        A stored photo is whole: `exists` never sees a partial write. Raises StorageFull, having written
        nothing, when there is no room for them."""

    def exists(self, key: str) -> bool: ...

    def read(self, key: str) -> bytes: ...

    def delete(self, key: str) -> None: ...

    def delete_prefix(self, prefix: str) -> int:
        """Delete every object whose key starts with `prefix` (ending in "/"); returns how many."""

    def keys(self, prefix: str) -> Iterator[str]:
        """The key of every stored object under `prefix` (ending in "/"), never a partial write."""

    def remove_partial(self, prefix: str, older_than: datetime) -> int:
        """Delete what puts under `prefix` began before `older_than` and never finished (their request
        died mid-write); returns how many. Never a stored photo: `exists` does not see these."""


class PhotoRecorder(Protocol):
    def record(self, photo: StoredPhoto) -> None:
        """Index a stored photo for the organizer's gallery; recording it again is a no-op."""


class PolicySource(Protocol):
    def get(self, slug: str) -> EventPolicy | None: ...


class PolicyMirror(Protocol):
    """Where the guest path reads event policies when it cannot read the dashboard's database."""

    def put_policy(self, policy: EventPolicy) -> None: ...

    def delete_policy(self, slug: str) -> None: ...


class ClaimPending(Exception):
    """The photo's claim is held by an unfinished request, which may have died: `held` says where."""

    def __init__(self, held: Claim):
        super().__init__(held.key)
        self.held = held


class ClaimLost(Exception):
    """This request no longer holds its claim: a retry took it over after it stalled."""


class KeyExists(Exception):
    """The storage key is taken: a photo is never overwritten."""


class UploadError(Exception):
    """Base of every error a guest can cause or meet; `message` is safe to show them."""

    message = "The upload failed."

    def __init__(self, message: str | None = None):
        super().__init__(message or self.message)
        if message:
            self.message = message


class BadRequest(UploadError):
    message = "The request is malformed."


class InvalidField(BadRequest):
    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


class InvalidImage(UploadError):
    message = "The file is not a JPEG, PNG, WebP or HEIC photo, or it is damaged."


class TooLarge(UploadError):
    message = "The photo is too large."


class UnknownEvent(UploadError):
    message = "This event does not exist. Check the link or QR code."


class WrongKey(UploadError):
    message = "This upload link is not valid any more. Scan the event's QR code again."


class EventClosed(UploadError):
    message = "This event is not accepting photos any more."


class LimitReached(UploadError):
    message = "You have reached this event's photo limit for this device."

    def __init__(self, count: int, limit: int):
        super().__init__()
        self.count = count
        self.limit = limit


class UnknownUpload(UploadError):
    # Also what a page hears once a file whose check it was waiting for (Processing) was refused.
    message = "This file was refused when it was checked, or its upload expired. Nothing was counted."


class UploadIncomplete(UploadError):
    """Not every part of a direct upload has arrived: nothing is given back, the rest can still come."""

    message = "Some parts of this file have not arrived yet. Send them, then complete again."

    def __init__(self, missing: list[int]):
        super().__init__()
        self.missing = missing


class UnknownPhoto(UploadError):
    """No such upload from this device: another device's, a wrong key or a deleted one all read the same,
    so nobody learns what another phone sent."""

    message = "This photo or video is not among this phone's uploads."


class DeleteNotAllowed(UploadError):
    message = "The organizer has turned off deleting uploads at this event."


class WrongBytes(UploadError):
    """What arrived is not what the start announced (size or SHA-256): nothing kept, the slot given back."""

    message = "The file that arrived is not the one announced (its size or checksum differ). Nothing was counted."


class UnsupportedMedia(UploadError):
    message = "The file is not a JPEG, PNG, WebP or HEIC photo, nor an MP4, MOV or WebM video, or it is damaged."


class VideosNotAllowed(UploadError):
    message = "This event takes photos only."


class RateLimited(UploadError):
    """Too many uploads or new devices from one client address (uploads/ratelimit.py); nothing counted."""

    message = (
        "Too many photos are arriving from your network right now. "
        "Your photo is kept on this phone and will upload by itself in a moment."
    )

    def __init__(self, retry_after: int):
        super().__init__()
        self.retry_after = retry_after


class EventFull(UploadError):
    """The event holds all the photos or bytes its caps allow: whatever device ids a client sends."""

    message = "This event has received all the photos it can take. Thank you!"


class UploadInProgress(UploadError):
    message = "This photo is already being uploaded. Try again in a moment."


class QuotaUnavailable(UploadError):
    message = "Too many photos are arriving at once. Nothing was counted; please try again in a moment."


class StorageUnavailable(UploadError):
    message = "The photo could not be saved right now. Nothing was counted; please try again."


class StorageFull(StorageUnavailable):
    """The photo store refused before writing a byte: its disk is down to the free-space floor."""

    message = "This event's photo storage is full. Nothing was counted; the organizer has to make room first."
