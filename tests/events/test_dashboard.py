import io
import json
import zipfile
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from bench.p4_gallery import add_photos
from events.models import Event, Photo
from events.qr import qr_matrix
from photoshare_site.wiring import quota_store
from tests.conftest import SAMPLES, jpeg_bytes, upload_body


@pytest.fixture
def organizer(client, alice):
    client.force_login(alice)
    return client


def post_photo(client, event, device, seed=50):
    body = upload_body(event, device=device, photo=jpeg_bytes(seed))
    return client.post("/api/upload", json.dumps(body), content_type="application/json")


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def test_an_organizer_sees_only_their_own_events(organizer, wedding, bob):
    Event.objects.create(owner=bob, name="Bob's party", slug="bobs-party")
    response = organizer.get(reverse("event-list"))
    assert [event.name for event in response.context["events"]] == ["Ana & Ben"]
    assert "Bob&#x27;s party" not in response.content.decode()


def test_creating_an_event_from_the_form(organizer):
    response = organizer.post(
        reverse("event-create"), {"name": "Summer <b>Party</b>", "upload_limit": 15, "is_open": "on"}, follow=True
    )
    event = Event.objects.get()
    assert (event.slug, event.upload_limit, event.is_open) == ("summer-bpartyb", 15, True)
    assert "Print its QR code" in messages_of(response)[0]
    assert "Summer &lt;b&gt;Party&lt;/b&gt;" in response.content.decode()


def test_the_choices_made_when_creating_an_event_are_kept(organizer):
    # An event created to approve photos first must not show them on the wall at once.
    organizer.post(
        reverse("event-create"),
        {
            "name": "Party",
            "date": "2030-06-20",
            "retention_days": 30,
            "upload_limit": 5,
            "is_open": "on",
            "moderation": "approve_first",
            "guest_delete": "keep_slot",
            "language": "de",
            "album_reveal_at": "2030-06-20T18:00",
        },
    )
    event = Event.objects.get()
    assert (event.moderation, event.guest_delete, event.language) == ("approve_first", "keep_slot", "de")
    assert (event.album_reveal_at.year, event.wall_captions) == (2030, False)
    assert event.retention_days == 30


def test_a_closing_time_in_the_past_refuses_uploads(organizer, client, wedding, device, photos_dir):
    past = (timezone.localtime() - timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M")
    organizer.post(
        reverse("event-edit", args=[wedding.slug]),
        {"name": wedding.name, "upload_limit": 3, "is_open": "on", "closes_at": past},
    )
    assert post_photo(client, wedding, device).json()["status"] == "event_closed"
    info = client.get(f"/api/events/{wedding.slug}", {"key": wedding.upload_key}).json()
    assert info["open"] is False


def test_closing_and_reopening_uploads(organizer, wedding):
    organizer.post(reverse("event-toggle-open", args=[wedding.slug]))
    wedding.refresh_from_db()
    assert not wedding.is_open


def test_rotating_the_key_asks_first_then_changes_it(organizer, wedding):
    old = wedding.upload_key
    assert "stops working" in organizer.get(reverse("event-rotate-key", args=[wedding.slug])).content.decode()
    wedding.refresh_from_db()
    assert wedding.upload_key == old
    organizer.post(reverse("event-rotate-key", args=[wedding.slug]))
    wedding.refresh_from_db()
    assert wedding.upload_key != old


def test_the_qr_png_encodes_the_guest_url(organizer, wedding):
    response = organizer.get(reverse("event-qr-png", args=[wedding.slug]), {"download": "1"})
    assert response["Content-Type"] == "image/png" and "attachment" in response["Content-Disposition"]
    image = Image.open(io.BytesIO(response.content)).convert("L")
    expected = qr_matrix(wedding.guest_url())
    # Each module is 10 px; read the centre of every one back.
    read = [
        [image.getpixel((c * 10 + 5, r * 10 + 5)) < 128 for c in range(len(expected))] for r in range(len(expected))
    ]
    assert read == expected
    assert len(expected) > 25  # a real version-3+ code carrying the whole URL


def test_the_qr_svg_and_the_table_card(organizer, wedding):
    assert organizer.get(reverse("event-qr-svg", args=[wedding.slug]))["Content-Type"] == "image/svg+xml"
    card = organizer.get(reverse("event-card", args=[wedding.slug])).content.decode()
    # The card prints the short address, not the key (the QR code holds that): see test_table_card.py.
    assert "Ana &amp; Ben" in card and wedding.upload_key not in card and "@page" not in card


def test_the_gallery_filters_by_guest(organizer, uploaded, wedding):
    uploaded(2, name="Carla")
    uploaded(1, name="Dana", seed=10)
    page = organizer.get(reverse("gallery", args=[wedding.slug]), {"guest": "Dana"})
    assert [p.guest_name for p in page.context["page"]] == ["Dana"]


def test_the_gallery_makes_as_many_queries_for_1000_photos_as_for_10(organizer, wedding, alice):
    counts = []
    for total in (10, 1000):
        Photo.objects.all().delete()
        add_photos(wedding, total)
        with CaptureQueriesContext(connection) as queries:
            assert organizer.get(reverse("gallery", args=[wedding.slug])).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_deleting_with_a_refund_removes_everything_and_gives_the_slot_back(
    organizer, client, uploaded, wedding, device, photos_dir
):
    [body] = uploaded(1)
    organizer.get(reverse("photo-thumbnail", args=[wedding.slug, Photo.objects.get().pk]))
    photo = Photo.objects.get()
    assert photo.thumbnail_key and (photos_dir / photo.thumbnail_key).exists()
    organizer.post(reverse("photo-delete", args=[wedding.slug, photo.pk]), {"refund": "on"})
    assert not Photo.objects.exists()
    assert not (photos_dir / body["key"]).exists() and not (photos_dir / photo.thumbnail_key).exists()
    assert quota_store().usage(wedding.slug, device).count == 0


def test_deleting_without_a_refund_keeps_the_photo_from_coming_back(organizer, client, uploaded, wedding, device):
    uploaded(1)
    organizer.post(reverse("photo-delete", args=[wedding.slug, Photo.objects.get().pk]), {})
    assert quota_store().usage(wedding.slug, device).count == 1
    again = client.post("/api/upload", json.dumps(upload_body(wedding, device=device)), content_type="application/json")
    assert again.json()["duplicate"] is True and not Photo.objects.exists()


def test_hiding_a_photo_keeps_it_stored(organizer, uploaded, wedding):
    uploaded(1)
    photo = Photo.objects.get()
    organizer.post(reverse("photo-hide", args=[wedding.slug, photo.pk]), {"hidden": "1"})
    photo.refresh_from_db()
    assert photo.hidden
    assert 'class="hidden-badge"' in organizer.get(reverse("gallery", args=[wedding.slug])).content.decode()


def test_download_all_is_a_zip_with_a_folder_per_guest(organizer, uploaded, wedding):
    uploaded(2, name="Carla")
    uploaded(1, name="José Ruiz", seed=20)
    response = organizer.get(reverse("download-all", args=[wedding.slug]))
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    names = sorted(archive.namelist())
    assert [n.rsplit("/", 1)[0] for n in names] == ["ana-ben/Carla", "ana-ben/Carla", "ana-ben/José-Ruiz"]
    assert all(n.split("/")[2].startswith(n.split("/")[1] + "_") for n in names)
    assert archive.read(names[2]) == jpeg_bytes(20)


def test_download_all_dates_each_entry_when_it_arrived_in_the_sites_time_zone(organizer, uploaded, wedding, settings):
    settings.TIME_ZONE = "Europe/Madrid"
    uploaded(1, name="Carla")
    Photo.objects.update(uploaded_at=datetime(2026, 6, 20, 21, 30, 10, tzinfo=UTC))
    response = organizer.get(reverse("download-all", args=[wedding.slug]))
    [entry] = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))).infolist()
    assert entry.date_time == (2026, 6, 20, 23, 30, 10)  # summer time in Madrid: UTC+2
    assert entry.external_attr >> 16 == 0o100644


def test_resetting_a_device_lets_it_upload_again(organizer, client, uploaded, wedding, device):
    uploaded(3)
    assert post_photo(client, wedding, device).status_code == 429
    organizer.post(reverse("device-reset", args=[wedding.slug, device]))
    assert post_photo(client, wedding, device).status_code == 200


def test_a_device_limit_override_changes_what_the_guest_api_allows(organizer, client, uploaded, wedding, device):
    uploaded(3)
    response = organizer.post(reverse("device-limit", args=[wedding.slug, device]), {"limit": "4"}, follow=True)
    assert messages_of(response) == ["Carla's phone may now send 4 photos in all."]
    assert post_photo(client, wedding, device, seed=60).status_code == 200
    assert post_photo(client, wedding, device, seed=61).status_code == 429
    organizer.post(reverse("device-limit", args=[wedding.slug, device]), {"limit": ""})
    assert quota_store().usage(wedding.slug, device).limit_override is None


def test_the_devices_page_shows_names_counts_and_limits(organizer, uploaded, wedding, device):
    uploaded(2, name="Carla")
    uploaded(1, name="Carla R.", seed=9)
    [row] = organizer.get(reverse("device-list", args=[wedding.slug])).context["page"].rows
    assert (row.short_id, row.guest_names, row.count, row.limit) == (device[:8], ["Carla", "Carla R."], 3, 3)


@pytest.mark.parametrize("sample", ["gps-orientation6.jpg", "iphone-like.heic", "plain.png", "plain.webp"])
def test_a_thumbnail_is_made_the_first_time_the_gallery_asks_and_then_kept(
    organizer, client, wedding, device, photos_dir, sample, monkeypatch
):
    body = upload_body(wedding, device=device, photo=(SAMPLES / sample).read_bytes())
    client.post("/api/upload", json.dumps(body), content_type="application/json")
    url = reverse("photo-thumbnail", args=[wedding.slug, Photo.objects.get().pk])
    first = organizer.get(url)
    thumbnail = Image.open(io.BytesIO(b"".join(first.streaming_content)))
    assert (first["Content-Type"], thumbnail.format, max(thumbnail.size)) == ("image/webp", "WEBP", 640)
    # THEN it is stored once: the next request serves the file without rendering again
    monkeypatch.setattr("events.services.render_thumbnail", lambda data: pytest.fail("rendered twice"))
    assert organizer.get(url).status_code == 200


def test_the_event_page_counts_photos_hidden_guests_devices_and_bytes(organizer, uploaded, wedding):
    uploaded(2, name="Carla")
    uploaded(1, name="Dana", seed=10, from_device="00000000-0000-4000-8000-000000000002")
    Photo.objects.filter(guest_name="Dana").update(hidden=True)
    stats = organizer.get(reverse("event-detail", args=[wedding.slug])).context["stats"]
    total = sum(Photo.objects.values_list("size", flat=True))
    assert (stats.photos, stats.hidden, stats.guests, stats.devices, stats.bytes) == (3, 1, 2, 2, total)
