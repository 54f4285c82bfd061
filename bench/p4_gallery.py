"""P4: the gallery page with 5,000 photos against the same page with 50: time and query count."""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bench.common import Row, best_of
from events.models import Event, Photo


def event_with(photos: int) -> Event:
    owner, _ = get_user_model().objects.get_or_create(username="bench")
    event = Event.objects.create(owner=owner, name=f"Gallery {photos}", slug=f"gallery-{photos}")
    add_photos(event, photos)
    return event


def add_photos(event: Event, count: int) -> None:
    """`count` indexed photos (rows only, no files), newest first, from 40 guests."""
    now = timezone.now()
    Photo.objects.bulk_create(
        Photo(
            event=event,
            guest_name=f"Guest {n % 40}",
            device_id=f"00000000-0000-4000-8000-{n:012d}",
            key=f"{event.slug}/g/{n}.jpg",
            thumbnail_key=f"thumbs/{event.slug}/g/{n}.jpg.webp",
            content_type="image/jpeg",
            size=1_500_000,
            width=2560,
            height=1920,
            sha256=f"{n:064d}",
            uploaded_at=now - timedelta(seconds=n),
        )
        for n in range(count)
    )


def page_time_and_queries(event: Event, runs: int) -> tuple[float, int]:
    client = Client()
    client.force_login(event.owner)
    url = f"/events/{event.slug}/photos/"
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    count = len(queries)  # now: every request clears Django's query log
    return best_of(runs, lambda: client.get(url)), count


def run(quick: bool = False) -> Row:
    runs = 3 if quick else 15
    small, small_queries = page_time_and_queries(event_with(50), runs)
    large, large_queries = page_time_and_queries(event_with(500 if quick else 5000), runs)
    ok = large / small <= 1.5 and large_queries == small_queries
    what = f"gallery page, 5,000 vs 50 photos (ms; {large_queries} vs {small_queries} queries)"
    return Row("P4", what, large * 1000, small * 1000, "ms", "<= 1.5, same queries", ok)
