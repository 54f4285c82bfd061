"""PUT /api/uploads/<id>/data: the local server's end of a direct upload's signed URLs, both ways it is
served: the Django view behind the whole middleware stack (runserver, test servers) and the WSGI path
gunicorn takes before Django (photoshare_site/wsgi.py). The body streams to the disk, never whole in
memory; the signature is the authority."""

import hashlib
import io
import json
import os
import tracemalloc
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import pytest
from django.test import Client, RequestFactory
from django.test.client import ClientHandler

from photoshare_site import wiring
from tests.uploads.contract_photos import stored_photo
from uploads.local_put import serving_puts
from uploads.ports import STAGING_PREFIX, PendingUpload
from uploads.stores.staging_fs import CHUNK, FileSystemStaging

DEVICE = "6f1c1e0a-1b8e-4d84-9d8a-2f1f3f3c0001"
MB = 1_000_000


class Body(io.RawIOBase):
    """A request body of `size` bytes made on demand: the test holds none of it whole. `stop_at`: the
    client vanishes after that many bytes."""

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


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    content: bytes

    def json(self) -> dict:
        return json.loads(self.content)


def through_django(environ: dict) -> Answer:
    response = ClientHandler()(environ)
    return Answer(response.status_code, dict(response.items()), response.content)


def before_django(environ: dict) -> Answer:
    """The path gunicorn takes; anything it leaves to Django is answered 599 here."""
    started: dict = {}

    def django(environ, start_response):
        start_response("599 Left to Django", [])
        return [b"{}"]

    def start_response(status, headers):
        started.update(status=int(status.split()[0]), headers=dict(headers))

    content = b"".join(serving_puts(django, wiring.local_staging, [])(environ, start_response))
    return Answer(started["status"], started["headers"], content)


@pytest.fixture(params=[through_django, before_django], ids=["view", "before-django"])
def serve(request):
    return request.param


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


def request(url: str, body, *, method: str = "PUT", length: int | None = None) -> dict:
    """The WSGI environ of a request with `body` (bytes, or a stream sending `length` bytes)."""
    parts = urlsplit(url)
    stream = io.BytesIO(body) if isinstance(body, bytes) else body
    announced = len(body) if isinstance(body, bytes) else length
    return RequestFactory()._base_environ(
        PATH_INFO=parts.path,
        QUERY_STRING=parts.query,
        REQUEST_METHOD=method,
        CONTENT_TYPE="image/jpeg",
        CONTENT_LENGTH="" if announced is None else str(announced),
        **{"wsgi.input": stream},
    )


def put(serve, url: str, body, **options) -> Answer:
    return serve(request(url, body, **options))


def staged_files(photos_dir) -> list[str]:
    folder = photos_dir / STAGING_PREFIX
    # An empty file is a started upload's placeholder (FileSystemStaging.targets): no byte staged.
    return sorted(p.name for p in folder.rglob("*") if p.is_file() and p.stat().st_size) if folder.exists() else []


def test_a_whole_file_is_stored_and_answered_with_its_etag(serve, store):
    data = os.urandom(3000)
    upload = pending(data)
    answer = put(serve, single_url(store, upload), data)
    assert answer.status == 200
    etag = answer.json()["etag"]
    assert answer.json() == {"status": "received", "part": 1, "etag": etag}
    assert etag and answer.headers["ETag"] == f'"{etag}"'
    assert answer.headers["Content-Type"] == "application/json"
    assert "Set-Cookie" not in answer.headers
    assert store.received(upload) == [1]


def test_the_view_needs_no_cookie_nor_csrf_token(store):
    data = os.urandom(3000)
    upload = pending(data)
    response = Client(enforce_csrf_checks=True).put(single_url(store, upload), data, content_type="image/jpeg")
    assert response.status_code == 200
    assert store.received(upload) == [1]


def test_gunicorn_serves_the_puts_before_django(store):
    umask = os.umask(0o077)
    try:
        from photoshare_site.wsgi import application
    finally:
        os.umask(umask)  # importing it makes the test process's new files private, as the server's

    data = os.urandom(3000)
    upload = pending(data)
    started = []
    content = b"".join(application(request(single_url(store, upload), data), lambda *args: started.append(args)))
    assert started[0][0] == "200 OK"
    assert json.loads(content)["status"] == "received"
    assert ("X-Content-Type-Options", "nosniff") in started[0][1]


def test_only_a_put_to_a_data_url_is_served_before_django(store):
    url = single_url(store, pending(b"x"))
    assert before_django(request(url, b"x", method="POST")).status == 599
    assert before_django(request(url.replace("/data?", "/other?"), b"x")).status == 599


def test_the_whole_flow_from_targets_to_publish(serve, store, photos_dir):
    store.part_size = 1000
    data = os.urandom(2500)
    upload = pending(data)
    parts = store.targets(upload).parts or []
    for n, part in reversed(list(enumerate(parts))):
        assert put(serve, part.url, data[n * 1000 : (n + 1) * 1000]).status == 200
    assert store.received(upload) == [1, 2, 3]
    store.assemble(upload, None)
    with store.open(upload) as file:
        assert hashlib.sha256(file.read()).hexdigest() == upload.fingerprint
        store.publish(upload, file, stored_photo("ana-ben/Carla/1.jpg"))
    store.discard(upload)
    assert (photos_dir / "ana-ben/Carla/1.jpg").read_bytes() == data
    assert staged_files(photos_dir) == []


@pytest.mark.django_db
def test_a_40_mb_body_streams_to_the_disk_past_the_request_body_cap_in_little_memory(serve, settings, store):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = int(2.5 * MB)
    store.part_size = 64 * MB
    body = Body(40 * MB)
    upload = pending(b"", sha256=body.sha256(), size=body.size)
    environ = request(single_url(store, upload), body, length=body.size)
    tracemalloc.start()
    try:
        answer = serve(environ)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert answer.status == 200, answer.content
    assert store.received(upload) == [1]
    assert peak < 8 * MB


def test_a_wrong_content_length_is_refused_before_any_byte_is_written(serve, store, photos_dir):
    data = os.urandom(3000)
    answer = put(serve, single_url(store, pending(data)), data[:2999])
    assert answer.status == 400
    assert answer.json()["status"] == "bad_request"
    assert "3000" in answer.json()["message"]
    assert staged_files(photos_dir) == []


def test_a_body_without_content_length_is_refused(serve, store, photos_dir):
    answer = put(serve, single_url(store, pending(b"x" * 3000)), Body(3000), length=None)
    assert answer.status == 411
    assert answer.json()["status"] == "length_required"
    assert staged_files(photos_dir) == []


def test_a_body_that_ends_early_is_marked_nothing(serve, store):
    upload = pending(b"x" * 3000)
    answer = put(serve, single_url(store, upload), Body(3000, stop_at=1200), length=3000)
    assert answer.status == 400
    assert store.received(upload) == []


def test_a_changed_signature_is_refused(serve, store, photos_dir):
    data = os.urandom(3000)
    url = single_url(store, pending(data))
    signature = url.rsplit("sig=", 1)[1]
    answer = put(serve, url.replace(signature, signature[::-1]), data)
    assert answer.status == 403
    assert answer.json()["status"] == "wrong_key"
    assert staged_files(photos_dir) == []


def test_an_expired_url_is_refused(serve, store, photos_dir):
    data = os.urandom(3000)
    answer = put(serve, single_url(store, pending(data, expires_in=-1)), data)
    assert answer.status == 403
    assert staged_files(photos_dir) == []


def test_a_changed_part_number_is_refused(serve, store, photos_dir):
    store.part_size = 1000
    data = os.urandom(2500)
    second = (store.targets(pending(data)).parts or [])[1].url
    answer = put(serve, second.replace("part=2", "part=1"), data[:1000])
    assert answer.status == 403
    assert staged_files(photos_dir) == []


def test_a_disk_at_its_free_space_floor_takes_no_bytes(serve, settings, store, photos_dir):
    settings.PHOTOS_MIN_FREE_BYTES = 10**18
    data = os.urandom(3000)
    answer = put(serve, single_url(store, pending(data)), data)
    assert answer.status == 503
    assert answer.json()["status"] == "storage_full"
    assert answer.headers["Retry-After"] == "60"
    assert staged_files(photos_dir) == []


def test_the_view_answers_only_put(store):
    answer = through_django(request(single_url(store, pending(b"x")), b"x", method="POST"))
    assert answer.status == 405
