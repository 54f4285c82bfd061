"""The devices page in an organizer's words: each phone by the name its guest used, counts as "3 of 5
photos", and a reset or a new limit asked first (a GET that changes nothing) and then said plainly."""

import pytest
from django.urls import reverse

from photoshare_site.wiring import quota_store
from tests.events.test_dashboard import messages_of

OTHER_PHONE = "00000000-0000-4000-8000-000000000002"


@pytest.fixture
def organizer(client, alice):
    client.force_login(alice)
    return client


def devices_html(organizer, wedding) -> str:
    return organizer.get(reverse("device-list", args=[wedding.slug])).content.decode()


def test_each_phone_is_shown_by_the_name_it_used_most_and_its_short_id_second(organizer, uploaded, wedding, device):
    uploaded(1, name="Carla R.", seed=9)
    uploaded(2, name="Carla")
    [row] = organizer.get(reverse("device-list", args=[wedding.slug])).context["page"].rows
    assert (row.phone, row.guest_names) == ("Carla's phone", ["Carla", "Carla R."])
    html = devices_html(organizer, wedding)
    assert html.index("Carla&#x27;s phone") < html.index("also used: Carla R.") < html.index(f">{device[:8]}</code>")


def test_a_phone_that_kept_no_photo_is_shown_by_its_short_id(organizer, wedding):
    quota_store().set_device_limit(wedding.slug, OTHER_PHONE, None)
    assert "Phone 00000000" in devices_html(organizer, wedding)


def test_counts_read_as_so_many_of_the_phones_own_limit_in_the_singular_too(organizer, uploaded, wedding, device):
    uploaded(3)
    assert "3 of 3 photos" in devices_html(organizer, wedding)
    quota_store().set_device_limit(wedding.slug, device, 15)
    assert "3 of 15 photos <small>(own limit)</small>" in devices_html(organizer, wedding)
    quota_store().set_device_limit(wedding.slug, device, 1)
    assert "3 of 1 photo " in devices_html(organizer, wedding)


def test_a_reset_is_asked_first_and_then_said_in_plain_words(organizer, uploaded, wedding, device):
    uploaded(3)
    url = reverse("device-reset", args=[wedding.slug, device])
    asked = organizer.get(url).content.decode()
    assert "Reset its count, so that it can send 3 more photos?" in asked and "Sent so far: 3 of 3 photos." in asked
    assert f'action="{url}"' in asked
    assert quota_store().usage(wedding.slug, device).count == 3
    response = organizer.post(url, follow=True)
    assert messages_of(response) == ["Carla's phone can send 3 more photos."]
    assert quota_store().usage(wedding.slug, device).count == 0


def test_a_reset_says_the_phones_own_limit_not_the_events(organizer, uploaded, wedding, device):
    uploaded(1)
    quota_store().set_device_limit(wedding.slug, device, 1)
    response = organizer.post(reverse("device-reset", args=[wedding.slug, device]), follow=True)
    assert messages_of(response) == ["Carla's phone can send 1 more photo."]


def test_a_new_limit_is_asked_first_and_then_said_in_plain_words(organizer, uploaded, wedding, device):
    uploaded(2)
    url = reverse("device-limit", args=[wedding.slug, device])
    asked = organizer.get(url, {"limit": "15"}).content.decode()
    assert "Let it send 15 photos in all?" in asked and 'name="limit" value="15"' in asked
    assert quota_store().usage(wedding.slug, device).limit_override is None
    response = organizer.post(url, {"limit": "15"}, follow=True)
    assert messages_of(response) == ["Carla's phone may now send 15 photos in all."]
    assert "Give it the event's limit again: 3 photos in all?" in organizer.get(url, {"limit": ""}).content.decode()
    response = organizer.post(url, {"limit": ""}, follow=True)
    assert messages_of(response) == ["Carla's phone is back to the event's limit: 3 photos in all."]
    assert quota_store().usage(wedding.slug, device).limit_override is None


@pytest.mark.parametrize("limit", ["lots", "-1", "1001"])
def test_a_limit_that_is_not_one_is_refused_before_anything_is_asked(organizer, wedding, device, limit):
    response = organizer.get(reverse("device-limit", args=[wedding.slug, device]), {"limit": limit}, follow=True)
    assert messages_of(response) == ["A phone's limit is a number from 0 to 1000, or empty for the event's limit."]
    assert quota_store().usage(wedding.slug, device).limit_override is None


def test_asking_keeps_the_page_of_devices_it_came_from(organizer, uploaded, wedding, device):
    uploaded(1)
    url = reverse("device-limit", args=[wedding.slug, device])
    asked = organizer.get(url, {"limit": "5", "after": OTHER_PHONE}).content.decode()
    assert f'action="{url}?after={OTHER_PHONE}"' in asked
    response = organizer.post(f"{url}?after={OTHER_PHONE}", {"limit": "5"})
    assert response["Location"] == reverse("device-list", args=[wedding.slug]) + f"?after={OTHER_PHONE}"


@pytest.mark.parametrize(
    ("language", "said"),
    [
        ("de", "Handy von Carla kann noch 3 Fotos senden."),
        ("es", "El teléfono de Carla puede enviar 3 fotos más."),
        ("fr", "Le téléphone de Carla peut envoyer encore 3 photos."),
    ],
)
def test_what_a_reset_did_is_said_in_the_organizers_language(organizer, uploaded, wedding, device, language, said):
    uploaded(1)
    url = reverse("device-reset", args=[wedding.slug, device])
    asked = organizer.get(url, HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert "Reset its count" not in asked
    response = organizer.post(url, HTTP_ACCEPT_LANGUAGE=language, follow=True)
    assert messages_of(response) == [said]


def test_a_name_with_markup_is_shown_as_text_on_the_page_the_question_and_the_message(
    organizer, uploaded, wedding, device
):
    uploaded(1, name="<b>Eve</b>")
    url = reverse("device-reset", args=[wedding.slug, device])
    for html in (devices_html(organizer, wedding), organizer.get(url).content.decode()):
        assert "<b>Eve</b>" not in html and "&lt;b&gt;Eve&lt;/b&gt;&#x27;s phone" in html
    html = organizer.post(url, follow=True).content.decode()
    assert "<b>Eve</b>" not in html and "&lt;b&gt;Eve&lt;/b&gt;&#x27;s phone can send 3 more photos." in html
