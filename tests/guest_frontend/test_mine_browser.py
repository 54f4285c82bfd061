"""My uploads on the guest page: an upload appears with its thumbnail and state, is still listed after the
phone's storage is cleared (the list comes from the server), and the guest deletes it as the event allows."""

import pytest
from playwright.sync_api import expect

from events.models import GuestDelete, Photo
from events.services import event_create
from tests.browser import PHONE
from tests.conftest import SAMPLES
from tests.guest_frontend.test_guest_page import open_guest_page, take_photo

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("photos_dir")]

PHOTO = str(SAMPLES / "gps-orientation6.jpg")
# The page's queue (guest_frontend/queue.js) lives in this IndexedDB database.
CLEAR_QUEUE = """new Promise((done) => {
  const request = indexedDB.deleteDatabase("photoshare");
  request.onsuccess = request.onerror = request.onblocked = done;
})"""


@pytest.fixture
def party(alice, transactional_db):
    return event_create(owner=alice, name="Party", slug="party", limit=1)


def upload_one(phone, live_server, party) -> None:
    open_guest_page(phone, live_server, party)
    # By its selector, not its words: the page may speak another language.
    phone.fill("#guest-name", "Carla")
    phone.click("#name-form button[type=submit]")
    take_photo(phone, PHOTO)
    phone.click("#upload-button")
    expect(phone.locator("#screen-limit")).to_be_visible()


def tiles(phone):
    return phone.locator("#mine-list li")


def test_an_upload_is_listed_with_its_thumbnail_and_survives_cleared_storage(
    phone, live_server, party, screenshot, settings
):
    # GIVEN a photo uploaded from this phone, at an event whose album is on, served where the QR code leads
    settings.PUBLIC_BASE_URL = live_server.url
    party.album_on = True
    party.save()
    upload_one(phone, live_server, party)
    # THEN My uploads shows it, its thumbnail drawn, and links to the album
    expect(tiles(phone)).to_have_count(1)
    expect(phone.locator("#mine-list li.mine-uploaded .mine-state")).to_have_text("Uploaded")
    image = phone.locator("#mine-list img")
    expect(image).to_have_js_property("complete", True)
    assert image.evaluate("img => img.naturalWidth") > 0
    album = f"{live_server.url}/album/party/{party.album_token}/"
    expect(phone.locator("#album-link")).to_have_attribute("href", album)
    screenshot(phone, "my-uploads")
    # WHEN the phone's storage is cleared (localStorage and the queue's IndexedDB) and the page reloads
    phone.evaluate("localStorage.clear()")
    phone.evaluate(CLEAR_QUEUE)
    phone.reload()
    # THEN the server still lists it for this phone
    expect(phone.locator("#mine-list li.mine-uploaded")).to_have_count(1)


def test_the_organizer_hiding_it_shows_on_the_phone(phone, live_server, party):
    upload_one(phone, live_server, party)
    Photo.objects.update(hidden=True)
    phone.evaluate("window.dispatchEvent(new Event('focus'))")
    expect(phone.locator("#mine-list li.mine-hidden .mine-state")).to_have_text("Hidden by the organizer")


def test_deleting_it_asks_once_removes_it_and_gives_the_slot_back(phone, live_server, party, photos_dir):
    upload_one(phone, live_server, party)
    photo = Photo.objects.get()
    questions = []
    phone.on("dialog", lambda dialog: (questions.append(dialog.message), dialog.accept()))
    phone.locator("#mine-list .mine-delete").click()
    expect(tiles(phone)).to_have_count(0)
    expect(phone.locator("#mine-note")).to_have_text("Deleted. You can upload one more.")
    assert questions == ["Delete it for everyone? You get the slot back to upload another."]
    assert not Photo.objects.exists() and not (photos_dir / photo.key).exists()
    # The slot came back: the camera instead of the limit screen.
    expect(phone.locator("#screen-ready")).to_be_visible()
    expect(phone.locator("#remaining")).to_have_text("1 of 1 photo left")


def test_a_declined_question_deletes_nothing(phone, live_server, party):
    upload_one(phone, live_server, party)
    phone.on("dialog", lambda dialog: dialog.dismiss())
    phone.locator("#mine-list .mine-delete").click()
    expect(tiles(phone)).to_have_count(1)
    assert Photo.objects.exists()


def test_no_delete_button_when_the_event_allows_none(phone, live_server, party):
    party.guest_delete = GuestDelete.OFF
    party.save()
    upload_one(phone, live_server, party)
    expect(tiles(phone)).to_have_count(1)
    expect(phone.locator("#mine-list .mine-delete")).to_have_count(0)


def test_my_uploads_speaks_the_phones_language(open_page, live_server, party):
    phone = open_page(**PHONE, locale="de-DE")
    upload_one(phone, live_server, party)
    expect(phone.locator("#mine-title")).to_have_text("Meine Uploads")
    expect(phone.locator("#mine-list .mine-state")).to_have_text("Hochgeladen")
    questions = []
    phone.on("dialog", lambda dialog: (questions.append(dialog.message), dialog.dismiss()))
    phone.locator("#mine-list .mine-delete").click()
    expect(phone.locator("#mine-list .mine-delete")).to_be_enabled()
    assert questions == ["Für alle löschen? Du bekommst den Platz zurück und kannst ein anderes hochladen."]
