"""Storage used per event: the sum of its photos' sizes, in human units, on the event list and page."""

from django.urls import reverse

from bench.p4_gallery import add_photos
from events.models import Event, Photo
from events.selectors import events_for

# Two photos of this size make 1.2 GiB, which Django shows as "1.2 GB".
HALF_OF_1_2_GB = 644_245_095


def test_each_event_sums_its_own_photos_and_an_empty_one_uses_nothing(alice, wedding):
    empty = Event.objects.create(owner=alice, name="Office party", slug="office-party")
    add_photos(wedding, 3)
    used = {event.slug: (event.photo_count, event.bytes_used) for event in events_for(alice)}
    assert used == {wedding.slug: (3, 3 * 1_500_000), empty.slug: (0, 0)}


def test_the_event_list_and_the_event_page_show_it_in_human_units(client, alice, wedding):
    add_photos(wedding, 2)
    Photo.objects.update(size=HALF_OF_1_2_GB)
    client.force_login(alice)
    listed = client.get(reverse("event-list")).content.decode()
    page = client.get(reverse("event-detail", args=[wedding.slug])).content.decode()
    assert "<td>1.2\xa0GB</td>" in listed
    assert "1.2\xa0GB</strong> stored" in page
