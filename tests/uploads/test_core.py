import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from events.models import Photo
from events.recorder import GalleryRecorder
from events.selectors import EventPolicies
from tests.conftest import SAMPLES, jpeg_bytes
from uploads.core import Recovered, Uploader, UploadRequest
from uploads.policy import Limits
from uploads.ports import (
    CLAIM_TTL,
    Claim,
    EventClosed,
    InvalidImage,
    LimitReached,
    StorageUnavailable,
    UnknownEvent,
    WrongKey,
)
from uploads.stores.filesystem import FileSystemPhotoStore
from uploads.stores.sql import SqlQuotaStore

NOON = datetime(2026, 6, 20, 12, 0, 5, tzinfo=UTC)


class FailingPhotoStore(FileSystemPhotoStore):
    def put(self, photo, data):
        raise OSError("disk full")


class FailingRecorder:
    def record(self, photo):
        raise RuntimeError("database gone")


def make_uploader(root, **overrides) -> Uploader:
    parts: dict[str, Any] = {
        "policies": EventPolicies(),
        "quota": SqlQuotaStore(),
        "photos": FileSystemPhotoStore(root),
        "recorder": GalleryRecorder(),
        "clock": lambda: NOON,
    }
    return Uploader(**(parts | overrides))


def request_for(for_event, device, image=None, **changes) -> UploadRequest:
    fields = {
        "event": for_event.slug,
        "upload_key": for_event.upload_key,
        "guest_name": "Carla",
        "device": device,
        "image": jpeg_bytes() if image is None else image,
    }
    return UploadRequest(**(fields | changes))


def stored_files(root) -> list:
    """The originals under `root` (thumbnails live in their own tree, thumbs/)."""
    return [p for p in root.rglob("*") if p.is_file() and p.relative_to(root).parts[0] != "thumbs"]


def test_an_accepted_photo_is_stored_counted_and_recorded(wedding, device, tmp_path):
    result = make_uploader(tmp_path).upload(request_for(wedding, device))
    assert (result.count, result.limit, result.remaining, result.duplicate) == (1, 3, 2, False)
    assert re.fullmatch(r"ana-ben/Carla/20260620T120005Z_[0-9a-f]{32}\.jpg", result.key)
    assert (tmp_path / result.key).read_bytes() == jpeg_bytes()
    photo = Photo.objects.get()
    assert (photo.key, photo.guest_name, photo.device_id, photo.event) == (result.key, "Carla", device, wedding)
    assert photo.thumbnail_key == ""  # made when the gallery first shows it, not during the upload


def test_the_limit_stops_the_fourth_photo_and_stores_nothing_for_it(wedding, device, tmp_path):
    uploader = make_uploader(tmp_path)
    for seed in range(3):
        uploader.upload(request_for(wedding, device, jpeg_bytes(seed)))
    with pytest.raises(LimitReached) as raised:
        uploader.upload(request_for(wedding, device, jpeg_bytes(99)))
    assert (raised.value.count, raised.value.limit) == (3, 3)
    assert len(stored_files(tmp_path)) == 3 == Photo.objects.count()


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"upload_key": "guessed"}, WrongKey),
        ({"event": "no-such-event"}, UnknownEvent),
        ({"image": b"GIF89a not a photo"}, InvalidImage),
        ({"image": (SAMPLES / "gps-orientation6.jpg").read_bytes()[:40_000]}, InvalidImage),
    ],
    ids=["wrong-key", "unknown-event", "not-an-image", "truncated-jpeg"],
)
def test_a_refused_upload_stores_and_counts_nothing(wedding, device, tmp_path, change, error):
    uploader = make_uploader(tmp_path)
    with pytest.raises(error):
        uploader.upload(request_for(wedding, device, **change))
    assert stored_files(tmp_path) == []
    assert uploader.quota.usage(wedding.slug, device).count == 0


def test_a_closed_event_refuses_uploads(wedding, device, tmp_path):
    wedding.is_open = False
    wedding.save()
    with pytest.raises(EventClosed):
        make_uploader(tmp_path).upload(request_for(wedding, device))
    assert stored_files(tmp_path) == []


@pytest.mark.parametrize(
    ("sample", "extension", "content_type"),
    [
        ("gps-orientation6.jpg", "jpg", "image/jpeg"),
        ("plain.png", "png", "image/png"),
        ("plain.webp", "webp", "image/webp"),
        ("iphone-like.heic", "heic", "image/heic"),
    ],
)
def test_each_phone_format_is_recognised_by_its_content(wedding, device, tmp_path, sample, extension, content_type):
    result = make_uploader(tmp_path).upload(request_for(wedding, device, (SAMPLES / sample).read_bytes()))
    assert result.key.endswith(f".{extension}")
    assert Photo.objects.get().content_type == content_type


def test_a_failing_photo_store_gives_the_slot_back(wedding, device, tmp_path):
    uploader = make_uploader(tmp_path, photos=FailingPhotoStore(tmp_path))
    with pytest.raises(StorageUnavailable):
        uploader.upload(request_for(wedding, device))
    assert uploader.quota.usage(wedding.slug, device).count == 0
    assert Photo.objects.count() == 0


def test_a_failing_recorder_removes_the_file_and_gives_the_slot_back(wedding, device, tmp_path):
    uploader = make_uploader(tmp_path, recorder=FailingRecorder())
    with pytest.raises(StorageUnavailable):
        uploader.upload(request_for(wedding, device))
    assert stored_files(tmp_path) == []
    assert uploader.quota.usage(wedding.slug, device).count == 0


def test_a_retry_after_a_failure_is_accepted(wedding, device, tmp_path):
    with pytest.raises(StorageUnavailable):
        make_uploader(tmp_path, photos=FailingPhotoStore(tmp_path)).upload(request_for(wedding, device))
    assert make_uploader(tmp_path).upload(request_for(wedding, device)).count == 1


def test_the_same_photo_twice_is_stored_once_and_counted_once(wedding, device, tmp_path):
    uploader = make_uploader(tmp_path)
    first = uploader.upload(request_for(wedding, device))
    again = uploader.upload(request_for(wedding, device))
    assert (again.key, again.count, again.duplicate) == (first.key, 1, True)
    assert len(stored_files(tmp_path)) == 1


def test_the_same_photo_from_another_device_is_a_new_photo(wedding, device, tmp_path):
    uploader = make_uploader(tmp_path)
    uploader.upload(request_for(wedding, device))
    other = uploader.upload(request_for(wedding, "00000000-0000-4000-8000-000000000000"))
    assert (other.count, other.duplicate) == (1, False)


def test_event_view_reports_the_devices_own_limit(wedding, device, tmp_path):
    uploader = make_uploader(tmp_path)
    uploader.quota.set_device_limit(wedding.slug, device, 15)
    uploader.upload(request_for(wedding, device))
    view = uploader.event_view(wedding.slug, wedding.upload_key, device)
    assert (view.count, view.limit, view.remaining) == (1, 15, 14)


class UndeletablePhotoStore(FileSystemPhotoStore):
    def delete(self, key):
        raise OSError("read-only file system")


def test_the_slot_comes_back_even_when_the_half_stored_photo_cannot_be_deleted(wedding, device, tmp_path):
    uploader = make_uploader(tmp_path, photos=UndeletablePhotoStore(tmp_path), recorder=FailingRecorder())
    with pytest.raises(StorageUnavailable):
        uploader.upload(request_for(wedding, device))
    assert uploader.quota.usage(wedding.slug, device).count == 0


def test_a_sweep_settles_every_claim_it_can_when_one_cannot_be_settled(wedding, device, tmp_path):
    # GIVEN two requests that died after storing, one object of which cannot be read as a photo
    quota = SqlQuotaStore()
    for n, data in [(1, b"not a photo"), (2, jpeg_bytes(2))]:
        claim = Claim(
            wedding.slug, device, f"{n:064x}", NOON, f"t{n}", key=f"ana-ben/Carla/{n}.jpg", guest_name="Carla"
        )
        quota.reserve(claim, Limits(3, 100, 10**9))
        (tmp_path / "ana-ben/Carla").mkdir(parents=True, exist_ok=True)
        (tmp_path / claim.key).write_bytes(data)
    # WHEN the sweep runs after CLAIM_TTL
    later = NOON + CLAIM_TTL + timedelta(seconds=1)
    recovered = make_uploader(tmp_path, clock=lambda: later).recover(wedding.slug)
    # THEN the readable one is completed and recorded, the other left for the next pass
    assert recovered == Recovered(completed=1, failed=1)
    assert list(Photo.objects.values_list("key", flat=True)) == ["ana-ben/Carla/2.jpg"]
    assert [held.key for held in quota.pending_claims(wedding.slug, later)] == ["ana-ben/Carla/1.jpg"]
