"""PUT /api/uploads/<id>/data: the local server's end of a direct upload's signed URLs, through the
whole Django stack. The body streams to the disk, never whole in memory; the signature is the authority."""

import hashlib
import io
import os
import tracemalloc
import uuid
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import pytest
from django.test import Client, RequestFactory
from django.test.client import ClientHandler

from photoshare_site import wiring
from tests.uploads.contract_photos import stored_photo
from uploads.ports import STAGING_PREFIX, PendingUpload
from uploads.stores.staging_fs import CHUNK, FileSystemStaging

DEVICE = "6f1c1e0a-1b8e-4d84-9d8a-2f1f3f3c0001"
MB = 1_000_000


class Body(io.RawIOBase):
    """A request body of `size` bytes made on demand, a block at a time: the test holds none of it whole."""

    BLOCK = os.urandom(64 * 1024)

    def __init__(self, size: int, *, stop_at: int | None = None):
        self.size, self.sent, self.stop_at = size, 0, size if stop_at is None else stop_at

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        size = self.stop_at - self.sent if size is None or size < 0 else min(size, self.stop_at - self.sent)
        start = self.sent % len(self.BLOCK)
        chunk = (self.BLOCK * (size // len(self.BLOCK) + 2))[start : start + size]
        self.sent += len(chunk)
        return chunk

    def sha256(self) -> str:
        digest, copy = hashlib.sha256(), Body(self.size)
        while chunk := copy.read(CHUNK):
            digest.update(chunk)
        return digest.hexdigest()


@pytest.fixture
def store(photos_dir) -> FileSystemStaging:
    return wiring.local_staging()


def pending(data: bytes, *, expires_in: int = 600, sha256: str | None = None, size: int | None = None):
    return PendingUpload(
        "ana-ben",
        DEVICE,
        sha256 or hashlib.sha256(data).hexdigest(),
        uuid.uuid4().hex,
        len(data) if size is None else size,
        "image/jpeg",
        datetime.now(UTC) + timedelta(seconds=expires_in),
    )


def single_url(store: FileSystemStaging, upload: PendingUpload) -> str:
    target = store.targets(upload).single
    assert target is not None
    return target.url


def put(client, url: str, body: bytes, **extra):
    return client.put(url, body, content_type="image/jpeg", **extra)


def staged_files(photos_dir) -> list[str]:
    folder = photos_dir / STAGING_PREFIX
    return sorted(p.name for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def test_a_whole_file_is_stored_and_answered_with_its_etag(store):
    data = os.urandom(3000)
    upload = pending(data)
    # No cookie, no CSRF token: the signature is the authority.
    response = put(Client(enforce_csrf_checks=True), single_url(store, upload), data)
    assert response.status_code == 200
    assert response.json() == {"status": "received", "part": 1, "etag": upload.fingerprint}
    assert response["ETag"] == f'"{upload.fingerprint}"'
    assert "Set-Cookie" not in response
    assert store.received(upload) == [1]


def test_the_whole_flow_from_targets_to_publish(client, store, photos_dir):
    store.part_size = 1000
    data = os.urandom(2500)
    upload = pending(data)
    parts = store.targets(upload).parts or []
    for n, part in reversed(list(enumerate(parts))):
        assert put(client, part.url, data[n * 1000 : (n + 1) * 1000]).status_code == 200
    store.assemble(upload, None)
    with store.open(upload) as file:
        assert hashlib.sha256(file.read()).hexdigest() == upload.fingerprint
        store.publish(upload, file, stored_photo("ana-ben/Carla/1.jpg"))
    store.discard(upload)
    assert (photos_dir / "ana-ben/Carla/1.jpg").read_bytes() == data
    assert staged_files(photos_dir) == []


@pytest.mark.django_db
def test_a_40_mb_body_streams_to_the_disk_past_the_request_body_cap_in_little_memory(settings, store):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = int(2.5 * MB)
    store.part_size = 64 * MB
    body = Body(40 * MB)
    upload = pending(b"", sha256=body.sha256(), size=body.size)
    url = urlsplit(single_url(store, upload))
    environ = RequestFactory()._base_environ(
        PATH_INFO=url.path,
        QUERY_STRING=url.query,
        REQUEST_METHOD="PUT",
        CONTENT_LENGTH=str(body.size),
        CONTENT_TYPE="image/jpeg",
        **{"wsgi.input": body},
    )
    tracemalloc.start()
    try:
        response = ClientHandler()(environ)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert response.status_code == 200, response.content
    assert store.received(upload) == [1]
    assert peak < 8 * MB


def test_a_wrong_content_length_is_refused_before_any_byte_is_written(client, store, photos_dir):
    data = os.urandom(3000)
    response = put(client, single_url(store, pending(data)), data[:2999])
    assert response.status_code == 400
    assert response.json()["status"] == "bad_request"
    assert "3000" in response.json()["message"]
    assert staged_files(photos_dir) == []


def test_a_body_without_content_length_is_refused(client, store):
    data = os.urandom(3000)
    response = put(client, single_url(store, pending(data)), data, CONTENT_LENGTH="")
    assert response.status_code == 411
    assert response.json()["status"] == "length_required"


def test_a_body_that_ends_early_is_marked_nothing(store):
    data = os.urandom(3000)
    upload = pending(data)
    url = urlsplit(single_url(store, upload))
    environ = RequestFactory()._base_environ(
        PATH_INFO=url.path,
        QUERY_STRING=url.query,
        REQUEST_METHOD="PUT",
        CONTENT_LENGTH="3000",
        **{"wsgi.input": Body(3000, stop_at=1200)},
    )
    response = ClientHandler()(environ)
    assert response.status_code == 400
    assert store.received(upload) == []


def test_a_whole_file_with_another_sha256_is_refused_and_nothing_is_left(client, store, photos_dir):
    data = os.urandom(3000)
    response = put(client, single_url(store, pending(data)), os.urandom(3000))
    assert response.status_code == 400
    assert response.json()["status"] == "wrong_bytes"
    assert staged_files(photos_dir) == []


def test_a_changed_signature_is_refused(client, store, photos_dir):
    data = os.urandom(3000)
    url = single_url(store, pending(data))
    signature = url.rsplit("sig=", 1)[1]
    response = put(client, url.replace(signature, signature[::-1]), data)
    assert response.status_code == 403
    assert response.json()["status"] == "wrong_key"
    assert staged_files(photos_dir) == []


def test_an_expired_url_is_refused(client, store, photos_dir):
    data = os.urandom(3000)
    response = put(client, single_url(store, pending(data, expires_in=-1)), data)
    assert response.status_code == 403
    assert staged_files(photos_dir) == []


def test_a_changed_part_number_is_refused(client, store, photos_dir):
    store.part_size = 1000
    data = os.urandom(2500)
    second = (store.targets(pending(data)).parts or [])[1].url
    response = put(client, second.replace("part=2", "part=1"), data[:1000])
    assert response.status_code == 403
    assert staged_files(photos_dir) == []


def test_a_disk_at_its_free_space_floor_takes_no_bytes(client, settings, store, photos_dir):
    settings.PHOTOS_MIN_FREE_BYTES = 10**18
    data = os.urandom(3000)
    response = put(client, single_url(wiring.local_staging(), pending(data)), data)
    assert response.status_code == 503
    assert response.json()["status"] == "storage_full"
    assert staged_files(photos_dir) == []


def test_only_put_is_answered(client, store):
    response = client.post(single_url(store, pending(b"x")), b"x", content_type="image/jpeg")
    assert response.status_code == 405
