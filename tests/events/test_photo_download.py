import json
from urllib.parse import parse_qs, urlparse

import pytest

from events.models import Photo
from events.recorder import GalleryRecorder
from photoshare_site.wiring import photo_store
from tests.conftest import jpeg_bytes, upload_body
from tests.uploads.contract_photos import stored_photo


@pytest.fixture
def photo(client, wedding, device) -> Photo:
    body = upload_body(wedding, device=device, name="José Ruiz")
    assert client.post("/api/upload", json.dumps(body), content_type="application/json").status_code == 200
    return Photo.objects.get()


@pytest.mark.usefixtures("photos_dir")
def test_the_organizer_downloads_the_original_named_after_the_guest(client, alice, photo):
    client.force_login(alice)
    response = client.get(f"/events/{photo.event.slug}/photos/{photo.pk}/original")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == jpeg_bytes()
    assert "filename*=utf-8''Jos%C3%A9-Ruiz_" in response["Content-Disposition"]


@pytest.mark.usefixtures("photos_dir")
def test_another_organizer_gets_404(client, bob, photo):
    client.force_login(bob)
    assert client.get(f"/events/{photo.event.slug}/photos/{photo.pk}/original").status_code == 404


@pytest.mark.usefixtures("photos_dir")
def test_an_anonymous_visitor_is_sent_to_log_in(client, photo):
    response = client.get(f"/events/{photo.event.slug}/photos/{photo.pk}/original")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_on_aws_it_redirects_to_a_presigned_url_that_expires_within_15_minutes(client, alice, aws_backend, wedding):
    stored = stored_photo(f"{wedding.slug}/José/20260620T120000Z_1.jpg")
    photo_store().put(stored, b"12345")
    GalleryRecorder().record(stored)
    client.force_login(alice)
    response = client.get(f"/events/{wedding.slug}/photos/{Photo.objects.get().pk}/original")
    assert response.status_code == 302
    url = urlparse(response["Location"])
    query = parse_qs(url.query)
    assert url.path.endswith("/20260620T120000Z_1.jpg")
    assert int(query["X-Amz-Expires"][0]) <= 900
    assert "attachment" in query["response-content-disposition"][0]
