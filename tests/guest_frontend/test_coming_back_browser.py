"""The guest page notices what the organizer changed while it sat in a pocket (a raised limit, a reopened
event), and refuses a file that is no photo or video before sending anything."""

import pytest
from playwright.sync_api import expect

from events.models import Photo
from events.services import device_set_limit, event_create
from tests.conftest import SAMPLES
from tests.guest_frontend.test_guest_page import enter_name, open_guest_page, take_photo

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("photos_dir")]

# How the page is told to look again: the phone unlocked, the tab switched back to, or the guest's tap.
TRIGGERS = {
    "focus": lambda page: page.evaluate("window.dispatchEvent(new Event('focus'))"),
    "visibility": lambda page: page.evaluate("document.dispatchEvent(new Event('visibilitychange'))"),
    "check again": lambda page: page.locator(".screen:not([hidden]) .check-again").click(),
}


def settled(page):
    """No request of the page still in flight: the live server's in-memory SQLite shares one cache
    between connections, where a write meeting a read in progress fails at once (table is locked)."""
    page.wait_for_load_state("networkidle")


@pytest.fixture
def party(alice, transactional_db):
    return event_create(owner=alice, name="Party", slug="party", limit=1)


@pytest.mark.parametrize("trigger", TRIGGERS)
def test_a_limit_raised_by_the_organizer_shows_the_new_count(phone, live_server, party, trigger):
    # GIVEN a phone on the limit screen after its one photo
    open_guest_page(phone, live_server, party)
    enter_name(phone)
    take_photo(phone, str(SAMPLES / "gps-orientation6.jpg"))
    phone.click("#upload-button")
    expect(phone.locator("#screen-limit")).to_be_visible()
    # WHEN the organizer gives this phone three photos and the page looks again
    settled(phone)
    device_set_limit(event=party, device=Photo.objects.get().device_id, limit=3)
    TRIGGERS[trigger](phone)
    # THEN it shows what is left and lets the guest take more
    expect(phone.locator("#remaining")).to_have_text("2 of 3 photos left")
    expect(phone.locator("#screen-ready")).to_be_visible()


@pytest.mark.parametrize("trigger", TRIGGERS)
def test_a_reopened_event_leaves_the_closed_screen(phone, live_server, party, trigger):
    party.is_open = False
    party.save()
    open_guest_page(phone, live_server, party)
    expect(phone.locator("#screen-closed")).to_be_visible()
    settled(phone)
    party.is_open = True
    party.save()
    TRIGGERS[trigger](phone)
    expect(phone.locator("#screen-name")).to_be_visible()
    expect(phone.locator("#remaining")).to_have_text("1 of 1 photo left")


def test_nothing_changed_keeps_the_limit_screen(phone, live_server, party):
    open_guest_page(phone, live_server, party)
    enter_name(phone)
    take_photo(phone, str(SAMPLES / "gps-orientation6.jpg"))
    phone.click("#upload-button")
    expect(phone.locator("#screen-limit")).to_be_visible()
    with phone.expect_response(lambda response: "/api/events/party" in response.url):
        phone.locator("#screen-limit .check-again").click()
    expect(phone.locator("#screen-limit")).to_be_visible()
    expect(phone.locator("#remaining")).to_have_text("0 of 1 photo left")


def test_a_pdf_is_refused_in_the_page_and_nothing_is_sent(phone, live_server, party):
    open_guest_page(phone, live_server, party)
    enter_name(phone)
    sent = []
    phone.on("request", lambda request: sent.append(request.url) if "/api/upload" in request.url else None)
    pdf = {"name": "menu.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n%%EOF\n"}
    phone.set_input_files("#library-input", files=[pdf])
    expect(phone.locator("#status")).to_have_text("menu.pdf is not a photo or video this page can send.")
    expect(phone.locator("#screen-ready")).to_be_visible()
    expect(phone.locator("#queue-panel")).to_be_hidden()
    assert sent == []
    assert not Photo.objects.exists()
