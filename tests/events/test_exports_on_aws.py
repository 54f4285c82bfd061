"""On AWS, "download all" builds the ZIP in the background into S3 and offers a presigned link."""

import io
import json
import zipfile
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlparse

import boto3
import pytest
from botocore.stub import Stubber
from django.urls import reverse

from events.exports import ExportNotStarted, export_build_command, export_start
from events.models import Photo, PhotoExport
from events.recorder import photo_record
from photoshare_site.wiring import photo_store
from tests.conftest import SAMPLES
from tests.uploads.contract_photos import stored_photo
from uploads.aws import clients
from uploads.aws.exports import _TRANSFER, _GeneratorReader

pytestmark = pytest.mark.usefixtures("aws_backend")


@pytest.fixture
def stored(wedding):
    """Two photos in the (moto) photo bucket, indexed as the S3 trigger would."""
    data = (SAMPLES / "plain.png").read_bytes()
    for n, guest in enumerate(["Carla", "José"]):
        photo = stored_photo(
            f"{wedding.slug}/{guest}/2026062{n}T120000Z_{n}.png",
            event=wedding.slug,
            content_type="image/png",
            uploaded_at=datetime(2026, 6, 20 + n, 12, tzinfo=UTC),
        )
        photo_store().put(photo, data)
        photo_record(stored=photo)
    return data


def test_preparing_a_zip_builds_it_into_s3_and_links_it(client, alice, wedding, stored, aws_backend):
    client.force_login(alice)
    client.post(reverse("download-all", args=[wedding.slug]))
    export = PhotoExport.objects.get()
    assert (export.status, export.photo_count) == ("ready", 2)
    body = clients.s3().get_object(Bucket=aws_backend.PHOTO_BUCKET, Key=export.key)["Body"].read()
    archive = zipfile.ZipFile(io.BytesIO(body))
    assert sorted(archive.namelist()) == [
        "ana-ben/Carla/Carla_20260620T120000Z_0.png",
        "ana-ben/José/José_20260621T120000Z_1.png",
    ]
    assert archive.read("ana-ben/Carla/Carla_20260620T120000Z_0.png") == stored
    assert [entry.date_time for entry in archive.infolist()] == [(2026, 6, 20, 12, 0, 0), (2026, 6, 21, 12, 0, 0)]
    page = client.get(reverse("download-all", args=[wedding.slug]))
    [ready] = page.context["exports"]
    query = parse_qs(urlparse(ready.url).query)
    assert int(query["X-Amz-Expires"][0]) <= 900 and "attachment" in query["response-content-disposition"][0]


@pytest.mark.parametrize(("form", "scope", "count"), [({}, "not_hidden", 1), ({"hidden": "1"}, "with_hidden", 2)])
def test_a_zip_leaves_hidden_photos_out_unless_the_organizer_includes_them(
    client, alice, wedding, stored, aws_backend, form, scope, count
):
    Photo.objects.filter(key__contains="José").update(hidden=True)
    client.force_login(alice)
    client.post(reverse("download-all", args=[wedding.slug]), form)
    export = PhotoExport.objects.get()
    assert (export.scope, export.status, export.photo_count) == (scope, "ready", count)
    body = clients.s3().get_object(Bucket=aws_backend.PHOTO_BUCKET, Key=export.key)["Body"].read()
    assert len(zipfile.ZipFile(io.BytesIO(body)).namelist()) == count


def test_the_albums_zip_holds_only_shared_photos_and_stays_off_the_organizers_list(client, alice, wedding, stored):
    Photo.objects.filter(key__contains="José").update(approved=False)
    export = export_start(event=wedding, scope=PhotoExport.Scope.SHARED)
    export.refresh_from_db()
    assert (export.status, export.photo_count) == ("ready", 1)
    client.force_login(alice)
    assert client.get(reverse("download-all", args=[wedding.slug])).context["exports"] == []


def test_on_lambda_the_build_is_an_asynchronous_invocation_of_the_function_itself(client, alice, wedding, monkeypatch):
    calls = []

    class FakeLambda:
        def invoke(self, **kwargs):
            calls.append(kwargs)

    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "photoshare-dashboard")
    monkeypatch.setattr(clients, "lambda_client", lambda: FakeLambda())
    client.force_login(alice)
    client.post(reverse("download-all", args=[wedding.slug]))
    [call] = calls
    payload = json.loads(call["Payload"])
    assert (call["FunctionName"], call["InvocationType"]) == ("photoshare-dashboard", "Event")
    assert payload["command"] == f"{export_build_command.__module__}.{export_build_command.__name__}"
    assert PhotoExport.objects.get(pk=payload["export_id"]).status == "pending"


def test_an_export_that_cannot_start_is_marked_failed_and_says_so(client, alice, wedding, monkeypatch):
    # GIVEN a function refused the invocation of itself (as by a policy without lambda:InvokeFunction)
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "photoshare-dashboard")
    refused = boto3.client("lambda")
    stubber = Stubber(refused)
    stubber.add_client_error("invoke", service_error_code="AccessDeniedException", http_status_code=403)
    stubber.activate()
    monkeypatch.setattr(clients, "lambda_client", lambda: refused)
    # WHEN the organizer asks for the ZIP
    client.force_login(alice)
    response = client.post(reverse("download-all", args=[wedding.slug]), follow=True)
    # THEN the page says it could not start, and the export is not left pending
    assert response.status_code == 200
    assert [str(m) for m in response.context["messages"]] == [ExportNotStarted.message]
    assert PhotoExport.objects.get().status == "failed"


def test_a_failed_build_is_marked_failed(wedding, monkeypatch):
    export = PhotoExport.objects.create(event=wedding, key="exports/ana-ben/x.zip")
    monkeypatch.setattr("events.exports.export_build", lambda export: (_ for _ in ()).throw(OSError("S3 down")))
    export_build_command({"export_id": export.pk})
    export.refresh_from_db()
    assert export.status == "failed"


def test_the_zip_reaches_s3transfer_in_parts_of_exactly_the_size_it_asks_for():
    reader = _GeneratorReader(iter([b"ab", b"cde", b"f", b"ghij"]))
    assert [reader.read(4), reader.read(4), reader.read(4), reader.read(-1)] == [b"abcd", b"efgh", b"ij", b""]


def test_the_upload_holds_no_more_than_two_parts_read_ahead_of_s3():
    assert _TRANSFER.max_in_memory_upload_chunks * _TRANSFER.multipart_chunksize <= 16 * 1024 * 1024
