"""Direct uploads: the phone sends a photo's exact bytes, or a video, straight to a staging store.

start (authorise, reserve a slot, hand out where to send) -> the phone sends -> complete (check the
bytes are those announced and what they claim to be, blank the location, publish, count, record).
Reservation and undo are the Uploader's (uploads/core.py); nothing failed or refused is ever counted.
No Django, no boto3: the staging store arrives as a port.
"""

import hashlib
import logging
import re
import uuid
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import BinaryIO

from uploads.core import Recovered, Uploader, UploadResult
from uploads.exif import strip_location
from uploads.images import inspect_image
from uploads.naming import SLUG_PATTERN, poster_key, storage_key
from uploads.policy import MB, EventPolicy
from uploads.ports import (
    STAGING_PREFIX,
    Claim,
    InvalidImage,
    KeyExists,
    PendingUpload,
    StagingStore,
    StorageFull,
    StorageUnavailable,
    StoredPhoto,
    Targets,
    TooLarge,
    UnknownUpload,
    UnsupportedMedia,
    UploadInProgress,
    VideosNotAllowed,
    WrongBytes,
)
from uploads.videos import blank_video_location, inspect_video

log = logging.getLogger(__name__)

PHOTO_TYPES = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/webp": "webp",
    "image/heic": "heic",
    "image/heif": "heif",
}
VIDEO_TYPES = {"video/mp4": "mp4", "video/quicktime": "mov", "video/webm": "webm"}
# What a start may announce, and the extension its storage key takes.
CONTENT_TYPES = PHOTO_TYPES | VIDEO_TYPES
_ANNOUNCED = {extension: content_type for content_type, extension in CONTENT_TYPES.items()}
# A claim outlives its URLs by this much: bytes that began to travel just before they expired can land.
GRACE = timedelta(seconds=60)
# Bytes read at once while checking what arrived: a video is never held whole in memory.
CHUNK = 1024 * 1024
POSTER_MAX_BYTES = 256 * 1024
_ID = re.compile(rf"({SLUG_PATTERN[1:-1]})\.([0-9a-f]{{64}})\.([0-9a-f]{{32}})")
_STAGED = re.compile(rf"{STAGING_PREFIX}({SLUG_PATTERN[1:-1]})/([0-9a-f-]{{36}})/([0-9a-f]{{64}})\.([0-9a-f]{{32}})")


@dataclass(frozen=True)
class StartRequest:
    """A file a guest's page announces (uploads/payload.py): its exact size and SHA-256, and its type."""

    event: str
    upload_key: str
    guest_name: str
    device: str
    size: int
    sha256: str
    content_type: str


@dataclass(frozen=True)
class Started:
    """A slot is held: the bytes go to `targets` before `upload.expires_at`."""

    upload: PendingUpload
    targets: Targets
    count: int
    limit: int

    @property
    def remaining(self) -> int:
        return max(self.limit - self.count, 0)


@dataclass(frozen=True)
class Waiting:
    """A started upload still waiting for its bytes: what arrived, and fresh targets for the rest."""

    upload: PendingUpload
    targets: Targets
    received: list[int]


@dataclass(frozen=True)
class Processing:
    """Every byte of a started upload arrived and is joined, too many to check within this request: the
    staging store's own event (S3's ObjectCreated, uploads/direct.py `complete_arrived`) completes it."""

    upload: PendingUpload


def is_video(content_type: str) -> bool:
    return content_type in VIDEO_TYPES


def parse_upload_id(upload_id: str) -> tuple[str, str, str]:
    """The event, fingerprint and token an upload id (PendingUpload.upload_id) names."""
    found = _ID.fullmatch(upload_id)
    if not found:
        raise UnknownUpload()
    event, fingerprint, token = found.groups()
    return event, fingerprint, token


def parse_staging_key(key: str) -> tuple[str, str, str, str] | None:
    """The event, device, fingerprint and token a staged object's key (PendingUpload.staging_key) names."""
    found = _STAGED.fullmatch(key)
    if not found:
        return None
    event, device, fingerprint, token = found.groups()
    return event, device, fingerprint, token


def pending_upload(claim: Claim) -> PendingUpload:
    """The direct upload a claim holds; its type is the one announced, kept as its key's extension."""
    content_type = _ANNOUNCED.get(claim.key.rpartition(".")[2], "application/octet-stream")
    # The URLs expire GRACE before the claim, so bytes sent in time can still land.
    return PendingUpload(
        claim.event, claim.device, claim.fingerprint, claim.token, claim.size, content_type, claim.deadline - GRACE
    )


class DirectUploads:
    def __init__(
        self,
        uploader: Uploader,
        staging: StagingStore,
        *,
        lifetime: timedelta,
        max_photo_bytes: int,
        finish_inline_up_to: int | None = None,
    ):
        self.uploader = uploader
        self.staging = staging
        # How long the URLs a start hands out are valid.
        self.lifetime = lifetime
        self.max_photo_bytes = max_photo_bytes
        # The largest upload a completion request checks and stores itself; a larger one is only joined
        # and answered Processing, for the staging store's event to finish. None: every one (locally).
        self.finish_inline_up_to = finish_inline_up_to

    # --- start, status ---------------------------------------------------------------------
    def start(self, request: StartRequest, client: str = "") -> Started | UploadResult:
        """`client` is the address the request came from, for the rate limit."""
        policy, now = self.uploader.admit(request.event, request.upload_key, request.device, client)
        self._check_size(policy, request.content_type, request.size)
        # Its expired uploads give their slots back before it asks for one.
        self.expire(request.event, request.device)
        claim = Claim(
            request.event,
            request.device,
            request.sha256,
            now,
            token=uuid.uuid4().hex,
            key=storage_key(request.event, request.guest_name, now, CONTENT_TYPES[request.content_type]),
            guest_name=request.guest_name,
            size=request.size,
            expires_at=now + self.lifetime + GRACE,
        )
        reservation = self.uploader.reserve(claim, policy.limits, self._describe)
        if reservation.stored_key:
            return UploadResult(reservation.count, reservation.limit, reservation.stored_key, duplicate=True)
        # The claim just made, or the one this device's earlier start holds for the same bytes.
        upload = pending_upload(reservation.claim)
        try:
            targets = self.staging.targets(upload)
        except Exception:
            log.exception("no targets for %s", upload.upload_id)
            if reservation.claim is claim:
                self.uploader.release_quietly(claim)
            raise StorageUnavailable() from None
        return Started(upload, targets, reservation.count, reservation.limit)

    def _check_size(self, policy: EventPolicy, content_type: str, size: int) -> None:
        if is_video(content_type):
            if not policy.allow_videos:
                raise VideosNotAllowed()
            if size > policy.max_video_bytes:
                raise TooLarge(f"Videos can be up to {policy.max_video_bytes // MB} MB at this event.")
        elif size > self.max_photo_bytes:
            raise TooLarge(f"Photos can be up to {self.max_photo_bytes // MB} MB.")

    def status(self, upload_id: str, upload_key: str, device: str) -> Waiting | Processing | UploadResult:
        policy, claim, stored_key = self._find(upload_id, upload_key, device)
        if stored_key:
            return self._result(policy, claim, stored_key, duplicate=True)
        upload = pending_upload(claim)
        received = self.staging.received(upload)
        if self._deferred(upload) and len(received) == _part_count(upload, self.staging.part_size):
            # Every byte is there: joined now if the page's completion was lost, so the event comes.
            return self._assembled(upload, None)
        return Waiting(upload, self.staging.targets(upload), received)

    def _find(self, upload_id: str, upload_key: str, device: str) -> tuple[EventPolicy, Claim, str | None]:
        """The upload's event policy (the key authorises), its claim and stored key; UnknownUpload when
        it is not this device's, expired or was given up."""
        event, fingerprint, token = parse_upload_id(upload_id)
        policy = self.uploader.authorised_policy(event, upload_key)
        found = self.uploader.quota.lookup(event, device, fingerprint)
        if found is None or found[0].token != token or found[0].expires_at is None:
            raise UnknownUpload()
        claim, stored_key = found
        if not stored_key and claim.deadline <= self.uploader.clock():
            raise UnknownUpload()
        return policy, claim, stored_key

    def _result(self, policy: EventPolicy, claim: Claim, key: str, duplicate: bool = False) -> UploadResult:
        usage = self.uploader.quota.usage(claim.event, claim.device)
        return UploadResult(usage.count, usage.limit(policy.limit), key, duplicate=duplicate)

    # --- complete ----------------------------------------------------------------------------
    def complete(
        self, upload_id: str, upload_key: str, device: str, etags: dict[int, str] | None, poster: bytes | None = None
    ) -> UploadResult | Processing:
        """The page says every byte was sent (`etags`: its parts', by number, for a multipart upload).
        Processing: too large to check here, the staging store's event completes it (`status` tells)."""
        policy, claim, stored_key = self._find(upload_id, upload_key, device)
        if stored_key:
            return self._result(policy, claim, stored_key, duplicate=True)
        upload = pending_upload(claim)
        result = self._assembled(upload, etags) if self._deferred(upload) else self._finish(policy, claim, etags)
        if poster and is_video(upload.content_type):
            self._store_poster(claim, poster)
        return result

    def _deferred(self, upload: PendingUpload) -> bool:
        return self.finish_inline_up_to is not None and upload.size > self.finish_inline_up_to

    def _assembled(self, upload: PendingUpload, etags: dict[int, str] | None) -> Processing:
        """Join the parts (missing ones raise UploadIncomplete): the whole object's arrival is the event
        that completes it. A single request's object is there already, its event sent or on its way."""
        self.staging.assemble(upload, etags)
        return Processing(upload)

    def complete_arrived(self, staging_key: str) -> UploadResult | None:
        """The staging store says an upload's bytes arrived (S3's ObjectCreated): complete it unless the
        page did first. None when nothing waits for them; raises as `complete` does (a refusal is final,
        an outage worth the event again)."""
        parsed = parse_staging_key(staging_key)
        policy = self.uploader.policies.get(parsed[0]) if parsed else None
        found = self.uploader.quota.lookup(*parsed[:3]) if parsed and policy else None
        if not (parsed and policy and found) or found[0].token != parsed[3]:
            log.info("nothing waits for %s", staging_key)
            return None
        claim, stored_key = found
        if stored_key:
            return self._result(policy, claim, stored_key, duplicate=True)
        try:
            return self._finish(policy, claim, None)
        except (WrongBytes, UnsupportedMedia):
            # A deferred completion (Processing) kept the page's poster before the video was checked.
            self._forget_poster(claim)
            raise

    def _finish(self, policy: EventPolicy, claim: Claim, etags: dict[int, str] | None) -> UploadResult:
        upload = pending_upload(claim)
        # Missing parts raise UploadIncomplete here, holding on to everything: they can still come.
        self.staging.assemble(upload, etags)
        with self.staging.open(upload) as file:
            try:
                photo = self._verified(policy, claim, upload, file)
            # A pixel bomb (TooLarge) is refused like bytes of the wrong kind: the slot and bytes go back.
            except (WrongBytes, UnsupportedMedia, TooLarge):
                self._refuse(claim, upload)
                raise
            ours = self._publish(claim, upload, file, photo)
        if ours:
            try:
                self.uploader.record_or_undo(claim, photo)
            finally:
                self._discard_quietly(upload)
        else:
            self._record_theirs(claim, photo)
            self._discard_quietly(upload)
        return self._result(policy, claim, photo.key)

    def _record_theirs(self, claim: Claim, photo: StoredPhoto) -> None:
        """Count a photo the other completer published (counting twice is harmless). Never undone here:
        it is theirs to undo, or the sweep's to complete from the staged copy, which is kept for it."""
        try:
            self.uploader.record(claim, photo)
        except Exception:
            log.exception("recording %s, published by the other completer, failed", photo.key)
            raise StorageUnavailable() from None

    def _verified(self, policy: EventPolicy, claim: Claim, upload: PendingUpload, file: BinaryIO) -> StoredPhoto:
        """What to store for the staged bytes, once they are those announced and of the kind announced;
        their location blanked in place unless the event keeps it."""
        _check_bytes(file, claim.size, claim.fingerprint)
        if is_video(upload.content_type):
            return self._video(claim, file, blank=not policy.keep_location)
        return self._photo(claim, file, strip=not policy.keep_location)

    def _photo(self, claim: Claim, file: BinaryIO, *, strip: bool) -> StoredPhoto:
        file.seek(0)
        sent = file.read(self.max_photo_bytes + 1)
        try:
            image = inspect_image(sent)
        except InvalidImage:
            raise UnsupportedMedia() from None
        # Bytes after the image's end (an archive, a page) are not the photo: never stored.
        data = sent[: image.length]
        if strip:
            data = strip_location(data, image.extension)
        if data != sent:
            file.seek(0)
            file.write(data)
            file.truncate()
        return _stored(claim, image.content_type, len(data), image.width, image.height)

    def _video(self, claim: Claim, file: BinaryIO, *, blank: bool) -> StoredPhoto:
        file.seek(0)
        video = inspect_video(file, claim.size)
        if blank:
            blank_video_location(file, claim.size)
        return _stored(claim, video.content_type, claim.size, video.width or 0, video.height or 0)

    def _publish(self, claim: Claim, upload: PendingUpload, file: BinaryIO, photo: StoredPhoto) -> bool:
        """Publish the checked bytes at the claim's key; False when the other completer (the page, or the
        bucket's event) had published these same bytes there first."""
        file.seek(0)
        try:
            self.staging.publish(upload, file, photo)
        except KeyExists:
            return False
        except StorageFull:
            log.warning("photo store full, %s refused", photo.key)
            self._refuse(claim, upload)
            raise
        except Exception:
            log.exception("publishing %s failed", photo.key)
            # The copy may have landed before the error: the key is new, so deleting it is safe.
            self.uploader.undo(claim, stored_key=photo.key)
            self._discard_quietly(upload)
            raise StorageUnavailable() from None
        return True

    def _refuse(self, claim: Claim, upload: PendingUpload) -> None:
        """Give the slot back and drop the staged bytes, unless another completer already stored them
        (a page's second complete meeting the first): then the answer is "try again", never undoing it."""
        try:
            published = self.uploader.photos.exists(claim.key)
        except Exception:
            # Undecided: the claim and its bytes stay until the sweep settles them after the expiry.
            log.exception("could not tell whether %s was published", claim.key)
            raise StorageUnavailable() from None
        if published:
            raise UploadInProgress()
        self.uploader.release_quietly(claim)
        self._discard_quietly(upload)

    def _discard_quietly(self, upload: PendingUpload) -> None:
        try:
            self.staging.discard(upload)
        except Exception:
            # Left staged: the sweep (or the bucket's lifecycle rule) removes it.
            log.exception("could not discard %s", upload.staging_key)

    def _store_poster(self, claim: Claim, poster: bytes) -> None:
        """Keep the frame the page drew as the video's poster; a bad one is only logged."""
        try:
            image = inspect_image(poster)
            if image.content_type != "image/jpeg" or len(poster) > POSTER_MAX_BYTES:
                raise InvalidImage()
            photo = _stored(claim, image.content_type, len(poster), image.width, image.height)
            self.uploader.photos.put(replace(photo, key=poster_key(claim.key)), poster)
        except Exception:
            log.warning("poster of %s ignored", claim.key, exc_info=True)

    def _forget_poster(self, claim: Claim) -> None:
        if not is_video(pending_upload(claim).content_type):
            return
        try:
            self.uploader.photos.delete(poster_key(claim.key))
        except Exception:
            log.exception("could not delete the poster of refused %s", claim.key)

    # --- expiry ------------------------------------------------------------------------------
    def expire(self, event: str, device: str | None = None) -> int:
        """Settle the event's (or one device's) direct uploads past their deadline; returns how many
        were released, their staged bytes deleted."""
        released = 0
        for held in self.uploader.quota.pending_claims(event, self.uploader.clock(), device):
            if held.expires_at and not self.settle(held):
                released += 1
        return released

    def recover(self, event: str) -> Recovered:
        """The periodic sweep (Uploader.recover), settling direct uploads here."""
        return self.uploader.recover(event, settle_direct=self.settle)

    def settle(self, held: Claim) -> bool:
        """An expired direct upload: completed if its bytes were published (True), else released; its
        staged bytes deleted either way."""
        stored = self.uploader.settle(held, self._describe, release=True)
        self.staging.discard(pending_upload(held))
        return stored

    def _describe(self, held: Claim) -> StoredPhoto:
        """What was published for a claim whose completer died before counting it: read from its staged
        copy (published as it is now), or from the photo store for a JSON upload's claim."""
        if not held.expires_at:
            return self.uploader.describe_stored(held)
        upload = pending_upload(held)
        with self.staging.open(upload) as file:
            if is_video(upload.content_type):
                return self._video(held, file, blank=False)
            return self._photo(held, file, strip=False)


def _check_bytes(file: BinaryIO, size: int, sha256: str) -> None:
    file.seek(0)
    digest, seen = hashlib.sha256(), 0
    while chunk := file.read(CHUNK):
        digest.update(chunk)
        seen += len(chunk)
        if seen > size:
            break
    if seen != size or digest.hexdigest() != sha256:
        raise WrongBytes()


def _part_count(upload: PendingUpload, part_size: int) -> int:
    """How many requests send the upload's bytes (StagingStore.targets): one, or one per part."""
    return 1 if upload.size <= part_size else -(-upload.size // part_size)


def _stored(claim: Claim, content_type: str, size: int, width: int, height: int) -> StoredPhoto:
    return StoredPhoto(
        event=claim.event,
        device=claim.device,
        guest_name=claim.guest_name,
        key=claim.key,
        content_type=content_type,
        size=size,
        width=width,
        height=height,
        sha256=claim.fingerprint,
        uploaded_at=claim.at,
    )
