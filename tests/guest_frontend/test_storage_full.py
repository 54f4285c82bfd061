"""A full disk, as the guest sees it: the photo waits on the phone with a message that says why."""

import pytest
from playwright.sync_api import expect

from events.models import Photo
from tests.conftest import SAMPLES
from tests.guest_frontend.test_guest_page import enter_name, open_guest_page, take_photo

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("photos_dir")]


def test_a_full_disk_keeps_the_photo_on_the_phone_until_the_organizer_makes_room(
    phone, live_server, transactional_db, wedding, settings
):
    settings.PHOTOS_MIN_FREE_BYTES = 2**62
    open_guest_page(phone, live_server, wedding)
    enter_name(phone)
    take_photo(phone, str(SAMPLES / "plain.webp"))
    phone.click("#upload-button")
    expect(phone.locator("#status")).to_contain_text("The event's storage is full")
    expect(phone.locator("#waiting")).to_contain_text("1 photo waiting to upload")
    assert Photo.objects.count() == 0
    # WHEN the organizer makes room THEN the waiting photo goes, counted once
    settings.PHOTOS_MIN_FREE_BYTES = 0
    phone.click("#send-now")
    expect(phone.locator("#status")).to_have_text("Uploaded! 2 left.")
    assert Photo.objects.count() == 1
