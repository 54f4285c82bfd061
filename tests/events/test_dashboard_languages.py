"""The dashboard speaks the organizer's language: the language menu's choice, else the browser's
Accept-Language among settings.LANGUAGES, else English; plurals follow each language's rules."""

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from events import services
from events.login_throttle import LOCK_AFTER
from events.models import Language, LoginThrottle
from tests.events.test_dashboard import messages_of


@pytest.fixture
def organizer(client, alice):
    client.force_login(alice)
    return client


def page(client, name: str, *args, language: str = "") -> str:
    headers = {"HTTP_ACCEPT_LANGUAGE": language} if language else {}
    response = client.get(reverse(name, args=args), **headers)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize(
    ("asked", "heading", "html_lang"),
    [
        ("de-DE,de;q=0.9,en;q=0.5", "Ihre Veranstaltungen", "de"),
        ("es-MX,es;q=0.9", "Tus eventos", "es"),
        ("fr-CA", "Vos événements", "fr"),
        ("ja,ko;q=0.8", "Your events", "en"),
    ],
)
def test_the_dashboard_answers_in_the_browsers_language_and_falls_back_to_english(
    organizer, wedding, asked, heading, html_lang
):
    html = page(organizer, "event-list", language=asked)
    assert f"<h1>{heading}</h1>" in html and f'<html lang="{html_lang}"' in html


def test_a_german_organizer_reads_the_devices_page_in_german(organizer, wedding):
    html = page(organizer, "device-list", wedding.slug, language="de")
    assert "<h1>Geräte</h1>" in html and "Noch hat kein Gerät etwas hochgeladen." in html
    assert "Devices" not in html and "No device has uploaded yet" not in html


@pytest.mark.parametrize(
    ("language", "limit", "said"),
    [
        ("en", 1, "Each phone may upload 1 photo."),
        ("en", 2, "Each phone may upload 2 photos."),
        ("de", 1, "Jedes Handy darf 1 Foto hochladen."),
        ("de", 2, "Jedes Handy darf 2 Fotos hochladen."),
        ("es", 1, "Cada teléfono puede subir 1 foto."),
        ("es", 2, "Cada teléfono puede subir 2 fotos."),
    ],
)
def test_a_count_of_photos_takes_the_languages_plural(organizer, alice, language, limit, said):
    event = services.event_create(owner=alice, name="Party", slug="party", limit=limit)
    assert said in page(organizer, "device-list", event.slug, language=language)


def test_a_german_organizer_moderates_the_gallery_in_german(organizer, wedding, uploaded):
    uploaded(1)
    html = page(organizer, "gallery", wedding.slug, language="de")
    tabs = ["Alle (1)", "Warten auf Freigabe (0)", "Auf Wand &amp; Album (1)", "Ausgeblendet (0)"]
    bulk_bar = ["Alle auf dieser Seite auswählen", "Ausgewählt:", ">Freigeben<", ">Ausblenden<", ">Löschen…<"]
    viewer = ['data-label-prev="Zurück"', 'data-label-dialog="Fotoansicht"']
    assert all(said in html for said in [*tabs, *bulk_bar, *viewer, "Seite 1 von 1 (1 Foto)"])
    assert not any(english in html for english in ["Waiting for approval", "Select all", ">Approve<", ">Hide<"])


def test_a_german_organizer_reads_the_wall_and_album_controls_of_the_event_page_in_german(organizer, wedding):
    html = page(organizer, "event-detail", wedding.slug, language="de")
    wall = ['<h2 id="wall">Live-Wand</h2>', "Wand öffnen", "Wand-Link einschalten", "Nur Sie können die Wand"]
    album = ['<h2 id="album">Gemeinsames Album</h2>', "Album einschalten"]
    assert all(said in html for said in [*wall, *album, "Gäste-Link", "Tischkarte", "Uploads schließen"])
    assert not any(english in html for english in ["Live wall", "Open the wall", "Turn the album on", "Guest link"])


def test_the_wall_speaks_the_events_language_whatever_the_screens_browser_says(client, wedding):
    wedding.language = Language.DE
    services.event_save(event=wedding)
    services.event_share_link(event=wedding, link="wall", action="on")
    wedding.refresh_from_db()
    html = page(client, "wall", wedding.slug, wedding.wall_token, language="en")
    assert '<html lang="de">' in html and "Live-Wand" in html and "Fügen Sie Ihre hinzu" in html
    assert "Photos appear here as soon as guests share them." not in html and "Add yours" not in html


@pytest.mark.parametrize(
    ("language", "count", "asked", "gallery_page"),
    [
        ("en", 1, "Delete 1 photo?", "Page 1 of 1 (1 photo)"),
        ("en", 7, "Delete 7 photos?", "Page 1 of 1 (7 photos)"),
        ("de", 1, "1 Foto löschen?", "Seite 1 von 1 (1 Foto)"),
        ("de", 7, "7 Fotos löschen?", "Seite 1 von 1 (7 Fotos)"),
    ],
)
def test_the_gallery_counts_photos_with_the_languages_plural(
    organizer, wedding, uploaded, language, count, asked, gallery_page
):
    services.event_update(event=wedding, upload_limit=10)
    uploaded(count)
    assert gallery_page in page(organizer, "gallery", wedding.slug, language=language)
    ids = list(wedding.photos.values_list("pk", flat=True))
    url = reverse("photos-moderate", args=[wedding.slug])
    question = organizer.post(url, {"ids": ids, "action": "delete"}, HTTP_ACCEPT_LANGUAGE=language)
    assert f"<h1>{asked}</h1>" in question.content.decode()


def test_the_event_form_shows_the_models_labels_help_texts_and_choices_in_german(organizer, wedding):
    html = page(organizer, "event-edit", wedding.slug, language="de")
    model_strings = ["Fotos pro Gerät", "Jedes Foto zuerst freigeben", "Leer: 200 MB, etwa zwei Minuten Handyvideo."]
    assert all(said in html for said in model_strings)
    assert "photos per device" not in html and "Approve each photo first" not in html


def test_a_message_after_a_form_is_in_the_organizers_language(organizer, wedding):
    response = organizer.post(reverse("event-toggle-open", args=[wedding.slug]), HTTP_ACCEPT_LANGUAGE="es", follow=True)
    assert messages_of(response) == ["Las subidas están cerradas."]


@pytest.mark.parametrize(
    ("event_language", "said"), [("fr", "Scannez avec l'appareil photo"), ("", "Escanea con la cámara")]
)
def test_the_table_card_speaks_the_events_language_else_the_organizers(organizer, wedding, event_language, said):
    wedding.language = event_language
    services.event_save(event=wedding)
    html = page(organizer, "event-card", wedding.slug, language="es")
    assert said in html and f'<html lang="{event_language or "es"}">' in html


def test_the_language_menu_keeps_its_choice_over_the_browsers(organizer, wedding):
    response = organizer.post(reverse("set_language"), {"language": "it", "next": reverse("event-list")})
    assert response.status_code == 302 and response["Location"] == reverse("event-list")
    html = page(organizer, "event-list", language="de")
    assert "<h1>I tuoi eventi</h1>" in html and '<option value="it" lang="it" selected>' in html


def test_the_language_menu_is_on_the_log_in_page_and_needs_its_csrf_token(db):
    careful = Client(enforce_csrf_checks=True)
    html = page(careful, "login", language="pt")
    assert "<h1>Iniciar sessão</h1>" in html and 'name="csrfmiddlewaretoken"' in html
    assert careful.post(reverse("set_language"), {"language": "fr"}).status_code == 403


def test_the_language_menu_sends_nobody_to_another_site(organizer):
    response = organizer.post(reverse("set_language"), {"language": "fr", "next": "https://evil.example/"})
    assert response.status_code == 302 and response["Location"] == "/"


def test_a_locked_account_is_told_so_in_the_browsers_language(client, alice):
    LoginThrottle.objects.create(user=alice, failures=LOCK_AFTER, locked_at=timezone.now())
    credentials = {"username": "alice", "password": "correct horse battery"}
    html = client.post(reverse("login"), credentials, HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "Dieses Konto ist nach zu vielen falschen Passwörtern gesperrt" in html


def test_the_lock_mail_goes_in_the_sites_language_whatever_the_guesser_speaks(client, alice):
    LoginThrottle.objects.create(user=alice, failures=LOCK_AFTER - 1, last_failure_at=timezone.now())
    client.post(reverse("login"), {"username": "alice", "password": "a wrong guess"}, HTTP_ACCEPT_LANGUAGE="de")
    [locked] = mail.outbox
    assert locked.subject == "Your photoshare account is locked" and locked.body.startswith("Hello alice,")
