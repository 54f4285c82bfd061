"""The rate limit per client address through the guest API: the Django views (REMOTE_ADDR) and the
guest Lambda (API Gateway's sourceIp in recorded events). Small numbers (tests/uploads/contract_rates.py:
3 new device ids at once) so a flood is short; the real numbers are tests/uploads/test_ratelimit.py's."""

import json

import pytest

from events.models import Photo
from photoshare_site import wiring
from tests.conftest import jpeg_bytes, upload_body
from tests.guest_lambda import call, upload_event
from tests.uploads.contract_rates import ELSEWHERE, SMALL, VENUE, phone
from uploads import lambda_handler
from uploads.models import DeviceQuota
from uploads.ports import RateLimited

pytestmark = pytest.mark.usefixtures("photos_dir")


@pytest.fixture
def small_limits(monkeypatch):
    monkeypatch.setattr(wiring, "LIMITS", SMALL)


def post(client, wedding, n: int, address: str, device: str | None = None):
    body = upload_body(wedding, device=device or phone(n), photo=jpeg_bytes(n))
    return client.post("/api/upload", json.dumps(body), content_type="application/json", REMOTE_ADDR=address)


def test_a_flood_of_new_device_ids_from_one_address_gets_429_with_retry_after(client, wedding, small_limits):
    answers = [post(client, wedding, n, VENUE) for n in range(10)]
    assert [a.status_code for a in answers] == [200] * 3 + [429] * 7
    refused = answers[-1]
    assert refused.json() == {"status": "rate_limited", "message": RateLimited.message, "retryAfter": 2}
    assert "from your network" in RateLimited.message
    assert refused["Retry-After"] == "2"
    # Nothing was counted or stored for the refused ones.
    assert DeviceQuota.objects.count() == Photo.objects.count() == 3


# The SQL counters' behaviour on PostgreSQL is raced in test_rate_counters_sql.py; 600 uploads once are enough.
@pytest.mark.one_database
def test_200_guests_behind_one_address_uploading_3_photos_each_as_fast_as_the_server_goes_are_never_refused(
    client, wedding
):
    # GIVEN the real numbers and the venue's rush compressed into however long 600 uploads take here
    # (seconds: harder than the minute the real rush spreads over), every guest's first photo first.
    guests = range(200)
    answers = [
        post(client, wedding, 3 * guest + photo, VENUE, device=phone(guest)) for photo in range(3) for guest in guests
    ]
    # THEN no upload is refused, and each phone holds its 3 photos.
    assert [a.status_code for a in answers] == [200] * 600
    assert Photo.objects.count() == 600
    assert set(DeviceQuota.objects.values_list("count", flat=True)) == {3}


def test_another_address_is_not_affected_by_a_flood(client, wedding, small_limits):
    for n in range(5):
        post(client, wedding, n, VENUE)
    assert post(client, wedding, 5, ELSEWHERE).status_code == 200


def test_the_page_of_a_refused_device_still_opens(client, wedding, small_limits):
    # Reading the event stores nothing: a device id costs something on its first upload only.
    for n in range(5):
        post(client, wedding, n, VENUE)
    query = {"key": wedding.upload_key, "deviceId": phone(4)}
    answer = client.get(f"/api/events/{wedding.slug}", query, REMOTE_ADDR=VENUE)
    assert (answer.status_code, answer.json()["device"]["count"]) == (200, 0)


def test_a_spent_per_phone_limit_gets_no_retry_after(client, wedding):
    for seed in range(3):
        assert (
            client.post(
                "/api/upload", upload_body(wedding, device=phone(0), photo=jpeg_bytes(seed)), "application/json"
            ).status_code
            == 200
        )
    answer = client.post("/api/upload", upload_body(wedding, device=phone(0), photo=jpeg_bytes(9)), "application/json")
    assert (answer.status_code, answer.json()["status"]) == (429, "limit_reached")
    assert "Retry-After" not in answer


def test_the_guest_site_may_read_retry_after_across_origins(client, settings, wedding):
    settings.GUEST_API_CORS_ORIGINS = ["https://guests.example.org"]
    answer = client.options("/api/upload", headers={"Origin": "https://guests.example.org"})
    assert answer["Access-Control-Expose-Headers"] == "Retry-After"


@pytest.fixture
def small_lambda_limits(guest_lambda, monkeypatch):
    monkeypatch.setattr(lambda_handler, "LIMITS", SMALL)
    lambda_handler.uploader.cache_clear()
    return guest_lambda


def lambda_upload(n: int, version: str, address: str) -> tuple[int, dict, dict]:
    event = upload_event(version, image=jpeg_bytes(n), deviceId=phone(n))
    source = event["requestContext"]["http" if version == "v2" else "identity"]
    source["sourceIp"] = address
    return call(event)


@pytest.mark.parametrize("version", ["v1", "v2"])
def test_the_guest_function_refuses_a_flood_from_one_source_ip(small_lambda_limits, version):
    # The event allows 2 photos a phone: each new id uploads once, so only the rate limit refuses.
    answers = [lambda_upload(n, version, VENUE) for n in range(6)]
    assert [status for status, _, _ in answers] == [200] * 3 + [429] * 3
    _, body, headers = answers[-1]
    # A new id every 2 s refills: on a loaded machine the uploads themselves can take a second of that.
    assert (body["status"], headers["Retry-After"]) == ("rate_limited", str(body["retryAfter"]))
    assert body["retryAfter"] in (1, 2)
    # Nothing was counted for the refused ones.
    assert [small_lambda_limits.usage("ana-ben", phone(n)).count for n in range(6)] == [1, 1, 1, 0, 0, 0]
    assert lambda_upload(9, version, ELSEWHERE)[0] == 200
