"""The guest page on the direct-upload protocol, end to end in Debian's chromium against a live server:
originals byte for byte, a large video, more files than slots, a resumed multipart upload, a stall."""

import hashlib
import io
import json
import re
import shutil
from dataclasses import replace
from urllib.parse import parse_qs, urlparse

import pytest
from PIL import Image
from playwright.sync_api import expect

from events.models import Photo
from events.services import event_create
from tests.guest_frontend.test_guest_page import enter_name, open_guest_page
from tests.samples_video import write_movie
from uploads.exif import strip_location
from uploads.naming import poster_key
from uploads.ports import UnsupportedMedia
from uploads.videos import blank_video_location

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("photos_dir")]

MB = 1024 * 1024
DATE_TAKEN = "2026:06:20 17:45:12"
EXIF_IFD, GPS_IFD, DATE_TIME_ORIGINAL = 0x8769, 0x8825, 0x9003


@pytest.fixture
def party(alice, transactional_db):
    return event_create(owner=alice, name="Party", slug="party", limit=2)


@pytest.fixture
def small_parts(settings):
    """Parts of 1 MiB (PHOTOSHARE_UPLOAD_PART_MB=1), so a few megabytes make a multipart upload (the
    5 MiB minimum is S3's alone)."""
    settings.GUEST = replace(settings.GUEST, upload_part_bytes=MB)


def camera_jpeg(path, size=(4000, 3000)):
    """A 12 MP phone photo: sensor-like noise, the date it was taken and where."""
    exif = Image.Exif()
    exif.get_ifd(EXIF_IFD)[DATE_TIME_ORIGINAL] = DATE_TAKEN
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (48.0, 51.0, 29.0), 3: "E", 4: (2.0, 17.0, 40.0)})
    Image.effect_noise(size, 24).convert("RGB").save(path, "JPEG", quality=80, exif=exif)
    return path


def stored(photos_dir, photo):
    return (photos_dir / photo.key).read_bytes()


def part_of(request):
    """The part number a PUT sends (1 for a file sent whole), or None for any other request."""
    if request.method != "PUT":
        return None
    return int(parse_qs(urlparse(request.url).query).get("part", ["1"])[0])


def choose(page, *paths):
    page.set_input_files("#library-input", [str(path) for path in paths])
    expect(page.locator("#screen-review")).to_be_visible()


def test_an_original_arrives_byte_for_byte_but_for_its_location_and_keeps_its_date(
    phone, live_server, party, photos_dir, tmp_path
):
    original = camera_jpeg(tmp_path / "IMG_0001.jpg").read_bytes()
    open_guest_page(phone, live_server, party)
    enter_name(phone)
    choose(phone, tmp_path / "IMG_0001.jpg")
    expect(phone.locator("input[value=original]")).to_be_checked()
    phone.click("#upload-button")
    expect(phone.locator("#status")).to_have_text("Uploaded! 1 left.", timeout=30_000)
    photo = Photo.objects.get()
    kept = stored(photos_dir, photo)
    assert kept == strip_location(original, "jpg") != original
    exif = Image.open(io.BytesIO(kept)).getexif()
    assert exif.get_ifd(EXIF_IFD)[DATE_TIME_ORIGINAL] == DATE_TAKEN
    assert not exif.get_ifd(GPS_IFD)
    assert (photo.width, photo.height) == (4000, 3000)


def test_smaller_faster_sends_a_downscaled_upright_copy_and_is_remembered(phone, live_server, party, tmp_path):
    camera_jpeg(tmp_path / "IMG_0002.jpg")
    open_guest_page(phone, live_server, party)
    enter_name(phone)
    choose(phone, tmp_path / "IMG_0002.jpg")
    phone.check("input[value=smaller]")
    phone.click("#upload-button")
    expect(phone.locator("#status")).to_have_text("Uploaded! 1 left.", timeout=30_000)
    photo = Photo.objects.get()
    assert (photo.width, photo.height) == (2560, 1920)
    assert photo.size < (tmp_path / "IMG_0002.jpg").stat().st_size / 2
    phone.reload()
    # As a guest would: once the page has opened the event again.
    expect(phone.locator("#screen-ready")).to_be_visible()
    choose(phone, tmp_path / "IMG_0002.jpg")
    expect(phone.locator("input[value=smaller]")).to_be_checked()


def test_a_40_mb_video_arrives_whole(phone, live_server, party, photos_dir, tmp_path):
    clip = tmp_path / "clip.mp4"
    write_movie(clip, mdat=40 * MB)
    expected = tmp_path / "expected.mp4"
    shutil.copy(clip, expected)
    with open(expected, "r+b") as file:
        assert blank_video_location(file, expected.stat().st_size) > 0
    open_guest_page(phone, live_server, party)
    enter_name(phone)
    choose(phone, clip)
    expect(phone.locator("#quality")).to_be_hidden()
    phone.click("#upload-button")
    expect(phone.locator("#status")).to_have_text("Uploaded! 1 left.", timeout=60_000)
    video = Photo.objects.get()
    assert video.content_type == "video/mp4"
    assert hashlib.sha256(stored(photos_dir, video)).digest() == hashlib.sha256(expected.read_bytes()).digest()


# Half a second of red, filmed by the browser itself (MediaRecorder), handed to the page as if chosen.
FILM_A_RED_CLIP = """async () => {
    const canvas = Object.assign(document.createElement("canvas"), { width: 320, height: 240 });
    const recorder = new MediaRecorder(canvas.captureStream(30), { mimeType: "video/webm" });
    const chunks = [];
    recorder.ondataavailable = (e) => chunks.push(e.data);
    const stopped = new Promise((resolve) => { recorder.onstop = resolve; });
    recorder.start();
    for (let frame = 0; frame < 15; frame++) {
        canvas.getContext("2d").fillStyle = "rgb(220, 40, 40)";
        canvas.getContext("2d").fillRect(0, 0, 320, 240);
        await new Promise((resolve) => setTimeout(resolve, 33));
    }
    recorder.stop();
    await stopped;
    const chosen = new DataTransfer();
    chosen.items.add(new File(chunks, "clip.webm", { type: "video/webm" }));
    const input = document.getElementById("library-input");
    input.files = chosen.files;
    input.dispatchEvent(new Event("change"));
}"""


def test_a_video_shows_its_first_frame_in_review_and_in_the_list_and_the_server_keeps_it(
    phone, live_server, party, photos_dir
):
    open_guest_page(phone, live_server, party)
    enter_name(phone)
    phone.evaluate(FILM_A_RED_CLIP)
    expect(phone.locator("#review-strip img")).to_have_attribute("src", re.compile("^data:image/jpeg;base64,"))
    phone.click("#upload-button")
    expect(phone.locator("#status")).to_have_text("Uploaded! 1 left.", timeout=30_000)
    expect(phone.locator("#queue-list img")).to_have_attribute("src", re.compile("^data:image/jpeg;base64,"))
    video = Photo.objects.get()
    assert video.content_type == "video/webm"
    poster = Image.open(photos_dir / poster_key(video.key))
    assert poster.size == (320, 240)
    red, green, blue = poster.convert("RGB").getpixel((160, 120))
    assert red > 180 and green < 90 and blue < 90


def test_three_photos_chosen_with_two_slots_left_two_go_and_the_page_says_why(phone, live_server, party, tmp_path):
    paths = []
    for n in range(3):
        paths.append(tmp_path / f"photo-{n}.jpg")
        Image.new("RGB", (64, 48), (n * 80, 10, 10)).save(paths[-1], "JPEG")
    open_guest_page(phone, live_server, party)
    enter_name(phone)
    choose(phone, *paths)
    expect(phone.locator("#review-note")).to_have_text("2 of your 3 photos will be uploaded: you have 2 left.")
    expect(phone.locator("#review-strip li")).to_have_count(2)
    phone.click("#upload-button")
    expect(phone.locator("#screen-limit")).to_be_visible(timeout=30_000)
    expect(phone.locator("#progress-text")).to_have_text("2 of 2 done · 100%")
    assert Photo.objects.count() == 2


def test_chosen_files_survive_a_reload_before_they_are_uploaded(phone, live_server, party, tmp_path):
    paths = [tmp_path / "a.jpg", tmp_path / "b.png"]
    Image.new("RGB", (64, 48), "red").save(paths[0], "JPEG")
    Image.new("RGB", (64, 48), "blue").save(paths[1], "PNG")
    open_guest_page(phone, live_server, party)
    enter_name(phone)
    choose(phone, *paths)
    phone.reload()
    expect(phone.locator("#review-strip li")).to_have_count(2)
    phone.click("#upload-button")
    expect(phone.locator("#screen-limit")).to_be_visible(timeout=30_000)
    assert Photo.objects.count() == 2


def test_a_file_that_keeps_failing_does_not_hold_back_the_ones_behind_it(phone, live_server, party, tmp_path):
    stuck, fine = tmp_path / "stuck.jpg", tmp_path / "fine.jpg"
    Image.new("RGB", (64, 48), "red").save(stuck, "JPEG")
    Image.new("RGB", (64, 48), "blue").save(fine, "JPEG")
    stuck_sha256 = hashlib.sha256(stuck.read_bytes()).hexdigest()

    def refuse_the_stuck_one(route):
        if json.loads(route.request.post_data or "{}").get("sha256") == stuck_sha256:
            route.abort()
        else:
            route.continue_()

    open_guest_page(phone, live_server, party)
    enter_name(phone)
    phone.route("**/api/uploads", refuse_the_stuck_one)
    choose(phone, stuck, fine)
    phone.click("#upload-button")
    expect(phone.locator("#status")).to_have_text("Uploaded! 1 left.", timeout=30_000)
    # THEN the one behind went, and the stuck one is still on the phone, to be tried again
    expect(phone.locator("#queue-list li").first).not_to_contain_text("Uploaded")
    assert phone.evaluate("window.PhotoQueue.waiting('party').then((items) => items.length)") == 1
    assert Photo.objects.get().size == fine.stat().st_size


def test_a_multipart_upload_cut_after_two_parts_sends_only_the_rest_after_a_reload(
    phone, live_server, party, photos_dir, tmp_path, small_parts
):
    # GIVEN a 5-part original whose third part never gets through before the tab reloads
    path = tmp_path / "IMG_0003.jpg"
    Image.effect_noise((2600, 1950), 80).convert("RGB").save(path, "JPEG", quality=95)
    assert 4 * MB < path.stat().st_size <= 5 * MB
    open_guest_page(phone, live_server, party)
    enter_name(phone)
    choose(phone, path)
    held = []

    def cut_at_part_3(route):
        if part_of(route.request) == 3 and not held:
            held.append(route)  # never answered: the tab reloads first
        else:
            route.continue_()

    phone.route("**/data?*", cut_at_part_3)
    with phone.expect_request(lambda request: part_of(request) == 3, timeout=30_000):
        phone.click("#upload-button")
    # WHEN the page comes back
    sent = []
    phone.on("request", lambda request: sent.append(part_of(request)))
    phone.reload()
    # THEN it asks which parts arrived and sends parts 3 to 5 only
    expect(phone.locator("#status")).to_have_text("Uploaded! 1 left.", timeout=30_000)
    assert [part for part in sent if part] == [3, 4, 5]
    assert stored(photos_dir, Photo.objects.get()) == strip_location(path.read_bytes(), "jpg")


def test_parts_the_server_says_are_missing_are_sent_again(phone, live_server, party, tmp_path, small_parts):
    path = tmp_path / "IMG_0005.jpg"
    Image.effect_noise((1600, 1200), 80).convert("RGB").save(path, "JPEG", quality=95)
    assert MB < path.stat().st_size <= 2 * MB
    puts = []

    def lose_part_2_once(route):
        puts.append(part_of(route.request))
        if puts.count(2) == 1 and part_of(route.request) == 2:
            route.fulfill(status=200, headers={"ETag": '"0123"'}, json={})  # the phone thinks it arrived
        else:
            route.continue_()

    open_guest_page(phone, live_server, party)
    enter_name(phone)
    choose(phone, path)
    phone.route("**/data?*", lose_part_2_once)
    phone.click("#upload-button")
    # THEN completing answers 409 incomplete naming part 2, which goes again
    expect(phone.locator("#status")).to_have_text("Uploaded! 1 left.", timeout=30_000)
    assert puts == [1, 2, 2]
    assert Photo.objects.count() == 1


def test_an_upload_the_server_no_longer_knows_starts_again(phone, live_server, party, tmp_path, small_parts):
    path = tmp_path / "IMG_0006.jpg"
    Image.effect_noise((1600, 1200), 80).convert("RGB").save(path, "JPEG", quality=95)
    open_guest_page(phone, live_server, party)
    enter_name(phone)
    choose(phone, path)
    held = []
    # The first part never arrives: the tab reloads first.
    phone.route("**/data?*", lambda route: held.append(route) if not held else route.continue_())
    with phone.expect_request(lambda request: part_of(request) == 1, timeout=30_000):
        phone.click("#upload-button")
    forgotten = {"status": "unknown_upload", "message": "This upload is not known."}
    phone.route("**/api/uploads/*?*", lambda route: route.fulfill(status=404, json=forgotten))
    starts = []
    phone.on("request", lambda request: starts.append(request.url) if request.url.endswith("/api/uploads") else None)
    phone.reload()
    expect(phone.locator("#status")).to_have_text("Uploaded! 1 left.", timeout=30_000)
    assert len(starts) == 1
    assert Photo.objects.count() == 1


def test_a_file_that_is_not_what_it_claims_leaves_the_queue_with_a_plain_message(phone, live_server, party, tmp_path):
    fake = tmp_path / "holiday.mp4"
    Image.new("RGB", (64, 48), "red").save(fake, "JPEG")
    open_guest_page(phone, live_server, party)
    enter_name(phone)
    choose(phone, fake)
    phone.click("#upload-button")
    expect(phone.locator("#status")).to_have_text(UnsupportedMedia.message, timeout=30_000)
    expect(phone.locator("#queue-list li")).to_contain_text(UnsupportedMedia.message)
    expect(phone.locator("#waiting")).to_be_hidden()
    assert phone.evaluate("window.PhotoQueue.waiting('party').then((items) => items.length)") == 0
    assert Photo.objects.count() == 0
    expect(phone.locator("#remaining")).to_have_text("2 of 2 photos left")


def test_a_stalled_part_is_aborted_and_sent_again(phone, live_server, party, tmp_path):
    path = tmp_path / "IMG_0004.jpg"
    Image.new("RGB", (640, 480), (200, 30, 30)).save(path, "JPEG")
    attempts = []

    def stall_the_first(route):
        attempts.append(part_of(route.request))
        if len(attempts) > 1:
            route.continue_()  # the first is left hanging: no byte of an answer ever comes

    phone.goto(live_server.url + party.guest_path() + "&stall=2")
    enter_name(phone)
    choose(phone, path)
    phone.route("**/data?*", stall_the_first)
    phone.click("#upload-button")
    expect(phone.locator("#status")).to_have_text("Uploaded! 1 left.", timeout=30_000)
    assert attempts == [1, 1]
    assert Photo.objects.count() == 1


def test_files_the_event_would_refuse_are_refused_in_the_page_before_a_byte_is_sent(
    phone, live_server, party, tmp_path
):
    clip = tmp_path / "clip.mp4"
    write_movie(clip, mdat=3 * MB)
    sent = []
    phone.on("request", lambda request: sent.append(request.url) if "/api/uploads" in request.url else None)

    def event_says(**changes):
        def answer(route):
            response = route.fetch()
            route.fulfill(response=response, json=json.loads(response.text()) | changes)

        phone.route("**/api/events/*", answer)
        open_guest_page(phone, live_server, party)

    event_says(maxVideoBytes=2 * MB)
    enter_name(phone)
    phone.set_input_files("#library-input", str(clip))
    expect(phone.locator("#status")).to_have_text("clip.mp4 is too large. Videos can be up to 2 MB at this event.")
    event_says(allowVideos=False)
    expect(phone.locator("#screen-ready")).to_be_visible()
    phone.set_input_files("#library-input", str(clip))
    expect(phone.locator("#status")).to_have_text("This event takes photos only, not videos.")
    event_says(maxPhotoBytes=MB)
    expect(phone.locator("#screen-ready")).to_be_visible()
    big = tmp_path / "big.jpg"
    Image.effect_noise((1600, 1200), 80).convert("RGB").save(big, "JPEG", quality=95)
    phone.set_input_files("#library-input", str(big))
    expect(phone.locator("#status")).to_have_text("big.jpg is too large. Photos can be up to 1 MB at this event.")
    assert sent == []
