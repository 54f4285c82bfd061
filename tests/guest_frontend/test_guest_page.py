"""The guest page, end to end in Debian's chromium against a live server."""

import json
import time

import pytest
from PIL import Image
from playwright.sync_api import expect

from events.models import Photo
from events.services import event_create
from tests.conftest import SAMPLES, jpeg_bytes, upload_body
from uploads.models import RateBucket
from uploads.ports import EventFull

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("photos_dir")]


@pytest.fixture
def party(alice, transactional_db):
    return event_create(owner=alice, name="Ana & Ben <3", slug="party", limit=2)


def open_guest_page(page, live_server, event):
    page.goto(live_server.url + event.guest_path())


def enter_name(page, name="Carla"):
    page.fill("#guest-name", name)
    page.click("text=Continue")


def take_photo(page, path_or_payload):
    page.set_input_files("#camera-input", path_or_payload)
    expect(page.locator("#screen-review")).to_be_visible()


def big_jpeg(tmp_path, size=(3200, 2400)):
    path = tmp_path / "big.jpg"
    Image.effect_noise(size, 60).convert("RGB").save(path, "JPEG", quality=90)
    return path


def test_a_guest_uploads_until_the_limit_and_is_told_so(phone, live_server, party, tmp_path):
    open_guest_page(phone, live_server, party)
    expect(phone.locator("#event-name")).to_have_text("Ana & Ben <3")
    enter_name(phone)
    expect(phone.locator("#remaining")).to_have_text("2 of 2 photos left")

    take_photo(phone, str(SAMPLES / "gps-orientation6.jpg"))
    phone.click("#upload-button")
    expect(phone.locator("#status")).to_have_text("Uploaded! 1 left.")
    expect(phone.locator("#remaining")).to_have_text("1 of 2 photos left")

    take_photo(phone, str(big_jpeg(tmp_path)))
    phone.click("#upload-button")
    expect(phone.locator("#screen-limit")).to_be_visible()
    expect(phone.locator("#remaining")).to_have_text("0 of 2 photos left")
    assert Photo.objects.filter(event=party, guest_name="Carla").count() == 2


def test_smaller_faster_photos_are_downscaled_and_upright_before_upload(phone, live_server, party, tmp_path):
    open_guest_page(phone, live_server, party)
    enter_name(phone)
    take_photo(phone, str(SAMPLES / "gps-orientation6.jpg"))
    phone.check("input[value=smaller]")
    phone.click("#upload-button")
    expect(phone.locator("#status")).to_contain_text("Uploaded")
    take_photo(phone, str(big_jpeg(tmp_path)))
    phone.click("#upload-button")
    expect(phone.locator("#screen-limit")).to_be_visible()
    rotated, big = Photo.objects.order_by("uploaded_at")
    # The sample is stored 1600x1200 with "rotate 90°": the browser draws it upright.
    assert (rotated.width, rotated.height) == (1200, 1600)
    assert (big.width, big.height) == (2560, 1920)
    assert big.size < big_jpeg(tmp_path).stat().st_size / 2


def test_the_name_and_device_are_remembered_across_visits(phone, live_server, party):
    open_guest_page(phone, live_server, party)
    enter_name(phone, "Dana")
    device = phone.evaluate("localStorage.getItem('photoshare_party_deviceID')")
    phone.reload()
    expect(phone.locator("#greeting-name")).to_have_text("Dana")
    assert phone.evaluate("localStorage.getItem('photoshare_party_deviceID')") == device
    assert len(device) == 36


def test_the_server_limit_wins_over_a_stale_page(phone, live_server, party, client):
    open_guest_page(phone, live_server, party)
    enter_name(phone)
    device = phone.evaluate("localStorage.getItem('photoshare_party_deviceID')")
    # GIVEN this phone spent its slots from another tab
    for seed in range(2):
        body = upload_body(party, device=device, photo=jpeg_bytes(seed))
        assert client.post("/api/upload", json.dumps(body), content_type="application/json").status_code == 200
    # WHEN the page, still showing 2 left, uploads
    take_photo(phone, str(SAMPLES / "plain.png"))
    phone.click("#upload-button")
    # THEN the server's 429 shows the limit screen
    expect(phone.locator("#screen-limit")).to_be_visible()
    expect(phone.locator("#remaining")).to_have_text("0 of 2 photos left")


def test_a_full_event_shows_the_limit_screen_with_the_servers_message_and_keeps_nothing_queued(
    phone, live_server, alice, transactional_db, client
):
    # GIVEN an event whose cap another phone has already filled
    full = event_create(owner=alice, name="Small", slug="small", limit=5, max_photos=1)
    body = upload_body(full, device="6f1c1e0a-1b8e-4d84-9d8a-2f1f3f3c0099", photo=jpeg_bytes(1))
    assert client.post("/api/upload", json.dumps(body), content_type="application/json").status_code == 200
    open_guest_page(phone, live_server, full)
    enter_name(phone)
    # WHEN this phone, with all its 5 slots, uploads
    take_photo(phone, str(SAMPLES / "plain.png"))
    phone.click("#upload-button")
    # THEN the page stops for good with the server's words, and the photo does not wait to be retried
    expect(phone.locator("#screen-limit")).to_be_visible()
    expect(phone.locator("#full-message")).to_have_text(EventFull.message)
    expect(phone.locator("#waiting")).to_be_hidden()
    assert phone.evaluate("window.PhotoQueue.waiting('small').then((items) => items.length)") == 0
    assert Photo.objects.filter(event=full).count() == 1


def test_a_photo_that_cannot_be_sent_waits_on_the_phone_and_goes_when_the_connection_is_back(phone, live_server, party):
    open_guest_page(phone, live_server, party)
    enter_name(phone)
    phone.route("**/api/uploads", lambda route: route.abort())
    take_photo(phone, str(SAMPLES / "plain.webp"))
    phone.click("#upload-button")
    expect(phone.locator("#status")).to_contain_text("No connection right now")
    expect(phone.locator("#waiting")).to_contain_text("1 photo waiting to upload")
    assert Photo.objects.count() == 0
    phone.unroute("**/api/uploads")
    phone.click("#send-now")
    expect(phone.locator("#status")).to_have_text("Uploaded! 1 left.")
    expect(phone.locator("#waiting")).to_be_hidden()
    assert Photo.objects.count() == 1


def test_a_response_lost_mid_upload_is_retried_after_a_reload_and_the_photo_arrives_once(phone, live_server, party):
    open_guest_page(phone, live_server, party)
    enter_name(phone)

    def lose_the_answer(route):
        route.fetch()  # the server stores the photo...
        route.abort()  # ...but the phone never hears back

    phone.route("**/complete", lose_the_answer)
    take_photo(phone, str(SAMPLES / "gps-orientation6.jpg"))
    phone.click("#upload-button")
    expect(phone.locator("#waiting")).to_contain_text("1 photo waiting to upload")
    phone.unroute("**/complete")
    # WHEN the guest comes back later THEN the waiting photo is sent again, and recognised
    phone.reload()
    expect(phone.locator("#status")).to_have_text("That photo was already uploaded.")
    expect(phone.locator("#waiting")).to_be_hidden()
    expect(phone.locator("#remaining")).to_have_text("1 of 2 photos left")
    assert Photo.objects.count() == 1


def test_discard_uploads_nothing(phone, live_server, party):
    open_guest_page(phone, live_server, party)
    enter_name(phone)
    take_photo(phone, str(SAMPLES / "plain.png"))
    phone.click("#discard-button")
    expect(phone.locator("#screen-ready")).to_be_visible()
    expect(phone.locator("#remaining")).to_have_text("2 of 2 photos left")
    assert Photo.objects.count() == 0


def test_save_to_phone_downloads_the_original(phone, live_server, party):
    open_guest_page(phone, live_server, party)
    enter_name(phone)
    take_photo(phone, str(SAMPLES / "plain.png"))
    with phone.expect_download() as download:
        phone.click("#save-button")
    assert download.value.suggested_filename == "plain.png"
    expect(phone.locator("#saved-note")).to_be_visible()


def test_a_wrong_key_shows_a_clear_problem(phone, live_server, party):
    phone.goto(f"{live_server.url}/guest/?event=party&key=wrong")
    expect(phone.locator("#problem-message")).to_contain_text("not valid any more")


def test_a_closed_event_says_so(phone, live_server, party):
    party.is_open = False
    party.save()
    open_guest_page(phone, live_server, party)
    expect(phone.locator("#screen-closed")).to_be_visible()


def test_a_photo_refused_by_the_rate_limit_waits_on_the_phone_and_goes_after_retry_after(phone, live_server, party):
    open_guest_page(phone, live_server, party)
    enter_name(phone)
    # GIVEN this network has just used every new-device token it had
    RateBucket.objects.create(address="127.0.0.1", uploads=1200, new_devices=0, at=time.time())
    take_photo(phone, str(SAMPLES / "plain.png"))
    phone.click("#upload-button")
    # THEN the page says why, keeps the photo, and sends it by itself once the server's wait is over
    expect(phone.locator("#status")).to_contain_text("from your network")
    expect(phone.locator("#waiting")).to_contain_text("1 photo waiting to upload")
    expect(phone.locator("#status")).to_have_text("Uploaded! 1 left.", timeout=15_000)
    expect(phone.locator("#waiting")).to_be_hidden()
    assert Photo.objects.count() == 1
