"""The shared album on a phone in Debian's chromium: the grid, the viewer moved by a swipe, and one
photo downloaded under the dashboard's name for it."""

import json
import uuid

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from events import services
from events.models import Photo
from tests.browser import swipe
from tests.conftest import jpeg_bytes, upload_body

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("photos_dir")]

GUESTS = ["Carla", "José Ruiz", "Carla", "Mia"]


def photo_of(n: int) -> bytes:
    return jpeg_bytes(40 * n, size=(800, 600))


@pytest.fixture
def album(client, wedding, settings, live_server, transactional_db):
    settings.PUBLIC_BASE_URL = live_server.url
    for n, name in enumerate(GUESTS):
        body = upload_body(wedding, device=str(uuid.uuid4()), photo=photo_of(n), name=name)
        assert client.post("/api/upload", json.dumps(body), content_type="application/json").status_code == 200
    return services.event_share_link(event=wedding, link="album", action="on")


def test_a_guest_browses_the_album_swipes_through_the_viewer_and_downloads_one(phone, album, live_server, screenshot):
    errors: list[str] = []
    phone.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    phone.goto(live_server.url + reverse("album", args=[album.slug, album.album_token]))
    tiles = phone.locator(".album-grid img")
    expect(tiles).to_have_count(len(GUESTS))
    for i in range(len(GUESTS)):
        expect(tiles.nth(i)).to_have_js_property("complete", True)
        assert tiles.nth(i).evaluate("img => img.naturalWidth") > 0
    screenshot(phone, "album")

    # The newest first: Mia's. A swipe to the left shows the next one, to the right the one before.
    tiles.first.tap()
    viewer = phone.locator(".viewer")
    expect(viewer).to_be_visible()
    expect(phone.locator(".viewer-caption")).to_have_text("Mia")
    screenshot(phone, "album-viewer")
    swipe(phone, -200)
    expect(viewer).to_have_attribute("data-index", "1")
    expect(phone.locator(".viewer-caption")).to_have_text("Carla")
    swipe(phone, 200)
    expect(viewer).to_have_attribute("data-index", "0")
    swipe(phone, -200)
    swipe(phone, -200)
    expect(phone.locator(".viewer-caption")).to_have_text("José Ruiz")

    with phone.expect_download() as downloading:
        phone.locator(".viewer-download").click()
    download = downloading.value
    photo = Photo.objects.get(guest_name="José Ruiz")
    assert download.suggested_filename == photo.download_name()
    with open(download.path(), "rb") as file:
        assert file.read() == photo_of(1)
    assert not errors, errors
