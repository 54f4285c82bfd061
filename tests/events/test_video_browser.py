"""The photo page's player in Debian's chromium: the browser's own request for the video is answered
with a part (206), so it can seek. (No encoder here to make a real video: the bytes are not playable,
and whether Chromium decodes them is not what this tests.)"""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.events.test_video_playback import DATA, SIZE, store_video

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("photos_dir")]


def test_the_photo_pages_video_is_fetched_in_parts(laptop, live_server, alice, wedding, transactional_db):
    video = store_video()
    laptop.goto(live_server.url + reverse("login"))
    laptop.fill("#id_username", "alice")
    laptop.fill("#id_password", "correct horse battery")
    laptop.click("input[type=submit]")
    expect(laptop.locator("h1")).to_have_text("Your events")

    src = reverse("photo-video", args=[wedding.slug, video.pk])
    with laptop.expect_response(lambda response: response.url.endswith(src)) as first:
        laptop.goto(live_server.url + reverse("photo-detail", args=[wedding.slug, video.pk]))
    player = laptop.locator("video")
    expect(player).to_have_attribute("preload", "metadata")
    assert player.evaluate("video => video.controls")
    # Chromium's media loader asks for a range itself, and gets one.
    assert first.value.request.headers.get("range", "").startswith("bytes=")
    assert first.value.status == 206

    part = laptop.request.get(live_server.url + src, headers={"Range": "bytes=100-199"})
    assert part.status == 206 and part.body() == DATA[100:200]
    assert part.headers["content-range"] == f"bytes 100-199/{SIZE}"
