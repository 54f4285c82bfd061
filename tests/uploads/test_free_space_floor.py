"""The free-space floor of the local photo store: a disk that would go below it takes no photo, and
nothing is counted. Free space is injected (or the floor set above any real disk): no disk is filled."""

import json

import pytest
from django.urls import reverse

from events.models import Photo
from tests.conftest import jpeg_bytes, upload_body
from tests.uploads.contract_photos import stored_photo
from tests.uploads.test_core import make_uploader, request_for, stored_files
from uploads.ports import StorageFull
from uploads.stores.filesystem import FileSystemPhotoStore

FLOOR = 1_000_000
PHOTO = b"x" * 1000


def store_with_free(tmp_path, free: int) -> FileSystemPhotoStore:
    return FileSystemPhotoStore(tmp_path, min_free_bytes=FLOOR, free_bytes=lambda path: free)


def test_a_photo_that_leaves_exactly_the_floor_free_is_stored(tmp_path):
    store = store_with_free(tmp_path, FLOOR + len(PHOTO))
    store.put(stored_photo("e/g/1.jpg"), PHOTO)
    assert (tmp_path / "e/g/1.jpg").read_bytes() == PHOTO


def test_a_photo_that_would_go_one_byte_below_the_floor_is_refused_and_nothing_is_created(tmp_path):
    store = store_with_free(tmp_path, FLOOR + len(PHOTO) - 1)
    with pytest.raises(StorageFull):
        store.put(stored_photo("e/g/1.jpg"), PHOTO)
    assert list(tmp_path.iterdir()) == []


def test_the_free_space_is_read_on_the_disk_that_will_hold_the_photo(tmp_path):
    asked = []

    def free_bytes(path):
        asked.append(path)
        return 10**9

    store = FileSystemPhotoStore(tmp_path, free_bytes=free_bytes)
    store.put(stored_photo("e/g/1.jpg"), PHOTO)
    assert asked == [tmp_path / "e" / "g"]


@pytest.mark.parametrize(("free", "low"), [(2 * FLOOR - 1, True), (2 * FLOOR, False)])
def test_it_runs_low_below_twice_the_floor(tmp_path, free, low):
    assert store_with_free(tmp_path, free).running_low() is low


def test_a_full_disk_refuses_the_upload_and_counts_nothing(wedding, device, tmp_path):
    uploader = make_uploader(tmp_path, photos=store_with_free(tmp_path, FLOOR))
    with pytest.raises(StorageFull):
        uploader.upload(request_for(wedding, device))
    assert uploader.quota.usage(wedding.slug, device).count == 0
    assert stored_files(tmp_path) == [] and not Photo.objects.exists()
    # Once there is room again the same photo is new: no claim was left behind.
    uploader.photos = store_with_free(tmp_path, 10 * FLOOR)
    assert uploader.upload(request_for(wedding, device)).count == 1


def test_the_guest_gets_503_storage_full_with_a_message(client, wedding, device, photos_dir, settings):
    # Above any real disk's free space, so the real disk_usage refuses.
    settings.PHOTOS_MIN_FREE_BYTES = 2**62
    body = upload_body(wedding, device=device, photo=jpeg_bytes(1))
    response = client.post("/api/upload", json.dumps(body), content_type="application/json")
    assert response.status_code == 503
    assert response.json() == {"status": "storage_full", "message": StorageFull.message}
    assert not Photo.objects.exists()
    assert (
        client.get(f"/api/events/{wedding.slug}", {"key": wedding.upload_key, "deviceId": device}).json()["device"][
            "count"
        ]
        == 0
    )


@pytest.mark.parametrize(("floor", "warned"), [(2**62, True), (0, False)])
def test_the_event_page_warns_the_organizer_when_space_runs_low(
    client, alice, wedding, photos_dir, settings, floor, warned
):
    settings.PHOTOS_MIN_FREE_BYTES = floor
    client.force_login(alice)
    page = client.get(reverse("event-detail", args=[wedding.slug])).content.decode()
    assert ("Disk space is running low" in page) is warned
