"""The devices page a page at a time (so a flood of device ids cannot swamp it), and removing one
device's photos in one click."""

import pytest
from django.urls import reverse

from bench.p4_gallery import add_photos
from events import services
from events.models import Photo
from photoshare_site.wiring import quota_store
from tests.events.test_dashboard import messages_of, post_photo

# The device ids add_photos gives its photos, in their sort order.
PHONES = [f"00000000-0000-4000-8000-{n:012d}" for n in range(250)]


@pytest.fixture
def organizer(client, alice):
    client.force_login(alice)
    return client


@pytest.fixture
def flooded(wedding):
    """250 devices, each with one photo (rows only) and a counter, created newest id first."""
    add_photos(wedding, len(PHONES))
    for phone in reversed(PHONES):
        quota_store().set_device_limit(wedding.slug, phone, None)


def devices_page(organizer, wedding, query=""):
    response = organizer.get(reverse("device-list", args=[wedding.slug]) + query)
    assert response.status_code == 200
    return response.context["page"], response.content.decode()


def test_250_devices_are_shown_100_a_page_in_a_stable_order_with_next_and_previous_links(organizer, wedding, flooded):
    first, html = devices_page(organizer, wedding)
    assert f'href="?after={PHONES[99]}"' in html and 'href="?before=' not in html
    second, html = devices_page(organizer, wedding, f"?after={first.next}")
    assert f'href="?before={PHONES[100]}"' in html and f'href="?after={PHONES[199]}"' in html
    third, html = devices_page(organizer, wedding, f"?after={second.next}")
    assert 'href="?after=' not in html
    assert [len(page.rows) for page in (first, second, third)] == [100, 100, 50]
    assert [row.device for page in (first, second, third) for row in page.rows] == PHONES
    # Each row has the names its device used, read for the devices of its page.
    assert second.rows[0].guest_names == ["Guest 20"]
    back, _ = devices_page(organizer, wedding, f"?before={third.previous}")
    assert back == second


@pytest.mark.parametrize("query", ["?after=not-a-device", "?before=%23policy"])
def test_a_cursor_that_is_not_a_device_id_answers_404(organizer, wedding, query):
    assert organizer.get(reverse("device-list", args=[wedding.slug]) + query).status_code == 404


def test_removing_a_devices_photos_removes_them_all_and_keeps_its_count(
    organizer, client, uploaded, wedding, device, photos_dir
):
    uploaded(3)
    uploaded(1, from_device=PHONES[0], seed=10)
    kept = Photo.objects.get(device_id=PHONES[0])
    response = organizer.post(reverse("device-photos-delete", args=[wedding.slug, device]), follow=True)
    assert messages_of(response)[0].startswith("Removed 3 photos from this phone")
    assert list(Photo.objects.all()) == [kept]
    assert [p.name for p in photos_dir.rglob("*.jpg")] == [kept.key.rsplit("/", 1)[1]]
    # The slots are not given back: a new photo is over the limit, a resent one is not stored again.
    assert quota_store().usage(wedding.slug, device).count == 3
    assert post_photo(client, wedding, device, seed=77).status_code == 429
    assert post_photo(client, wedding, device, seed=0).json()["duplicate"] is True
    assert not Photo.objects.filter(device_id=device).exists()


def test_each_photo_goes_through_photo_delete(organizer, uploaded, wedding, device, monkeypatch):
    uploaded(2)
    deleted = []
    real = services.photo_delete
    monkeypatch.setattr(services, "photo_delete", lambda **kw: deleted.append(kw) or real(**kw))
    assert services.device_photos_delete(event=wedding, device=device) == 2
    assert [call["refund"] for call in deleted] == [False, False]


def test_one_photo_removed_is_said_in_the_singular_and_the_page_is_kept(organizer, uploaded, wedding, device):
    uploaded(1)
    url = reverse("device-photos-delete", args=[wedding.slug, device])
    response = organizer.post(f"{url}?after={PHONES[0]}")
    assert response["Location"] == reverse("device-list", args=[wedding.slug]) + f"?after={PHONES[0]}"
    assert messages_of(organizer.get(response["Location"]))[0].startswith("Removed 1 photo from this phone")
