"""The bucket's ObjectCreated for a direct upload's staged bytes (under _incoming/) completes it in the
dashboard function; the core's `DirectUploads.complete_arrived` does the work (tests/uploads)."""

import json
from pathlib import Path
from urllib.parse import quote

import pytest

from events.models import Photo
from events.s3_events import index_new_photos
from photoshare_site import wiring
from uploads.core import UploadResult
from uploads.ports import QuotaUnavailable, WrongBytes

STAGED = "_incoming/ana-ben/6f1c1e0a-1b8e-4d84-9d8a-2f1f3f3c0001/" + "a" * 64 + ".tok én"


class DirectUploads:
    def __init__(self, outcome):
        self.outcome, self.arrived = outcome, []

    def complete_arrived(self, staging_key: str):
        self.arrived.append(staging_key)
        if isinstance(self.outcome, Exception):
            raise self.outcome
        return self.outcome


def notification(*keys: str) -> dict:
    # S3 sends keys URL-encoded, spaces as "+".
    return {"Records": [{"s3": {"object": {"key": quote(key).replace("%20", "+")}}} for key in keys]}


@pytest.fixture
def direct(monkeypatch, db):
    def install(outcome):
        uploads = DirectUploads(outcome)
        # raising=False: wiring.direct_uploads is the core's to add.
        monkeypatch.setattr(wiring, "direct_uploads", lambda: uploads, raising=False)
        monkeypatch.setattr(wiring, "bucket_photos", lambda: None)
        return uploads

    return install


def test_staged_bytes_arriving_complete_their_upload_and_index_nothing_yet(direct):
    uploads = direct(UploadResult(count=1, limit=10, key="ana-ben/Carla/x.mp4"))
    assert index_new_photos(notification(STAGED)) == 0
    assert uploads.arrived == [STAGED]
    assert not Photo.objects.exists()


def test_an_upload_the_page_completed_first_is_left_alone(direct):
    uploads = direct(None)
    assert index_new_photos(notification(STAGED, STAGED)) == 0
    assert uploads.arrived == [STAGED, STAGED]


def test_bytes_the_core_refused_do_not_make_lambda_retry(direct):
    uploads = direct(WrongBytes())
    assert index_new_photos(notification(STAGED)) == 0
    assert uploads.arrived == [STAGED]


def test_an_unavailable_store_raises_so_lambda_tries_the_event_again(direct):
    direct(QuotaUnavailable())
    with pytest.raises(QuotaUnavailable):
        index_new_photos(notification(STAGED))


def test_the_dashboard_hears_of_every_object_created_staged_ones_included():
    stage = json.loads((Path(__file__).resolve().parents[2] / "zappa_settings.json").read_text())["dashboard"]
    (trigger,) = [entry for entry in stage["events"] if entry["function"] == "events.s3_events.index_new_photos"]
    # No key filter: a prefix or suffix filter (`key_filters`) would have to name _incoming/ too.
    assert trigger["event_source"] == {"arn": "arn:aws:s3:::photoshare-photos", "events": ["s3:ObjectCreated:*"]}
