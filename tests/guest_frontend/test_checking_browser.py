"""The guest page when the server checks a large file on its own (202 "processing", as the guest function
answers on AWS above its threshold): it asks the upload's status until the file is stored or refused.

The local server checks every file within the request, so a route turns its real answer to the
completion into the 202 the AWS deployment gives; the status requests reach the server unchanged."""

import json

import pytest
from playwright.sync_api import expect

from events.models import Photo
from events.services import event_create
from tests.guest_frontend.test_direct_upload_browser import choose
from tests.guest_frontend.test_guest_page import enter_name, open_guest_page
from tests.samples_video import write_movie
from uploads.ports import UnknownUpload

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("photos_dir")]


@pytest.fixture
def party(alice, transactional_db):
    return event_create(owner=alice, name="Party", slug="party", limit=2)


def answer_processing(page, *, hold_first_status: list) -> list:
    """The completion goes through to the server, but the page hears 202 "processing"; the first status
    request after it is held in `hold_first_status` (the test lets it go). Returns the starts seen."""

    def complete(route):
        route.fetch()  # the server completes (or refuses) it for real
        upload_id = route.request.url.split("/")[-2]
        body = {"status": "processing", "uploadId": upload_id, "retryAfter": 1}
        route.fulfill(status=202, headers={"Retry-After": "1"}, json=body)

    def status(route):
        if route.request.method == "GET" and not hold_first_status:
            hold_first_status.append(route)
        else:
            route.continue_()

    starts: list = []
    page.route("**/api/uploads/*/complete", complete)
    page.route("**/api/uploads/*?*", status)
    page.on("request", lambda r: starts.append(r) if r.method == "POST" and r.url.endswith("/api/uploads") else None)
    return starts


def release(page, held: list) -> None:
    """Let the held status request through once the page has sent it (a second after the 202)."""
    for _ in range(300):
        if held:
            break
        page.wait_for_timeout(100)  # Playwright runs the route handlers meanwhile
    held[0].continue_()


def test_a_video_the_server_checks_on_its_own_shows_checking_then_uploaded(phone, live_server, party, tmp_path):
    clip = tmp_path / "clip.mp4"
    write_movie(clip, mdat=200_000)
    open_guest_page(phone, live_server, party)
    enter_name(phone)
    held: list = []
    answer_processing(phone, hold_first_status=held)
    choose(phone, clip)
    phone.click("#upload-button")
    # THEN while the server checks it, the page says so, and counts it as neither done nor waiting
    expect(phone.locator("#queue-list li")).to_contain_text("Checking your video…", timeout=30_000)
    expect(phone.locator("#waiting")).to_be_hidden()
    expect(phone.locator("#progress-text")).to_have_text("0 of 1 done · 99%")
    # WHEN its status request gets through: stored
    release(phone, held)
    expect(phone.locator("#status")).to_have_text("Uploaded! 1 left.", timeout=30_000)
    expect(phone.locator("#queue-list li")).to_contain_text("Uploaded")
    expect(phone.locator("#remaining")).to_have_text("1 of 2 photos left")
    assert phone.evaluate("window.PhotoQueue.waiting('party').then((items) => items.length)") == 0
    assert Photo.objects.get().content_type == "video/mp4"


def test_a_video_refused_while_checked_leaves_with_the_servers_words_and_is_not_sent_again(
    phone, live_server, party, tmp_path
):
    fake = tmp_path / "holiday.mp4"
    fake.write_bytes(b"not a video at all" * 1000)
    open_guest_page(phone, live_server, party)
    enter_name(phone)
    held: list = []
    starts = answer_processing(phone, hold_first_status=held)
    choose(phone, fake)
    phone.click("#upload-button")
    expect(phone.locator("#queue-list li")).to_contain_text("Checking your video…", timeout=30_000)
    release(phone, held)
    # THEN the server's 404 is final: its message shown, the file off the queue, its slot back
    expect(phone.locator("#status")).to_have_text(UnknownUpload.message, timeout=30_000)
    expect(phone.locator("#queue-list li")).to_contain_text(UnknownUpload.message)
    expect(phone.locator("#remaining")).to_have_text("2 of 2 photos left")
    assert phone.evaluate("window.PhotoQueue.waiting('party').then((items) => items.length)") == 0
    assert len(starts) == 1 and not Photo.objects.exists()
    assert json.loads(starts[0].post_data)["contentType"] == "video/mp4"
