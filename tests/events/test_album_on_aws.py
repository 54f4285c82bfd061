"""On AWS the album's files are presigned S3 links, and its ZIP is the prepared S3 export of the shared
photos: reused while the shared set is unchanged, one at a time per event."""

import io
import zipfile
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlparse

import boto3
import pytest
from botocore.stub import Stubber
from django.urls import reverse

from events import services
from events.models import Event, Photo, PhotoExport
from events.recorder import photo_record
from events.selectors import EXPORT_PENDING_FOR
from photoshare_site.wiring import photo_store
from tests.conftest import jpeg_bytes
from tests.uploads.contract_photos import stored_photo
from uploads.aws import clients

pytestmark = pytest.mark.usefixtures("aws_backend")


@pytest.fixture
def album_on(wedding) -> Event:
    return services.event_share_link(event=wedding, link="album", action="on")


@pytest.fixture
def photos(album_on) -> list[Photo]:
    """Three photos in the (moto) photo bucket, indexed as the S3 trigger would; oldest first."""
    for n, guest in enumerate(["Carla", "José", "Carla"]):
        stored = stored_photo(
            f"{album_on.slug}/{guest}/2026062{n}T120000Z_{n}.jpg",
            event=album_on.slug,
            uploaded_at=datetime(2026, 6, 20 + n, 12, tzinfo=UTC),
        )
        photo_store().put(stored, jpeg_bytes(n))
        photo_record(stored=stored)
    return list(Photo.objects.order_by("uploaded_at"))


def download_url(event: Event) -> str:
    return reverse("album-download", args=[event.slug, event.album_token])


def zip_in_bucket(export: PhotoExport, bucket: str) -> list[str]:
    body = clients.s3().get_object(Bucket=bucket, Key=export.key)["Body"].read()
    return sorted(zipfile.ZipFile(io.BytesIO(body)).namelist())


def assert_presigned_for_15_minutes_at_most(response) -> dict[str, list[str]]:
    assert response.status_code == 302
    query = parse_qs(urlparse(response["Location"]).query)
    assert int(query["X-Amz-Expires"][0]) <= 900
    return query


@pytest.fixture
def lambda_calls(monkeypatch) -> list[dict]:
    """The function's invocations of itself, recorded and never run: exports stay pending."""
    calls: list[dict] = []

    class FakeLambda:
        def invoke(self, **kwargs):
            calls.append(kwargs)

    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "photoshare-dashboard")
    monkeypatch.setattr(clients, "lambda_client", lambda: FakeLambda())
    return calls


def test_download_all_is_the_prepared_export_of_the_shared_photos_behind_a_presigned_link(
    client, photos, album_on, aws_backend
):
    services.photo_set_hidden(photo=photos[1], hidden=True)
    query = assert_presigned_for_15_minutes_at_most(client.get(download_url(album_on)))
    assert "attachment" in query["response-content-disposition"][0]
    export = PhotoExport.objects.get()
    assert (export.scope, export.status, export.photo_count) == ("shared", "ready", 2)
    assert zip_in_bucket(export, aws_backend.PHOTO_BUCKET) == [
        "ana-ben/Carla/Carla_20260620T120000Z_0.jpg",
        "ana-ben/Carla/Carla_20260622T120000Z_2.jpg",
    ]


def test_a_ready_export_is_reused_until_the_shared_photos_change(client, photos, album_on):
    client.get(download_url(album_on))
    client.get(download_url(album_on))
    assert PhotoExport.objects.count() == 1
    # A photo hidden, then one deleted: each makes the ready ZIP stale, so a new one is prepared.
    services.photo_set_hidden(photo=photos[0], hidden=True)
    client.get(download_url(album_on))
    services.photo_delete(photo=photos[2], refund=False)
    client.get(download_url(album_on))
    assert [e.photo_count for e in PhotoExport.objects.order_by("created_at", "pk")] == [3, 2, 1]


def test_while_an_export_is_built_guests_are_told_to_try_again_and_no_second_one_starts(
    client, photos, album_on, lambda_calls
):
    first = client.get(download_url(album_on))
    second = client.get(download_url(album_on), headers={"accept-language": "de"})
    assert (first.status_code, second.status_code) == (202, 202)
    assert first["Retry-After"] == "60" and 'id="album-zip"' in first.content.decode()
    assert len(lambda_calls) == 1 and PhotoExport.objects.get().status == "pending"


def test_an_export_pending_for_too_long_is_taken_for_lost_and_another_starts(client, photos, album_on, lambda_calls):
    client.get(download_url(album_on))
    PhotoExport.objects.update(created_at=datetime.now(UTC) - EXPORT_PENDING_FOR - timedelta(seconds=1))
    client.get(download_url(album_on))
    assert len(lambda_calls) == 2


def test_an_export_that_cannot_start_says_so(client, photos, album_on, monkeypatch):
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "photoshare-dashboard")
    refused = boto3.client("lambda")
    stubber = Stubber(refused)
    stubber.add_client_error("invoke", service_error_code="AccessDeniedException", http_status_code=403)
    stubber.activate()
    monkeypatch.setattr(clients, "lambda_client", lambda: refused)
    response = client.get(download_url(album_on))
    assert response.status_code == 503 and "could not be started" in response.content.decode()
    assert not PhotoExport.objects.filter(status="pending").exists()


def test_the_albums_files_are_presigned_links_of_shared_photos_only(client, photos, album_on):
    url = lambda photo, which: reverse("album-photo", args=[album_on.slug, album_on.album_token, photo.pk, which])  # noqa: E731
    for which in ("thumbnail", "display"):
        assert urlparse(client.get(url(photos[0], which))["Location"]).path.endswith(".webp")
    query = assert_presigned_for_15_minutes_at_most(client.get(url(photos[0], "original")))
    assert "Carla_20260620T120000Z_0.jpg" in query["response-content-disposition"][0]
    services.photo_set_hidden(photo=photos[0], hidden=True)
    assert client.get(url(photos[0], "original")).status_code == 404
