"""The guests' shared album: its token opens this event's shared photos only, and nothing else;
before its reveal moment it only says when; its ZIP holds the shared photos."""

import io
import zipfile
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from events import services
from events.models import Event, Photo
from events.public_url import public_base_url
from events.recorder import photo_record
from events.views import album as album_views
from photoshare_site.headers import CONTENT_SECURITY_POLICY
from photoshare_site.wiring import photo_store
from tests.conftest import SAMPLES, jpeg_bytes
from tests.uploads.contract_photos import stored_photo

pytestmark = pytest.mark.usefixtures("photos_dir")


@pytest.fixture
def album_on(wedding) -> Event:
    return services.event_share_link(event=wedding, link="album", action="on")


@pytest.fixture
def photos(uploaded, album_on) -> list[Photo]:
    """Three photos of two guests, oldest first."""
    uploaded(2, name="Carla")
    uploaded(1, name="José Ruiz", seed=20)
    return list(Photo.objects.order_by("uploaded_at", "pk"))


def album_path(event: Event) -> str:
    return reverse("album", args=[event.slug, event.album_token])


def album_urls(event: Event, photo: Photo, token: str | None = None) -> list[str]:
    """The page, every file of `photo` and the ZIP, under `token` (the event's own by default)."""
    args = [event.slug, token or event.album_token]
    files = [reverse("album-photo", args=[*args, photo.pk, which]) for which in sorted(album_views.ALBUM_FILES)]
    return [reverse("album", args=args), *files, reverse("album-download", args=args)]


def indexed_photo(event: Event, guest: str) -> Photo:
    """A photo's row only (no file): for what the pages list, not what they serve."""
    return Photo.objects.create(
        event=event, guest_name=guest, device_id="d", key=f"{event.slug}/{guest}/1.jpg", content_type="image/jpeg",
        size=1, width=1, height=1, sha256="0" * 64, uploaded_at=timezone.now(),
    )  # fmt: skip


def zip_names(response) -> list[str]:
    return sorted(zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))).namelist())


def test_the_album_is_off_by_default_and_its_link_answers_404(client, uploaded, wedding):
    uploaded(1)
    assert not wedding.album_on
    for url in album_urls(wedding, Photo.objects.get()):
        assert client.get(url).status_code == 404, url


def test_a_wrong_token_answers_404_everywhere(client, photos, album_on):
    # One character changed (to another: a token may end in "x" itself).
    wrong = album_on.album_token[:-1] + ("y" if album_on.album_token.endswith("x") else "x")
    for url in album_urls(album_on, photos[0], token=wrong):
        assert client.get(url).status_code == 404, url


def test_another_events_token_opens_nothing_of_this_one(client, alice, photos, album_on):
    other = services.event_create(owner=alice, name="Other", slug="other")
    services.event_share_link(event=other, link="album", action="on")
    for url in album_urls(album_on, photos[0], token=other.album_token):
        assert client.get(url).status_code == 404, url
    # Nor does this event's token open a photo of the other's through the other's slug.
    assert client.get(reverse("album", args=[other.slug, album_on.album_token])).status_code == 404


def test_a_photo_of_another_event_is_not_served_under_this_events_token(client, alice, photos, album_on):
    other = services.event_create(owner=alice, name="Other", slug="other")
    foreign = indexed_photo(other, "X")
    url = reverse("album-photo", args=[album_on.slug, album_on.album_token, foreign.pk, "original"])
    assert client.get(url).status_code == 404


def test_renewing_the_link_makes_the_old_one_404(client, photos, album_on):
    old = album_urls(album_on, photos[0])
    renewed = services.event_share_link(event=album_on, link="album", action="renew")
    assert all(client.get(url).status_code == 404 for url in old)
    assert client.get(reverse("album", args=[renewed.slug, renewed.album_token])).status_code == 200


def test_turning_the_album_off_makes_its_link_404_again(client, photos, album_on):
    assert client.get(album_urls(album_on, photos[0])[0]).status_code == 200
    services.event_share_link(event=album_on, link="album", action="off")
    assert all(client.get(url).status_code == 404 for url in album_urls(album_on, photos[0]))


def test_the_album_shows_the_shared_photos_newest_first_with_viewer_links(client, photos, album_on):
    page = client.get(album_path(album_on)).content.decode()
    args = [album_on.slug, album_on.album_token]
    thumbnails = [reverse("album-photo", args=[*args, p.pk, "thumbnail"]) for p in reversed(photos)]
    assert [page.index(url) for url in thumbnails] == sorted(page.index(url) for url in thumbnails)
    assert "data-viewer" in page and 'data-kind="photo"' in page and 'data-caption="José Ruiz"' in page
    assert reverse("album-photo", args=[*args, photos[2].pk, "display"]) in page
    assert f'data-download="{reverse("album-photo", args=[*args, photos[2].pk, "original"])}"' in page
    assert reverse("album-download", args=args) in page
    assert "3 photos" in page


def test_a_shared_photo_is_served_as_thumbnail_display_and_the_named_original(client, photos, album_on):
    photo = photos[2]
    url = lambda which: reverse("album-photo", args=[album_on.slug, album_on.album_token, photo.pk, which])  # noqa: E731
    assert client.get(url("thumbnail"))["Content-Type"] == "image/webp"
    assert client.get(url("display"))["Content-Type"] == "image/webp"
    original = client.get(url("original"))
    assert b"".join(original.streaming_content) == jpeg_bytes(20)
    assert "attachment" in original["Content-Disposition"]
    assert "filename*=utf-8''Jos%C3%A9-Ruiz_" in original["Content-Disposition"]
    assert client.get(url("exif")).status_code == 404


@pytest.mark.parametrize("change", [{"hidden": True}, {"approved": False}], ids=["hidden", "waiting"])
def test_a_hidden_or_waiting_photo_is_never_in_the_grid_nor_served_nor_zipped(client, photos, album_on, change):
    left_out = photos[0]
    Photo.objects.filter(pk=left_out.pk).update(changed_at=timezone.now(), **change)
    urls = album_urls(album_on, left_out)
    page = client.get(urls[0]).content.decode()
    assert f"/photos/{left_out.pk}/" not in page and f"/photos/{photos[1].pk}/" in page
    assert all(client.get(url).status_code == 404 for url in urls[1:-1])
    assert left_out.download_name() not in " ".join(zip_names(client.get(urls[-1])))


def test_download_all_is_a_streamed_zip_of_the_shared_photos_foldered_by_guest(client, photos, album_on):
    response = client.get(reverse("album-download", args=[album_on.slug, album_on.album_token]))
    assert response["Content-Disposition"] == 'attachment; filename="ana-ben-photos.zip"'
    names = zip_names(response)
    assert [n.rsplit("/", 1)[0] for n in names] == ["ana-ben/Carla", "ana-ben/Carla", "ana-ben/José-Ruiz"]


def test_before_its_reveal_the_album_says_when_and_serves_nothing(client, photos, album_on):
    services.event_update(event=album_on, album_reveal_at=timezone.now() + timedelta(hours=2))
    urls = album_urls(album_on, photos[0])
    page = client.get(urls[0]).content.decode()
    assert 'id="album-waiting"' in page and "/photos/" not in page and "download.zip" not in page
    assert all(client.get(url).status_code == 404 for url in urls[1:])


def test_after_its_reveal_the_album_shows_its_photos(client, photos, album_on):
    services.event_update(event=album_on, album_reveal_at=timezone.now() - timedelta(minutes=1))
    page = client.get(album_path(album_on)).content.decode()
    assert 'id="album-waiting"' not in page and f"/photos/{photos[0].pk}/thumbnail" in page
    assert client.get(album_urls(album_on, photos[0])[1]).status_code == 200


def test_the_reveal_moment_is_told_in_the_guests_language_and_the_sites_time_zone(client, album_on, settings):
    settings.TIME_ZONE = "Europe/Madrid"
    services.event_update(event=album_on, album_reveal_at=datetime(2036, 7, 4, 20, 30, tzinfo=UTC))
    page = client.get(album_path(album_on), headers={"accept-language": "de-DE,de;q=0.9"}).content.decode()
    assert '<html lang="de">' in page
    assert "4. Juli 2036 22:30" in page and "Europe/Madrid" in page


def test_the_events_own_language_wins_over_the_browsers(client, album_on, settings):
    services.event_update(event=album_on, language="es", album_reveal_at=datetime(2036, 7, 4, 20, 30, tzinfo=UTC))
    page = client.get(album_path(album_on), headers={"accept-language": "de"}).content.decode()
    assert '<html lang="es">' in page and "julio" in page


def test_the_guests_language_does_not_stay_behind_for_the_next_request(client, album_on):
    before = translation.get_language()
    client.get(album_path(album_on), headers={"accept-language": "de"})
    assert translation.get_language() == before


def test_the_grid_comes_a_page_at_a_time(client, photos, album_on, monkeypatch):
    monkeypatch.setattr(album_views, "PHOTOS_PER_PAGE", 2)
    first = client.get(album_path(album_on)).content.decode()
    second = client.get(album_path(album_on) + "?page=2").content.decode()
    assert first.count("data-viewer-item") == 2 and 'rel="next"' in first
    assert second.count("data-viewer-item") == 1 and 'rel="prev"' in second


def test_an_album_with_nothing_shared_says_so(client, album_on):
    page = client.get(album_path(album_on)).content.decode()
    assert "No photos yet" in page and "download.zip" not in page


def test_the_organizer_turns_the_link_on_off_and_renews_it_from_the_event_page(client, alice, wedding):
    client.force_login(alice)
    link = reverse("event-album-link", args=[wedding.slug])
    response = client.post(link, {"action": "on"})
    assert response["Location"] == reverse("event-detail", args=[wedding.slug]) + "#album"
    wedding.refresh_from_db()
    assert wedding.album_on
    page = client.get(reverse("event-detail", args=[wedding.slug])).content.decode()
    assert f'value="{public_base_url()}{album_path(wedding)}"' in page and 'data-copy="album-url"' in page
    token = wedding.album_token
    client.post(link, {"action": "renew"})
    wedding.refresh_from_db()
    assert wedding.album_on and wedding.album_token != token
    client.post(link, {"action": "off"})
    wedding.refresh_from_db()
    assert not wedding.album_on


def test_an_unknown_action_changes_nothing(client, alice, wedding):
    client.force_login(alice)
    token = wedding.album_token
    client.post(reverse("event-album-link", args=[wedding.slug]), {"action": "delete"})
    wedding.refresh_from_db()
    assert (wedding.album_on, wedding.album_token) == (False, token)


def test_the_album_runs_no_inline_script_stays_out_of_search_engines_and_keeps_its_token_home(client, album_on):
    response = client.get(album_path(album_on))
    assert response["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert response["Referrer-Policy"] == "same-origin"
    assert '<meta name="robots" content="noindex">' in response.content.decode()


def test_the_album_speaks_the_guests_language(client, photos, album_on):
    page = client.get(album_path(album_on), headers={"accept-language": "de-AT,de;q=0.9"}).content.decode()
    assert "3 Fotos" in page and "Alle herunterladen (ZIP)" in page and 'data-label-close="Schließen"' in page
    assert "Download all" not in page


def test_a_shared_video_opens_in_the_viewer_as_a_video_that_seeks(client, album_on):
    data = (SAMPLES / "android-like.mp4").read_bytes()
    stored = stored_photo("ana-ben/Carla/20260620T120000Z_1.mp4", content_type="video/mp4", size=len(data))
    photo_store().put(stored, data)
    photo_record(stored=stored)
    video = Photo.objects.get()
    page = client.get(album_path(album_on)).content.decode()
    url = reverse("album-photo", args=[album_on.slug, album_on.album_token, video.pk, "video"])
    assert f'href="{url}" data-kind="video"' in page
    part = client.get(url, headers={"range": "bytes=0-99"})
    assert (part.status_code, part["Content-Type"]) == (206, "video/mp4")
    assert b"".join(part.streaming_content) == data[:100]


def test_the_album_page_makes_as_many_queries_for_30_photos_as_for_3(client, photos, album_on):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(album_path(album_on)).status_code == 200
        return len(captured)

    few = queries()
    for n in range(27):
        indexed_photo(album_on, f"G{n}")
    assert queries() == few
