"""Direct uploads too large to check within a request (uploads/direct.py, `finish_inline_up_to`): the
completion only joins the parts and answers Processing; the staging store's event completes them."""

import pytest

from events.models import Photo
from tests.conftest import jpeg_bytes
from tests.samples_video import movie
from tests.uploads.direct_helpers import make_direct, started
from uploads.core import UploadResult
from uploads.direct import Processing, Waiting
from uploads.naming import poster_key
from uploads.ports import UnknownUpload, UploadIncomplete, WrongBytes

# The fake staging store's parts are 1 KiB: this video is 4 parts, over a 2 KiB threshold.
VIDEO = movie(mdat=3000)
THRESHOLD = 2048
POSTER = jpeg_bytes(size=(320, 180))


@pytest.fixture
def direct(tmp_path, db):
    return make_direct(tmp_path, finish_inline_up_to=THRESHOLD)


def sent(direct, event, device, data=VIDEO):
    upload = started(direct, event, device, data, "video/mp4").upload
    direct.staging.send_all(upload, data)
    return upload


def complete(direct, event, device, upload, poster=None):
    return direct.uploads.complete(upload.upload_id, event.upload_key, device, None, poster)


def status(direct, event, device, upload):
    return direct.uploads.status(upload.upload_id, event.upload_key, device)


def test_a_video_over_the_threshold_is_joined_and_answered_processing_with_nothing_counted_yet(direct, wedding, device):
    upload = sent(direct, wedding, device)
    assert complete(direct, wedding, device, upload) == Processing(upload)
    # The parts are one object now (its arrival is the event that completes it), nothing is published
    assert upload.staging_key in direct.staging.staged and not direct.staging.parts
    assert not Photo.objects.exists()
    # AND the claim still holds its slot, unfinished
    claim, stored_key = direct.quota.lookup(wedding.slug, device, upload.fingerprint)
    assert (claim.token, stored_key) == (upload.token, None)
    assert direct.quota.usage(wedding.slug, device).count == 1


def test_the_staging_stores_event_then_completes_it_and_the_status_says_so(direct, wedding, device):
    upload = sent(direct, wedding, device)
    complete(direct, wedding, device, upload, POSTER)
    assert status(direct, wedding, device, upload) == Processing(upload)
    arrived = direct.uploads.complete_arrived(upload.staging_key)
    assert arrived is not None and (arrived.count, arrived.duplicate) == (1, False)
    assert status(direct, wedding, device, upload) == UploadResult(1, 3, arrived.key, duplicate=True)
    assert Photo.objects.get().key == arrived.key
    assert direct.photos.exists(poster_key(arrived.key))
    assert direct.staging.staged == {}


def test_completing_it_again_while_it_is_checked_answers_processing_again(direct, wedding, device):
    upload = sent(direct, wedding, device)
    complete(direct, wedding, device, upload)
    assert complete(direct, wedding, device, upload) == Processing(upload)
    assert not Photo.objects.exists()


def test_completing_before_every_part_arrived_is_incomplete_and_joins_nothing(direct, wedding, device):
    upload = started(direct, wedding, device, VIDEO, "video/mp4").upload
    direct.staging.send(upload, VIDEO[:1024], 1)
    with pytest.raises(UploadIncomplete) as incomplete:
        complete(direct, wedding, device, upload)
    assert incomplete.value.missing == [2, 3, 4]
    assert isinstance(status(direct, wedding, device, upload), Waiting)
    assert direct.staging.staged == {}


def test_the_status_of_an_upload_whose_parts_all_arrived_joins_them_when_its_completion_was_lost(
    direct, wedding, device
):
    upload = sent(direct, wedding, device)
    assert status(direct, wedding, device, upload) == Processing(upload)
    assert upload.staging_key in direct.staging.staged


def test_a_video_the_event_refuses_is_unknown_to_the_page_its_slot_and_poster_given_back(direct, wedding, device):
    # GIVEN other bytes of the announced size arrived, and the page's completion kept its poster
    upload = started(direct, wedding, device, VIDEO, "video/mp4").upload
    direct.staging.send_all(upload, bytes(len(VIDEO)))
    complete(direct, wedding, device, upload, POSTER)
    claim, _ = direct.quota.lookup(wedding.slug, device, upload.fingerprint)
    assert direct.photos.exists(poster_key(claim.key))
    # WHEN the staging store's event checks them
    with pytest.raises(WrongBytes):
        direct.uploads.complete_arrived(upload.staging_key)
    # THEN the page asking hears that the file was refused or expired, and nothing is left
    with pytest.raises(UnknownUpload, match="refused"):
        status(direct, wedding, device, upload)
    assert direct.quota.usage(wedding.slug, device).count == 0
    assert not direct.photos.exists(poster_key(claim.key))
    assert direct.staging.staged == {} and not Photo.objects.exists()


def test_an_upload_at_the_threshold_is_checked_and_stored_within_the_request(tmp_path, wedding, device):
    direct = make_direct(tmp_path, finish_inline_up_to=len(VIDEO))
    upload = sent(direct, wedding, device)
    result = complete(direct, wedding, device, upload)
    assert isinstance(result, UploadResult) and result.count == 1
    assert Photo.objects.count() == 1


def test_a_single_request_upload_its_event_completed_first_is_a_duplicate(tmp_path, wedding, device):
    photo = jpeg_bytes()
    direct = make_direct(tmp_path, finish_inline_up_to=len(photo) - 1)
    upload = started(direct, wedding, device, photo).upload
    direct.staging.send_all(upload, photo)
    arrived = direct.uploads.complete_arrived(upload.staging_key)
    assert arrived is not None
    assert complete(direct, wedding, device, upload) == UploadResult(1, 3, arrived.key, duplicate=True)
