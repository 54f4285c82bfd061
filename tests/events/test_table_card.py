"""The table card: the organizer's welcome line, colour and date, and the short address `/g/<code>` that
redirects to the guest link (unique, renewed with the key, rate-limited)."""

import datetime
import functools

import pytest
from django.urls import reverse

from events import services, short_link_limit
from events.accent import contrast_with_white
from events.forms import EventForm
from events.models import Event
from events.short_codes import ALPHABET, LENGTH, grouped, normalised
from events.views import short_links
from uploads.models import RateBucket


@pytest.fixture
def organizer(client, alice):
    client.force_login(alice)
    return client


@pytest.fixture
def frozen_clock(monkeypatch):
    """The lookup limit on a clock that does not move: no bucket refills while a test runs."""
    limiter = functools.partial(short_link_limit.short_link_limiter, clock=lambda: 1_000_000.0)
    monkeypatch.setattr(short_links, "short_link_limiter", limiter)


def edit(organizer, event, **changes):
    data = {**EventForm(instance=event).initial, **changes}
    fields = {name: value for name, value in data.items() if value is not None and name in EventForm.Meta.fields}
    return organizer.post(reverse("event-edit", args=[event.slug]), fields)


def test_the_card_prints_the_welcome_line_the_date_and_the_short_address_not_the_key(organizer, wedding):
    wedding.welcome, wedding.date = "Welcome to our wedding!", datetime.date(2027, 6, 12)
    wedding.save()
    card = organizer.get(reverse("event-card", args=[wedding.slug])).content.decode()
    assert "Welcome to our wedding!" in card and "June 12, 2027" in card
    assert f"/g/{grouped(wedding.short_code)}" in card and wedding.upload_key not in card


def test_the_card_style_sheet_carries_the_events_colour(organizer, wedding):
    wedding.accent = "#7a1f3d"
    wedding.save()
    response = organizer.get(reverse("event-card-accent", args=[wedding.slug]))
    assert response["Content-Type"] == "text/css" and "--accent: #7a1f3d;" in response.content.decode()


def test_the_card_page_offers_the_four_layouts_and_falls_back_to_a6(organizer, wedding):
    page = organizer.get(reverse("event-card", args=[wedding.slug]), {"layout": "tabloid"}).content.decode()
    assert 'class="sheet sheet-a6"' in page and page.count('class="card"') == 1
    for layout in ("a6", "a5", "a4", "letter"):
        assert f'value="{layout}"' in page
    four = organizer.get(reverse("event-card", args=[wedding.slug]), {"layout": "letter"}).content.decode()
    assert 'class="sheet sheet-letter"' in four and four.count('class="card"') == 4


def test_the_short_address_redirects_to_the_full_guest_link(client, wedding, frozen_clock):
    response = client.get(f"/g/{grouped(wedding.short_code)}")
    assert response.status_code == 302 and response["Location"] == wedding.guest_url()
    assert response["Cache-Control"] == "no-store"


def test_the_short_address_reads_lowercase_without_the_dash_and_o_for_zero(client, wedding, frozen_clock):
    wedding.short_code = "0123456789"
    wedding.save()
    assert client.get("/g/o123456789").status_code == 302
    assert client.get("/g/OI234-56789").status_code == 302
    assert normalised("0l234-56789") == "0123456789"


def test_rotating_the_key_renews_the_short_code_and_the_old_one_answers_404(client, wedding, frozen_clock):
    old = wedding.short_code
    services.event_rotate_key(event=wedding)
    wedding.refresh_from_db()
    assert wedding.short_code != old
    assert client.get(f"/g/{old}").status_code == 404
    assert client.get(f"/g/{wedding.short_code}")["Location"] == wedding.guest_url()


def test_every_event_gets_its_own_code_of_ten_crockford_characters(alice):
    codes = {services.event_create(owner=alice, name=f"Party {n}", limit=3).short_code for n in range(20)}
    assert len(codes) == 20
    assert all(len(code) == LENGTH and set(code) <= set(ALPHABET) for code in codes)
    # 32 symbols, 5 bits each: 50 random bits, past the 40 the card needs.
    assert len(ALPHABET) == 32 and LENGTH * 5 >= 40


def test_lookups_past_the_limit_are_refused_with_429_and_counted_per_address(client, wedding, frozen_clock):
    burst = short_link_limit.LOOKUPS.uploads.burst
    answers = [client.get("/g/ZZZZZ-ZZZZZ").status_code for _ in range(burst)]
    assert answers == [404] * burst
    refused = client.get(f"/g/{wedding.short_code}")
    assert refused.status_code == 429 and int(refused["Retry-After"]) >= 1
    # Another address has its own bucket.
    assert client.get(f"/g/{wedding.short_code}", REMOTE_ADDR="198.51.100.7").status_code == 302


def test_lookups_spend_no_upload_tokens(client, wedding, frozen_clock):
    client.get(f"/g/{wedding.short_code}")
    assert list(RateBucket.objects.values_list("address", flat=True)) == ["g:127.0.0.1"]


@pytest.mark.parametrize(("colour", "readable"), [("#000000", True), ("#767676", True), ("#777777", False)])
def test_the_accent_must_read_against_white_at_4_5_to_1(organizer, wedding, colour, readable):
    edit(organizer, wedding, accent=colour)
    assert (Event.objects.get().accent == colour) is readable


@pytest.mark.parametrize("colour", ["red", "#12345", "#1234567", "#gggggg", "1f4e79", "#1f4e79;}"])
def test_an_accent_not_written_as_rrggbb_is_refused(organizer, wedding, colour):
    response = edit(organizer, wedding, accent=colour)
    assert response.status_code == 200 and "errorlist" in response.content.decode()
    assert Event.objects.get().accent == "#1f4e79"


def test_the_contrast_rule_is_wcags():
    assert contrast_with_white("#ffffff") == pytest.approx(1.0)
    assert contrast_with_white("#000000") == pytest.approx(21.0)


def test_on_aws_the_short_address_is_the_dashboards_not_the_static_guest_sites(organizer, wedding, aws_backend):
    aws_backend.PUBLIC_BASE_URL = "http://photoshare-guests.s3-website-eu-west-1.amazonaws.com"
    card = organizer.get(reverse("event-card", args=[wedding.slug])).content.decode()
    assert f"http://testserver/g/{grouped(wedding.short_code)}" in card
