"""Direct uploads (uploads/direct.py): start -> send -> complete, and everything that can go wrong between."""

import io

import pytest
from PIL import Image

from events.models import Photo
from events.recorder import GalleryRecorder
from tests.conftest import SAMPLES, jpeg_bytes
from tests.samples_video import EIFFEL, movie
from tests.uploads.direct_helpers import (
    ChangedPolicies,
    make_direct,
    send_and_complete,
    start_request,
    started,
)
from uploads.core import Recovered, UploadResult
from uploads.direct import Started, Waiting, parse_staging_key
from uploads.exif import GPS_IFD_TAG
from uploads.naming import poster_key
from uploads.ports import (
    LimitReached,
    StorageUnavailable,
    TooLarge,
    UnknownUpload,
    UnsupportedMedia,
    UploadIncomplete,
    VideosNotAllowed,
    WrongBytes,
)

GPS_PHOTO = (SAMPLES / "gps-orientation6.jpg").read_bytes()


class Died(Exception):
    """The server stopped here."""


class FailingRecorder:
    def record(self, photo):
        raise RuntimeError("database gone")


@pytest.fixture
def direct(tmp_path, db):
    return make_direct(tmp_path)


def count(direct, event, device) -> int:
    return direct.quota.usage(event.slug, device).count


def test_a_started_upload_holds_a_slot_and_says_where_to_send_its_bytes(direct, wedding, device):
    result = started(direct, wedding, device, jpeg_bytes())
    assert (result.count, result.limit, result.remaining) == (1, 3, 2)
    assert result.targets.single is not None
    assert result.upload.expires_at == direct.clock.now + (result.upload.expires_at - direct.clock.now)
    assert (result.upload.expires_at - direct.clock.now).total_seconds() == 900


def test_a_photo_sent_and_completed_is_stored_without_its_location_counted_and_recorded(direct, wedding, device):
    result = send_and_complete(direct, wedding, device, GPS_PHOTO)
    assert (result.count, result.remaining, result.duplicate) == (1, 2, False)
    stored = direct.photos.read(result.key)
    assert dict(Image.open(io.BytesIO(stored)).getexif().get_ifd(GPS_IFD_TAG)) == {}
    photo = Photo.objects.get()
    assert (photo.key, photo.content_type, photo.size) == (result.key, "image/jpeg", len(stored))
    assert direct.staging.staged == {} and direct.staging.parts == {}


def test_a_photo_keeps_its_location_where_the_event_asks(tmp_path, wedding, device):
    direct = make_direct(tmp_path, policies=ChangedPolicies(keep_location=True))
    result = send_and_complete(direct, wedding, device, GPS_PHOTO)
    assert direct.photos.read(result.key) == GPS_PHOTO


def test_a_video_is_stored_with_its_location_blanked_and_recorded_as_a_video(direct, wedding, device):
    video = movie(mdat=3000)
    result = send_and_complete(direct, wedding, device, video, "video/mp4")
    assert result.key.endswith(".mp4")
    stored = direct.photos.read(result.key)
    assert EIFFEL in video and EIFFEL not in stored and len(stored) == len(video)
    assert Photo.objects.get().content_type == "video/mp4"


def test_the_same_bytes_already_stored_are_a_duplicate_that_costs_nothing(direct, wedding, device):
    first = send_and_complete(direct, wedding, device, jpeg_bytes())
    again = direct.uploads.start(start_request(wedding, device, jpeg_bytes()))
    assert again == UploadResult(1, 3, first.key, duplicate=True)


def test_the_same_bytes_started_again_resume_the_same_upload(direct, wedding, device):
    first = started(direct, wedding, device, jpeg_bytes())
    again = started(direct, wedding, device, jpeg_bytes())
    assert again.upload == first.upload
    assert again.count == 1


def test_a_start_beyond_the_devices_limit_is_refused_and_holds_nothing(direct, wedding, device):
    for seed in range(3):
        started(direct, wedding, device, jpeg_bytes(seed))
    with pytest.raises(LimitReached):
        direct.uploads.start(start_request(wedding, device, jpeg_bytes(9)))
    assert count(direct, wedding, device) == 3


def test_a_photo_larger_than_photos_may_be_is_refused_before_a_slot_is_held(direct, wedding, device):
    with pytest.raises(TooLarge, match="Photos can be up to 1 MB"):
        direct.uploads.start(start_request(wedding, device, jpeg_bytes(), size=1024 * 1024 + 1))
    assert count(direct, wedding, device) == 0


def test_a_video_larger_than_the_events_largest_is_refused_in_words(tmp_path, wedding, device):
    direct = make_direct(tmp_path, policies=ChangedPolicies(max_video_bytes=50 * 1024 * 1024))
    request = start_request(wedding, device, movie(), "video/mp4", size=50 * 1024 * 1024 + 1)
    with pytest.raises(TooLarge, match="Videos can be up to 50 MB at this event"):
        direct.uploads.start(request)


def test_a_video_is_refused_where_the_event_takes_photos_only(tmp_path, wedding, device):
    direct = make_direct(tmp_path, policies=ChangedPolicies(allow_videos=False))
    with pytest.raises(VideosNotAllowed):
        direct.uploads.start(start_request(wedding, device, movie(), "video/mp4"))
    assert count(direct, wedding, device) == 0


def refused_completion(direct, wedding, device, announced: bytes, sent: bytes, content_type="image/jpeg"):
    upload = started(direct, wedding, device, announced, content_type).upload
    direct.staging.send_all(upload, sent)
    try:
        direct.uploads.complete(upload.upload_id, wedding.upload_key, device, None)
    finally:
        # Whatever the refusal, nothing is kept or counted.
        assert count(direct, wedding, device) == 0
        assert direct.quota.event_usage(wedding.slug).photos == 0
        assert not direct.staging.holds(upload)
        assert not Photo.objects.exists()
        assert [p for p in direct.photos.root.rglob("*") if p.is_file()] == []


def test_bytes_shorter_than_announced_are_refused_and_nothing_kept(direct, wedding, device):
    with pytest.raises(WrongBytes):
        refused_completion(direct, wedding, device, jpeg_bytes(), jpeg_bytes()[:-10])


def test_bytes_of_the_right_size_but_another_checksum_are_refused_and_nothing_kept(direct, wedding, device):
    announced = jpeg_bytes()
    other = announced[:-1] + bytes([announced[-1] ^ 1])
    with pytest.raises(WrongBytes):
        refused_completion(direct, wedding, device, announced, other)


def test_bytes_in_no_known_format_are_refused_and_nothing_kept(direct, wedding, device):
    with pytest.raises(UnsupportedMedia):
        refused_completion(direct, wedding, device, b"just some text" * 10, b"just some text" * 10)


def test_a_photo_announced_as_a_video_is_refused_and_nothing_kept(direct, wedding, device):
    with pytest.raises(UnsupportedMedia):
        refused_completion(direct, wedding, device, jpeg_bytes(), jpeg_bytes(), "video/mp4")


def test_a_video_announced_as_a_photo_is_refused_and_nothing_kept(direct, wedding, device):
    with pytest.raises(UnsupportedMedia):
        refused_completion(direct, wedding, device, movie(), movie(), "image/jpeg")


def test_missing_parts_are_named_and_the_upload_completes_once_they_arrive(direct, wedding, device):
    photo = jpeg_bytes(size=(400, 300))
    upload = started(direct, wedding, device, photo).upload
    direct.staging.send(upload, photo[:1024], 1)
    with pytest.raises(UploadIncomplete) as raised:
        direct.uploads.complete(upload.upload_id, wedding.upload_key, device, {1: "etag"})
    assert raised.value.missing == list(range(2, -(-len(photo) // 1024) + 1))
    assert count(direct, wedding, device) == 1
    status = direct.uploads.status(upload.upload_id, wedding.upload_key, device)
    assert isinstance(status, Waiting) and status.received == [1]
    direct.staging.send_all(upload, photo)
    result = direct.uploads.complete(upload.upload_id, wedding.upload_key, device, None)
    assert direct.photos.read(result.key) == photo


def test_an_expired_upload_gives_its_slot_back_when_the_device_next_starts(tmp_path, wedding, device):
    direct = make_direct(tmp_path, lifetime=5)
    late = started(direct, wedding, device, jpeg_bytes(1)).upload
    direct.staging.send_all(late, jpeg_bytes(1))
    direct.clock.advance(5 + 60 + 1)
    assert started(direct, wedding, device, jpeg_bytes(2)).count == 1
    assert not direct.staging.holds(late)
    with pytest.raises(UnknownUpload):
        direct.uploads.complete(late.upload_id, wedding.upload_key, device, None)


def test_an_upload_is_not_expired_within_its_lifetime_and_grace(tmp_path, wedding, device):
    direct = make_direct(tmp_path, lifetime=5)
    upload = started(direct, wedding, device, jpeg_bytes(1)).upload
    direct.staging.send_all(upload, jpeg_bytes(1))
    direct.clock.advance(5 + 59)
    assert started(direct, wedding, device, jpeg_bytes(2)).count == 2
    completed = direct.uploads.complete(upload.upload_id, wedding.upload_key, device, None)
    assert isinstance(completed, UploadResult) and completed.count == 2


def test_the_sweep_releases_an_expired_upload_and_removes_its_bytes(tmp_path, wedding, device):
    direct = make_direct(tmp_path, lifetime=5)
    upload = started(direct, wedding, device, jpeg_bytes()).upload
    direct.staging.send_all(upload, jpeg_bytes())
    direct.clock.advance(66)
    assert direct.uploads.recover(wedding.slug) == Recovered(released=1)
    assert count(direct, wedding, device) == 0
    assert not direct.staging.holds(upload)
    assert direct.uploads.recover(wedding.slug) == Recovered()


def test_the_sweep_completes_an_expired_upload_whose_bytes_were_published(tmp_path, wedding, device):
    # GIVEN a completion that stopped after publishing (the server died before counting)
    direct = make_direct(tmp_path, lifetime=5)
    upload = started(direct, wedding, device, jpeg_bytes()).upload
    direct.staging.send_all(upload, jpeg_bytes())
    direct.staging.failures["discard"] = RuntimeError("unreachable")

    def die(claim, photo):
        raise Died()

    direct.uploads.uploader.record_or_undo = die  # type: ignore[method-assign]
    with pytest.raises(Died):
        direct.uploads.complete(upload.upload_id, wedding.upload_key, device, None)
    # WHEN the sweep runs once the upload expired
    direct.staging.failures.clear()
    direct.clock.advance(66)
    # THEN the photo is counted and recorded, and the staged bytes go
    assert direct.uploads.recover(wedding.slug) == Recovered(completed=1)
    assert Photo.objects.get().size == len(jpeg_bytes())
    assert not direct.staging.holds(upload)


def test_completing_twice_answers_the_second_as_a_duplicate(direct, wedding, device):
    upload = started(direct, wedding, device, jpeg_bytes()).upload
    direct.staging.send_all(upload, jpeg_bytes())
    first = direct.uploads.complete(upload.upload_id, wedding.upload_key, device, None)
    second = direct.uploads.complete(upload.upload_id, wedding.upload_key, device, None)
    assert second == UploadResult(1, 3, first.key, duplicate=True)
    assert Photo.objects.count() == 1


def test_the_bucket_event_and_the_page_both_complete_one_photo(direct, wedding, device):
    upload = started(direct, wedding, device, jpeg_bytes()).upload
    direct.staging.send_all(upload, jpeg_bytes())
    arrived = direct.uploads.complete_arrived(upload.staging_key)
    completed = direct.uploads.complete(upload.upload_id, wedding.upload_key, device, None)
    assert arrived is not None and completed.key == arrived.key and completed.duplicate
    assert (Photo.objects.count(), count(direct, wedding, device)) == (1, 1)


def test_a_completer_finding_the_photo_already_published_completes_the_same_photo(direct, wedding, device):
    # GIVEN the bucket's event published the bytes and has not counted them yet
    upload = started(direct, wedding, device, jpeg_bytes()).upload
    direct.staging.send_all(upload, jpeg_bytes())
    publish = direct.staging.publish

    def publish_twice(upload, file, photo):
        publish(upload, file, photo)
        file.seek(0)
        publish(upload, file, photo)  # KeyExists, as for the second of two completers

    direct.staging.publish = publish_twice
    result = direct.uploads.complete(upload.upload_id, wedding.upload_key, device, None)
    assert (result.count, result.duplicate, Photo.objects.count()) == (1, False, 1)


def test_a_completer_failing_to_count_the_others_photo_never_deletes_it(tmp_path, wedding, device):
    # GIVEN the other completer published the bytes, and counting them fails here
    direct = make_direct(tmp_path, recorder=FailingRecorder())
    upload = started(direct, wedding, device, jpeg_bytes()).upload
    direct.staging.send_all(upload, jpeg_bytes())
    publish = direct.staging.publish

    def published_by_the_other(upload, file, photo):
        publish(upload, file, photo)
        file.seek(0)
        publish(upload, file, photo)

    direct.staging.publish = published_by_the_other  # type: ignore[method-assign]
    with pytest.raises(StorageUnavailable):
        direct.uploads.complete(upload.upload_id, wedding.upload_key, device, None)
    # THEN the photo, its slot and its staged copy stay for the other completer or the sweep
    found = direct.quota.lookup(wedding.slug, device, upload.fingerprint)
    assert found is not None
    key = found[0].key
    assert direct.photos.exists(key) and count(direct, wedding, device) == 1 and direct.staging.holds(upload)
    direct.uploads.uploader.recorder = GalleryRecorder()
    direct.clock.advance(900 + 61)
    assert direct.uploads.recover(wedding.slug) == Recovered(completed=1)
    assert Photo.objects.get().key == key


def test_an_arrival_nobody_waits_for_is_ignored(direct, wedding, device):
    assert direct.uploads.complete_arrived("_incoming/ana-ben/" + device + "/" + "0" * 64 + "." + "1" * 32) is None
    assert direct.uploads.complete_arrived("ana-ben/Carla/photo.jpg") is None


def test_a_failing_publish_gives_the_slot_back_and_counts_nothing(direct, wedding, device):
    direct.staging.failures["publish"] = OSError("bucket away")
    with pytest.raises(StorageUnavailable):
        refused_completion(direct, wedding, device, jpeg_bytes(), jpeg_bytes())


def test_a_failing_record_is_undone_entirely(tmp_path, wedding, device):
    direct = make_direct(tmp_path, recorder=FailingRecorder())
    with pytest.raises(StorageUnavailable):
        refused_completion(direct, wedding, device, jpeg_bytes(), jpeg_bytes())


def test_the_status_of_a_waiting_upload_lists_what_arrived_and_fresh_targets(direct, wedding, device):
    upload = started(direct, wedding, device, jpeg_bytes()).upload
    status = direct.uploads.status(upload.upload_id, wedding.upload_key, device)
    assert isinstance(status, Waiting) and (status.received, status.upload) == ([], upload)
    direct.staging.send_all(upload, jpeg_bytes())
    direct.uploads.complete(upload.upload_id, wedding.upload_key, device, None)
    assert direct.uploads.status(upload.upload_id, wedding.upload_key, device).duplicate


@pytest.mark.parametrize("upload_id", ["nonsense", "ana-ben." + "0" * 64 + "." + "1" * 32])
def test_an_unknown_upload_id_is_unknown(direct, wedding, device, upload_id):
    with pytest.raises(UnknownUpload):
        direct.uploads.status(upload_id, wedding.upload_key, device)


def test_another_device_cannot_see_or_complete_an_upload(direct, wedding, device):
    upload = started(direct, wedding, device, jpeg_bytes()).upload
    other = "0b5b1b8e-1b8e-4d84-9d8a-2f1f3f3c0002"
    with pytest.raises(UnknownUpload):
        direct.uploads.status(upload.upload_id, wedding.upload_key, other)
    with pytest.raises(UnknownUpload):
        direct.uploads.complete(upload.upload_id, wedding.upload_key, other, None)


def test_a_videos_poster_is_kept_beside_it_and_a_bad_one_ignored(direct, wedding, device):
    poster = jpeg_bytes(size=(320, 180))
    for video, drawn in [(movie(mdat=100), poster), (movie(mdat=200), b"not a jpeg")]:
        upload = started(direct, wedding, device, video, "video/mp4").upload
        direct.staging.send_all(upload, video)
        result = direct.uploads.complete(upload.upload_id, wedding.upload_key, device, None, drawn)
        assert direct.photos.exists(poster_key(result.key)) == (drawn == poster)
    assert Photo.objects.count() == 2


def test_a_staging_key_names_its_upload(direct, wedding, device):
    upload = started(direct, wedding, device, jpeg_bytes()).upload
    assert parse_staging_key(upload.staging_key) == (wedding.slug, device, upload.fingerprint, upload.token)
    assert isinstance(direct.uploads.start(start_request(wedding, device, jpeg_bytes(3))), Started)
