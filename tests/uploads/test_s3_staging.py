"""Direct uploads staged on S3 (uploads/aws/staging.py), with the presigned URLs used for real: moto's
HTTP server stores what arrives, and a gate in front of it refuses what S3 refuses and moto does not
check (a signed header changed, an expired URL, a body whose SHA-256 differs from its header):
tests/presigned_s3.py says what moto skips and how the gate checks it."""

import base64
import hashlib
import os
import urllib.request
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import boto3
import pytest
import requests
from botocore.config import Config
from botocore.exceptions import ClientError

from tests.presigned_s3 import ACCESS_KEY, SECRET_KEY, GatedMotoServer
from tests.uploads.contract_photos import stored_photo
from uploads.aws import staging
from uploads.aws.staging import S3Staging
from uploads.ports import KeyExists, PendingUpload, Target, UnknownUpload, UploadIncomplete

pytestmark = pytest.mark.one_database

REGION, BUCKET = "eu-west-1", "photoshare-test-photos"
MiB = 1024 * 1024
# S3's smallest part but the last: 5 MiB. Five parts, the last one shorter.
PART = 5 * MiB
VIDEO_SIZE = 4 * PART + 123_456


@pytest.fixture(scope="module")
def server():
    server = GatedMotoServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def s3(server):
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    # moto's state outlives each test: every test starts from an empty account.
    urllib.request.urlopen(urllib.request.Request(f"{endpoint}/moto-api/reset", method="POST")).close()  # noqa: S310
    server.gate.clock_offset = timedelta(0)
    client = boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
        config=Config(signature_version="s3v4"),
    )
    client.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
    # Versioned, as provisioned: a discard must not leave the bytes behind as an old version.
    client.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Enabled"})
    return client


@pytest.fixture
def store(s3) -> S3Staging:
    # moto's address takes path-style requests: the test's client signs too (SigV4, as PRESIGNING).
    return S3Staging(s3, BUCKET, part_size=PART, presigner=s3)


def pending(data: bytes, *, event: str = "ana-ben", token: str = "t1", seconds: int = 900) -> PendingUpload:
    return PendingUpload(
        event=event,
        device="6f1c1e0a-1b8e-4d84-9d8a-2f1f3f3c0001",
        fingerprint=hashlib.sha256(data).hexdigest(),
        token=token,
        size=len(data),
        content_type="video/mp4" if len(data) > PART else "image/jpeg",
        expires_at=datetime.now(UTC) + timedelta(seconds=seconds),
    )


def single(store: S3Staging, upload: PendingUpload) -> Target:
    target = store.targets(upload).single
    assert target is not None
    return target


def put(target: Target, body: bytes, **headers: str) -> requests.Response:
    return requests.put(target.url, data=body, headers={**target.headers, **headers}, timeout=30)


def send_parts(targets, data: bytes, numbers) -> None:
    for n in numbers:
        assert put(targets.parts[n - 1], data[(n - 1) * PART : n * PART]).status_code == 200


def url_query(url: str) -> dict[str, str]:
    return {name: values[0] for name, values in parse_qs(urlsplit(url).query).items()}


def staged_versions(s3) -> list[str]:
    listing = s3.list_object_versions(Bucket=BUCKET)
    return [v["Key"] for v in listing.get("Versions", []) + listing.get("DeleteMarkers", [])]


def open_uploads(s3) -> list[str]:
    return [u["Key"] for u in s3.list_multipart_uploads(Bucket=BUCKET).get("Uploads", [])]


# --- one request --------------------------------------------------------------------------------
def test_a_single_presigned_put_stores_exactly_the_announced_bytes(store):
    photo = os.urandom(1000)
    upload = pending(photo, seconds=300)
    target = single(store, upload)
    assert target.method == "PUT"
    assert target.headers == {
        "Content-Type": "image/jpeg",
        "x-amz-checksum-sha256": base64.b64encode(hashlib.sha256(photo).digest()).decode(),
    }
    # The signature covers the size, the type and the checksum: S3 refuses the request if any differs.
    query = url_query(target.url)
    assert query["X-Amz-SignedHeaders"] == "content-length;content-type;host;x-amz-checksum-sha256"
    assert 295 <= int(query["X-Amz-Expires"]) <= 300
    assert urlsplit(target.url).path == f"/{BUCKET}/{upload.staging_key}"
    assert store.received(upload) == []
    assert put(target, photo).status_code == 200
    assert store.received(upload) == [1]
    store.assemble(upload, None)
    with store.open(upload) as file:
        assert file.read() == photo


def test_s3_refuses_other_bytes_of_the_same_length(store):
    photo, other = os.urandom(1000), os.urandom(1000)
    upload = pending(photo)
    target = single(store, upload)
    # With the announced checksum: the body does not match it.
    assert put(target, other).status_code == 400
    # With the other bytes' own checksum: the signature does not match.
    own = base64.b64encode(hashlib.sha256(other).digest()).decode()
    assert put(target, other, **{"x-amz-checksum-sha256": own}).status_code == 403
    assert store.received(upload) == []
    with pytest.raises(UploadIncomplete) as refused:
        store.assemble(upload, None)
    assert refused.value.missing == [1]


def test_s3_refuses_a_body_of_another_length(store):
    photo = os.urandom(1000)
    target = single(store, pending(photo))
    assert put(target, photo + b"!").status_code == 403
    assert put(target, photo[:-1]).status_code == 403
    assert store.received(pending(photo)) == []


def test_s3_refuses_the_url_once_it_expired(store, server):
    photo = os.urandom(1000)
    upload = pending(photo, seconds=60)
    target = single(store, upload)
    server.gate.clock_offset = timedelta(seconds=61)
    assert put(target, photo).status_code == 403
    assert store.received(upload) == []


def test_a_url_lives_at_most_fifteen_minutes_whatever_the_claim_says(store):
    # The claim's deadline carries a minute of grace after the URL's lifetime.
    target = single(store, pending(b"photo", seconds=960))
    assert int(url_query(target.url)["X-Amz-Expires"]) == 900


# --- in parts -----------------------------------------------------------------------------------
def test_a_multipart_upload_cut_after_two_parts_continues_where_it_stopped(store, s3):
    video = os.urandom(VIDEO_SIZE)
    upload = pending(video)
    first = store.targets(upload)
    assert (first.single, first.part_size, len(first.parts)) == (None, PART, 5)
    upload_id = url_query(first.parts[0].url)["uploadId"]
    send_parts(first, video, [1, 2])
    assert store.received(upload) == [1, 2]
    with pytest.raises(UploadIncomplete) as incomplete:
        store.assemble(upload, None)
    assert incomplete.value.missing == [3, 4, 5]
    # The page reloads: asking again continues the same multipart upload, parts 1 and 2 kept.
    again = store.targets(upload)
    assert {url_query(t.url)["uploadId"] for t in again.parts} == {upload_id}
    send_parts(again, video, [3, 4, 5])
    store.assemble(upload, {1: "not needed on S3"})
    store.assemble(upload, None)
    assert store.received(upload) == [1, 2, 3, 4, 5]
    assert open_uploads(s3) == []
    with store.open(upload) as file:
        # Past 8 MB the staged copy is on disk, not in memory.
        assert file._rolled
        assert hashlib.sha256(file.read()).hexdigest() == upload.fingerprint


def test_when_another_completer_joined_the_parts_first_completing_still_succeeds(store, s3, monkeypatch):
    video = os.urandom(VIDEO_SIZE)
    upload = pending(video)
    send_parts(store.targets(upload), video, [1, 2, 3, 4, 5])
    complete = s3.complete_multipart_upload

    def joined_meanwhile(**params):
        # The page's completion and the bucket's event race: the other one joins the parts first, and
        # S3 answers this one that the upload is gone (moto would answer it again as a success).
        complete(**params)
        raise ClientError({"Error": {"Code": "NoSuchUpload"}}, "CompleteMultipartUpload")

    monkeypatch.setattr(s3, "complete_multipart_upload", joined_meanwhile)
    store.assemble(upload, None)
    with store.open(upload) as file:
        assert hashlib.sha256(file.read()).hexdigest() == upload.fingerprint


def test_each_part_url_is_bound_to_its_exact_size(store):
    video = os.urandom(VIDEO_SIZE)
    upload = pending(video)
    targets = store.targets(upload)
    assert put(targets.parts[0], video[: PART - 1]).status_code == 403
    assert put(targets.parts[4], video[4 * PART :] + b"!").status_code == 403
    assert store.received(upload) == []


# --- completing and removing ----------------------------------------------------------------------
def test_publish_stores_the_photo_with_its_metadata_and_never_overwrites(store, s3):
    photo = os.urandom(1000)
    upload = pending(photo)
    put(single(store, upload), photo)
    final = stored_photo("ana-ben/Carla/20260620T120000Z_1.jpg", size=1000)
    with store.open(upload) as file:
        store.publish(upload, file, final)
        with pytest.raises(KeyExists):
            store.publish(upload, file, final)
    stored = s3.get_object(Bucket=BUCKET, Key=final.key)
    assert stored["Body"].read() == photo
    assert (stored["ContentType"], stored["ServerSideEncryption"]) == ("image/jpeg", "AES256")
    assert stored["Metadata"]["sha256"] == final.sha256
    assert len(s3.list_object_versions(Bucket=BUCKET, Prefix=final.key)["Versions"]) == 1


def test_opening_what_is_not_staged_is_an_unknown_upload(store):
    with pytest.raises(UnknownUpload), store.open(pending(b"never sent")):
        pass


def test_discard_deletes_every_version_and_aborts_the_multipart_upload(store, s3):
    photo, video = os.urandom(1000), os.urandom(VIDEO_SIZE)
    whole, parted = pending(photo), pending(video, token="t2")
    # The page sent the photo twice (a retry after a dropped connection): two versions.
    put(single(store, whole), photo)
    put(single(store, whole), photo)
    send_parts(store.targets(parted), video, [1])
    assert (staged_versions(s3), open_uploads(s3)) == ([whole.staging_key] * 2, [parted.staging_key])
    store.discard(whole)
    store.discard(parted)
    store.discard(parted)
    assert (staged_versions(s3), open_uploads(s3)) == ([], [])


def test_discarding_an_event_removes_its_staged_uploads_only(store, s3):
    photo, video = os.urandom(1000), os.urandom(VIDEO_SIZE)
    put(single(store, pending(photo)), photo)
    send_parts(store.targets(pending(video, token="t2")), video, [1, 2])
    other = pending(photo, event="ana-ben-2")
    put(single(store, other), photo)
    assert store.discard_event("ana-ben") == 2
    assert (staged_versions(s3), open_uploads(s3)) == ([other.staging_key], [])
    assert store.discard_event("ana-ben") == 0


# --- signing ------------------------------------------------------------------------------------
def test_the_phone_is_sent_to_the_buckets_regional_virtual_host(monkeypatch):
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)  # Lambda sets it, with AWS_REGION
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", ACCESS_KEY)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET_KEY)
    for name in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    staging.presigning_client.cache_clear()
    try:
        store = S3Staging(boto3.client("s3"), BUCKET)
        url = single(store, pending(b"photo")).url
    finally:
        staging.presigning_client.cache_clear()
    assert url.startswith(f"https://{BUCKET}.s3.{REGION}.amazonaws.com/_incoming/ana-ben/")
    # SigV4: botocore's default here would be SigV2, which binds neither the size nor the checksum.
    assert url_query(url)["X-Amz-Algorithm"] == "AWS4-HMAC-SHA256"
