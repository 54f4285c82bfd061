"""Videos in the dashboard: the gallery's tile (the poster's thumbnail, or a placeholder, with a play
mark), the photo page's player served with HTTP Range requests locally and presigned on AWS, the exact
bytes in downloads, and the poster going with its video."""

import io
import urllib.request
import zipfile
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from events.models import Photo
from events.recorder import GalleryRecorder
from events.s3_events import index_new_photos
from events.services import photo_delete
from events.thumbnails import poster_video_key
from photoshare_site import wiring
from tests.aws import moto_endpoint
from tests.conftest import jpeg_bytes
from tests.uploads.contract_photos import stored_photo
from uploads.aws import clients
from uploads.naming import poster_key

KEY = "ana-ben/Carla/20260620T120000Z_1.mp4"
# Not a playable video: the dashboard never decodes one, it serves the bytes as they are.
DATA = bytes(range(256)) * 40
SIZE = len(DATA)


def store_video(key: str = KEY, data: bytes = DATA) -> Photo:
    stored = stored_photo(key, content_type="video/mp4", size=len(data), width=0, height=0)
    wiring.photo_store().put(stored, data)
    GalleryRecorder().record(stored)
    return Photo.objects.get(key=key)


def store_poster(video_key: str = KEY) -> None:
    poster = stored_photo(poster_key(video_key), content_type="image/jpeg")
    wiring.photo_store().put(poster, jpeg_bytes(size=(320, 180)))


def play(client, video: Photo, range_header: str | None = None, **headers):
    if range_header is not None:
        headers["Range"] = range_header
    return client.get(reverse("photo-video", args=[video.event.slug, video.pk]), headers=headers)


def body(response) -> bytes:
    return b"".join(response.streaming_content)


@pytest.fixture
def video(photos_dir, wedding) -> Photo:
    return store_video()


@pytest.fixture
def organizer(client, alice):
    client.force_login(alice)
    return client


def test_the_photo_page_plays_the_video_from_its_own_route(organizer, video):
    page = organizer.get(reverse("photo-detail", args=[video.event.slug, video.pk])).content.decode()
    src = reverse("photo-video", args=[video.event.slug, video.pk])
    assert f'<video controls preload="metadata" src="{src}"' in page
    assert "<h1>Video by Carla Ruiz 🎉</h1>" in page


def test_without_a_range_the_whole_video_says_it_accepts_ranges(organizer, video):
    response = play(organizer, video)
    assert response.status_code == 200 and body(response) == DATA
    assert (response["Accept-Ranges"], response["Content-Type"]) == ("bytes", "video/mp4")
    assert response["Content-Disposition"].startswith("inline")


@pytest.mark.parametrize(
    ("asked", "first", "last"),
    [
        ("bytes=0-99", 0, 99),
        ("bytes=-500", SIZE - 500, SIZE - 1),  # a suffix: the last 500 bytes
        ("bytes=10000-", 10000, SIZE - 1),  # open-ended
        ("bytes=10000-99999", 10000, SIZE - 1),  # past the end: up to the end
        ("bytes=-99999", 0, SIZE - 1),  # a suffix longer than the file: all of it
        ("bytes=5-5", 5, 5),
    ],
)
def test_a_range_is_answered_with_exactly_those_bytes(organizer, video, asked, first, last):
    response = play(organizer, video, asked)
    assert response.status_code == 206
    assert body(response) == DATA[first : last + 1]
    assert response["Content-Range"] == f"bytes {first}-{last}/{SIZE}"
    assert response["Content-Length"] == str(last - first + 1)
    assert (response["Accept-Ranges"], response["Content-Type"]) == ("bytes", "video/mp4")


@pytest.mark.parametrize("asked", [f"bytes={SIZE}-", f"bytes={SIZE + 10}-{SIZE + 20}", "bytes=-0"])
def test_a_range_past_the_end_is_416_with_the_size(organizer, video, asked):
    response = play(organizer, video, asked)
    assert response.status_code == 416
    assert response["Content-Range"] == f"bytes */{SIZE}"


@pytest.mark.parametrize("asked", ["bytes=0-9,20-29", "bytes=50-10", "bytes=abc", "items=0-9", "bytes=-"])
def test_several_ranges_or_a_malformed_one_get_the_whole_video(organizer, video, asked):
    response = play(organizer, video, asked)
    assert response.status_code == 200 and body(response) == DATA


def test_if_range_gets_the_whole_video_as_nothing_here_validates_it(organizer, video):
    response = play(organizer, video, "bytes=0-99", **{"If-Range": '"some-etag"'})
    assert response.status_code == 200 and body(response) == DATA


def test_download_original_gives_the_exact_bytes_and_resumes_with_a_range(organizer, video):
    url = reverse("photo-original", args=[video.event.slug, video.pk])
    whole = organizer.get(url)
    assert whole.status_code == 200 and body(whole) == DATA
    assert whole["Content-Disposition"].startswith("attachment")
    rest = organizer.get(url, headers={"Range": "bytes=4096-"})
    assert rest.status_code == 206 and body(rest) == DATA[4096:]
    assert rest["Content-Disposition"] == whole["Content-Disposition"]


def test_the_zip_holds_the_exact_bytes_of_the_video(organizer, video):
    response = organizer.get(reverse("download-all", args=[video.event.slug]))
    with zipfile.ZipFile(io.BytesIO(body(response))) as archive:
        assert archive.read(video.zip_name()) == DATA


@pytest.mark.parametrize("route", ["photo-video", "photo-original", "photo-detail"])
def test_another_organizer_gets_404(client, bob, video, route):
    client.force_login(bob)
    response = client.get(reverse(route, args=[video.event.slug, video.pk]), headers={"Range": "bytes=0-99"})
    assert response.status_code == 404


def test_an_anonymous_visitor_is_sent_to_log_in(client, video):
    response = play(client, video, "bytes=0-99")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_video_without_a_poster_has_a_placeholder_tile_with_a_play_mark(organizer, video):
    page = organizer.get(reverse("gallery", args=[video.event.slug])).content.decode()
    assert '<span class="no-thumb video-placeholder">Video by Carla Ruiz 🎉</span>' in page
    assert 'class="play-mark"' in page
    assert reverse("photo-thumbnail", args=[video.event.slug, video.pk]) not in page


def test_a_video_with_a_poster_shows_its_thumbnail_with_a_play_mark(organizer, video):
    store_poster()
    page = organizer.get(reverse("gallery", args=[video.event.slug])).content.decode()
    thumbnail = reverse("photo-thumbnail", args=[video.event.slug, video.pk])
    assert f'<img src="{thumbnail}" alt="Video by Carla Ruiz 🎉"' in page
    assert 'class="play-mark"' in page and "video-placeholder" not in page
    # The thumbnail is the poster's, made through the same path as a photo's.
    response = organizer.get(thumbnail)
    assert response["Content-Type"] == "image/webp" and body(response)[8:12] == b"WEBP"
    assert Photo.objects.get(pk=video.pk).thumbnail_key == f"thumbs/{KEY}.webp"
    # The photo page shows it as the player's poster.
    page = organizer.get(reverse("photo-detail", args=[video.event.slug, video.pk])).content.decode()
    assert f'poster="{thumbnail}"' in page


def test_the_thumbnail_route_never_decodes_a_video(organizer, video):
    response = organizer.get(reverse("photo-thumbnail", args=[video.event.slug, video.pk]))
    assert response["Content-Type"] == "image/svg+xml"
    assert Photo.objects.get(pk=video.pk).thumbnail_key == ""


def test_photos_show_no_play_mark_and_no_player(organizer, uploaded, wedding):
    uploaded(1)
    assert "play-mark" not in organizer.get(reverse("gallery", args=[wedding.slug])).content.decode()
    page = organizer.get(reverse("photo-detail", args=[wedding.slug, Photo.objects.get().pk])).content.decode()
    assert "<h1>Photo by Carla</h1>" in page and "<video" not in page


def test_deleting_a_video_deletes_its_poster_and_thumbnail(organizer, video, photos_dir):
    store_poster()
    organizer.get(reverse("photo-thumbnail", args=[video.event.slug, video.pk]))
    video.refresh_from_db()
    photo_delete(photo=video, refund=True)
    assert not [path for path in photos_dir.rglob("*") if path.is_file()]


def test_a_poster_key_leads_back_to_its_video():
    assert poster_video_key(poster_key(KEY)) == KEY
    assert poster_video_key(f"thumbs/{KEY}.webp") is None
    assert poster_video_key(KEY) is None


@pytest.mark.usefixtures("aws_backend")
class TestOnAws:
    def test_the_player_gets_a_short_lived_presigned_link_to_the_video(self, organizer, wedding):
        video = store_video()
        page = organizer.get(reverse("photo-detail", args=[wedding.slug, video.pk])).content.decode()
        src = page.split('<video controls preload="metadata" src="')[1].split('"')[0].replace("&amp;", "&")
        link = urlsplit(src)
        query = parse_qs(link.query)
        assert link.netloc == "photoshare-test-photos.s3.amazonaws.com" and link.path == f"/{KEY}"
        assert int(query["X-Amz-Expires"][0]) <= 900
        assert query["response-content-type"] == ["video/mp4"]
        assert "response-content-disposition" not in query  # played in the page, not downloaded
        # The video route redirects to the same kind of link.
        assert play(organizer, video)["Location"].startswith(f"https://photoshare-test-photos.s3.amazonaws.com/{KEY}?")

    def test_the_presigned_link_answers_a_range_request_with_206(self, organizer, wedding, photo_bucket):
        video = store_video()
        link = urlsplit(wiring.photo_links().video_url(video))
        with moto_endpoint() as endpoint:
            # The signed request, sent path-style to moto's S3 over HTTP as a browser would send it.
            url = f"{endpoint}/{photo_bucket}{link.path}?{link.query}"
            request = urllib.request.Request(url, headers={"Range": "bytes=0-99"})  # noqa: S310 (a local test server)
            with urllib.request.urlopen(request) as answer:  # noqa: S310 (a local test server)
                assert answer.status == 206 and answer.read() == DATA[:100]
                assert answer.headers["Content-Range"] == f"bytes 0-99/{SIZE}"
                assert answer.headers["Content-Type"] == "video/mp4"

    def test_the_s3_trigger_indexes_a_video_without_downloading_it(self, wedding, photo_bucket, monkeypatch):
        # GIVEN a video stored by the upload path, and S3 reading of it made to fail
        store_video_in_bucket()
        client = clients.s3()
        real_get = client.get_object

        def refuse_videos(**kwargs):
            assert not kwargs["Key"].endswith(".mp4"), "a video was downloaded"
            return real_get(**kwargs)

        monkeypatch.setattr(client, "get_object", refuse_videos)
        # WHEN S3 reports it THEN it is indexed, with a placeholder until its poster comes
        assert index_new_photos(notification(photo_bucket, KEY)) == 1
        video = Photo.objects.get()
        assert (video.content_type, video.size, video.thumbnail_key) == ("video/mp4", SIZE, "")
        assert wiring.photo_links().thumbnail_url(video) is None
        # WHEN the poster arrives after the video THEN its thumbnail is made from it
        store_poster()
        assert index_new_photos(notification(photo_bucket, poster_key(KEY))) == 0
        assert Photo.objects.get().thumbnail_key == f"thumbs/{KEY}.webp"

    def test_a_poster_stored_before_its_video_is_used_when_the_video_arrives(self, wedding, photo_bucket):
        store_poster()
        assert index_new_photos(notification(photo_bucket, poster_key(KEY))) == 0
        store_video_in_bucket()
        index_new_photos(notification(photo_bucket, KEY))
        assert Photo.objects.get().thumbnail_key == f"thumbs/{KEY}.webp"


def store_video_in_bucket() -> None:
    wiring.photo_store().put(stored_photo(KEY, content_type="video/mp4", size=SIZE, width=0, height=0), DATA)


def notification(bucket: str, key: str) -> dict:
    return {"Records": [{"s3": {"bucket": {"name": bucket}, "object": {"key": key}}}]}
