"""The upload core's ports (what it needs from storage) and its domain errors.

Plain Python: the core and its adapters meet here, so nothing here imports Django or boto3.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from uploads.policy import EventPolicy

# A claim still without a stored photo after this long belongs to a request that died
# (worker killed, lost connection); a retry may take it over. Longer than any request lives.
CLAIM_TTL = timedelta(minutes=10)


@dataclass(frozen=True)
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


@dataclass(frozen=True)
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
        return event_limit if self.limit_override is None else self.limit_override


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


class QuotaStore(Protocol):
    def reserve(self, claim: Claim, event_limit: int) -> Reservation:
        """Atomically claim the photo and spend one slot while the device is below its limit.

        A per-device override replaces `event_limit`. The same fingerprint already stored returns
        a reservation with `stored_key` and spends nothing; one still in flight raises
        UploadInProgress unless its claim is older than CLAIM_TTL, in which case it is taken over
        with the slot it already holds. Raises LimitReached when no slot is left.
        """

    def complete(self, claim: Claim, key: str) -> None:
        """Mark the claim's photo as stored under `key` (a later retry gets that key back).
        Raises ClaimLost when this request no longer holds the claim."""

    def release(self, claim: Claim) -> None:
        """Give the slot back and forget the claim, if this request still holds it; else do nothing."""

    def refund(self, event: str, device: str, fingerprint: str) -> None:
        """The organizer removed a stored photo: forget its claim and give its device the slot back."""

    def usage(self, event: str, device: str) -> DeviceUsage: ...

    def reset(self, event: str, device: str) -> None:
        """Set the device's count back to zero."""

    def set_device_limit(self, event: str, device: str, limit: int | None) -> None:
        """Give one device its own limit; None goes back to the event's."""

    def devices(self, event: str) -> list[DeviceUsage]:
        """Every device the event has seen, most recent upload first."""


class PhotoStore(Protocol):
    def put(self, photo: StoredPhoto, data: bytes) -> None:
        """Store the bytes under `photo.key`, which must be new: raises KeyExists rather than overwrite."""

    def delete(self, key: str) -> None: ...


class PhotoRecorder(Protocol):
    def record(self, photo: StoredPhoto, data: bytes) -> None:
        """Index a stored photo (and its thumbnail) for the organizer's gallery."""


class PolicySource(Protocol):
    def get(self, slug: str) -> EventPolicy | None: ...


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


class UploadInProgress(UploadError):
    message = "This photo is already being uploaded. Try again in a moment."


class ClaimLost(UploadError):
    message = "This upload took too long and was replaced by a retry."


class KeyExists(UploadError):
    message = "A photo is already stored under this key."


class QuotaUnavailable(UploadError):
    message = "Too many photos are arriving at once. Nothing was counted; please try again in a moment."


class StorageUnavailable(UploadError):
    message = "The photo could not be saved right now. Nothing was counted; please try again."
