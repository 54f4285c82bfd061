"""The local staging store of direct uploads: signed URLs, parts at their offsets, received markers,
completion that no late PUT can change, publishing by hard link, and the clean-ups."""

import fcntl
import hashlib
import hmac
import io
import os
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit

import pytest

from tests.uploads.contract_photos import stored_photo
from uploads.ports import (
    STAGING_PREFIX,
    BadRequest,
    KeyExists,
    PendingUpload,
    StagingStore,
    StorageFull,
    UnknownUpload,
    UploadIncomplete,
    UploadInProgress,
)
from uploads.stores.filesystem import FileSystemPhotoStore
from uploads.stores.staging_fs import FileSystemStaging, ForgedUrl, Grant

# The same whatever DATABASE_URL says: the PostgreSQL pass leaves it out.
pytestmark = pytest.mark.one_database


PART = 1000
DEVICE = "6f1c1e0a-1b8e-4d84-9d8a-2f1f3f3c0001"
DATA = os.urandom(2 * PART + 345)  # three parts, the last one shorter


def sign(message: str) -> str:
    return hmac.new(b"test key", message.encode(), "sha256").hexdigest()


def staging(root: Path, **photo_store: object) -> FileSystemStaging:
    return FileSystemStaging(FileSystemPhotoStore(root, **photo_store), sign, part_size=PART)  # type: ignore[arg-type]


@pytest.fixture
def store(tmp_path) -> FileSystemStaging:
    return staging(tmp_path)


def pending(data: bytes = DATA, *, event: str = "ana-ben", expires_in: int = 600) -> PendingUpload:
    expires_at = datetime.now(UTC) + timedelta(seconds=expires_in)
    return PendingUpload(
        event, DEVICE, hashlib.sha256(data).hexdigest(), uuid.uuid4().hex, len(data), "image/jpeg", expires_at
    )


def grant_of(url: str) -> Grant:
    parts = urlsplit(url)
    upload_id = unquote(parts.path.split("/")[3])
    return Grant.verified(upload_id, dict(parse_qsl(parts.query)), sign)


def urls(store: FileSystemStaging, upload: PendingUpload) -> list[str]:
    targets = store.targets(upload)
    return [targets.single.url] if targets.single else [part.url for part in targets.parts or []]


def send(store: FileSystemStaging, url: str, body: bytes) -> str:
    return store.receive(grant_of(url), io.BytesIO(body).read)


def send_all(store: FileSystemStaging, upload: PendingUpload, data: bytes = DATA) -> None:
    for n, url in enumerate(urls(store, upload)):
        send(store, url, data[n * PART : (n + 1) * PART])


def files_under(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def test_a_url_replayed_after_its_upload_was_discarded_stages_nothing(store, tmp_path):
    upload = pending()
    url = urls(store, upload)[0]
    store.discard(upload)
    with pytest.raises(UnknownUpload):
        send(store, url, DATA[:PART])
    assert files_under(tmp_path) == []


def test_it_is_a_staging_store(store):
    checked: StagingStore = store
    assert checked.part_size == PART


def test_a_file_up_to_the_part_size_is_one_signed_put_with_its_content_type(store):
    upload = pending(DATA[:PART])
    targets = store.targets(upload)
    assert targets.parts is None
    assert targets.single is not None
    assert targets.single.method == "PUT"
    assert targets.single.headers == {"Content-Type": "image/jpeg"}
    assert targets.single.url.startswith(f"/api/uploads/{upload.upload_id}/data?deviceId={DEVICE}&size={PART}&")
    grant = grant_of(targets.single.url)
    assert (grant.part, grant.offset, grant.length) == (None, 0, PART)


def test_a_larger_file_gets_one_url_per_part_the_last_one_shorter(store):
    targets = store.targets(pending())
    assert targets.single is None
    assert targets.part_size == PART
    grants = [grant_of(part.url) for part in targets.parts or []]
    assert [(g.part, g.offset, g.length) for g in grants] == [(1, 0, PART), (2, PART, PART), (3, 2 * PART, 345)]


def test_the_urls_expire_with_the_upload(store):
    upload = pending()
    assert {grant_of(url).expires for url in urls(store, upload)} == {int(upload.expires_at.timestamp())}


def test_an_expired_url_is_refused(store):
    [url] = urls(store, pending(DATA[:10], expires_in=-1))
    with pytest.raises(ForgedUrl):
        grant_of(url)


@pytest.mark.parametrize(
    ("name", "value"),
    [("part", "3"), ("size", "1"), ("partSize", "1"), ("expires", "9999999999"), ("deviceId", str(uuid.uuid4()))],
)
def test_a_url_with_any_field_changed_is_refused(store, name, value):
    url = urls(store, pending())[1]
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query)) | {name: value}
    with pytest.raises(ForgedUrl):
        Grant.verified(unquote(parts.path.split("/")[3]), query, sign)


def test_a_whole_file_url_does_not_pass_for_a_part(store):
    parts = urlsplit(urls(store, pending(DATA[:10]))[0])
    query = dict(parse_qsl(parts.query)) | {"part": "0", "partSize": "0"}
    with pytest.raises(ForgedUrl):
        Grant.verified(unquote(parts.path.split("/")[3]), query, sign)


@pytest.mark.parametrize("missing", ["sig", "size", "expires", "partSize"])
def test_a_url_missing_a_field_is_refused(store, missing):
    parts = urlsplit(urls(store, pending())[0])
    query = {k: v for k, v in parse_qsl(parts.query) if k != missing}
    with pytest.raises(ForgedUrl):
        Grant.verified(unquote(parts.path.split("/")[3]), query, sign)


def test_a_url_signed_with_another_key_is_refused(store):
    upload = pending()
    other = FileSystemStaging(store.photos, lambda message: sign(message + "x"), part_size=PART)
    with pytest.raises(ForgedUrl):
        grant_of(urls(other, upload)[0])


def test_parts_sent_in_any_order_land_at_their_offsets_in_one_file(store):
    upload = pending()
    first, second, third = urls(store, upload)
    send(store, third, DATA[2 * PART :])
    send(store, first, DATA[:PART])
    send(store, second, DATA[PART : 2 * PART])
    store.assemble(upload, None)
    with store.open(upload) as file:
        assert file.read() == DATA


def test_each_part_is_marked_received_once_whole_with_an_etag_of_its_own(store):
    upload = pending()
    assert store.received(upload) == []
    first, second, _ = urls(store, upload)
    etags = {send(store, second, DATA[PART : 2 * PART]), send(store, first, DATA[:PART])}
    assert len(etags) == 2 and all(etags)
    assert store.received(upload) == [1, 2]


def test_a_body_that_ends_early_marks_nothing_received(store):
    upload = pending()
    with pytest.raises(BadRequest, match="short"):
        send(store, urls(store, upload)[0], DATA[: PART - 1])
    assert store.received(upload) == []


def test_assemble_names_the_missing_parts(store):
    upload = pending()
    send(store, urls(store, upload)[1], DATA[PART : 2 * PART])
    with pytest.raises(UploadIncomplete) as refused:
        store.assemble(upload, None)
    assert refused.value.missing == [1, 3]


def test_assemble_of_a_file_never_sent_names_its_only_part(store):
    with pytest.raises(UploadIncomplete) as refused:
        store.assemble(pending(DATA[:10]), None)
    assert refused.value.missing == [1]


def test_assemble_again_once_whole_changes_nothing(store):
    upload = pending()
    send_all(store, upload)
    store.assemble(upload, None)
    store.assemble(upload, {1: "a", 2: "b", 3: "c"})
    with store.open(upload) as file:
        assert file.read() == DATA


def test_open_with_nothing_staged_is_an_unknown_upload(store):
    with pytest.raises(UnknownUpload), store.open(pending()):
        pass


def test_the_staged_file_opens_for_reading_and_writing_in_place(store):
    upload = pending()
    send_all(store, upload)
    with store.open(upload) as file:
        file.seek(5)
        file.write(b"XXXX")
    with store.open(upload) as file:
        assert file.read() == DATA[:5] + b"XXXX" + DATA[9:]


def test_completion_does_not_begin_while_a_part_is_being_written(store, tmp_path):
    upload = pending()
    send_all(store, upload)
    writer = os.open(tmp_path / upload.staging_key, os.O_RDWR)
    try:
        fcntl.flock(writer, fcntl.LOCK_SH)  # as a PUT holds it while it writes
        with pytest.raises(UploadInProgress), store.open(upload):
            pass
    finally:
        os.close(writer)


def test_no_part_is_written_once_completion_began(store):
    upload = pending()
    send_all(store, upload)
    with store.open(upload):
        pass
    with pytest.raises(UnknownUpload):
        send(store, urls(store, upload)[0], b"y" * PART)
    with store.open(upload) as file:
        assert file.read() == DATA


def test_publish_links_the_bytes_as_changed_to_the_photo_key(store, tmp_path):
    upload = pending()
    send_all(store, upload)
    with store.open(upload) as file:
        file.write(b"blank")
        store.publish(upload, file, stored_photo("ana-ben/Carla/1.jpg"))
    photo = tmp_path / "ana-ben/Carla/1.jpg"
    assert photo.read_bytes() == b"blank" + DATA[5:]
    assert os.path.samefile(photo, tmp_path / upload.staging_key)


def test_publish_never_overwrites_a_photo(store, tmp_path):
    upload = pending()
    send_all(store, upload)
    (tmp_path / "ana-ben/Carla").mkdir(parents=True)
    (tmp_path / "ana-ben/Carla/1.jpg").write_bytes(b"first")
    with store.open(upload) as file, pytest.raises(KeyExists):
        store.publish(upload, file, stored_photo("ana-ben/Carla/1.jpg"))
    assert (tmp_path / "ana-ben/Carla/1.jpg").read_bytes() == b"first"


def test_publish_then_discard_leaves_only_the_photo(store, tmp_path):
    upload = pending()
    send_all(store, upload)
    with store.open(upload) as file:
        store.publish(upload, file, stored_photo("ana-ben/Carla/1.jpg"))
    store.discard(upload)
    assert files_under(tmp_path) == ["ana-ben/Carla/1.jpg"]
    assert (tmp_path / "ana-ben/Carla/1.jpg").read_bytes() == DATA


def test_discard_of_nothing_staged_is_a_no_op(store):
    store.discard(pending())


def test_no_bytes_are_staged_on_a_disk_at_its_free_space_floor(tmp_path):
    store = staging(tmp_path, min_free_bytes=10**6, free_bytes=lambda path: 10**6 + PART - 1)
    with pytest.raises(StorageFull):
        send(store, urls(store, pending())[0], DATA[:PART])
    # Only the placeholder its start made: empty, no part marked received.
    assert [(tmp_path / name).stat().st_size for name in files_under(tmp_path)] == [0]


def test_nothing_is_published_on_a_disk_below_its_floor(tmp_path):
    free = [10**9]
    store = staging(tmp_path, min_free_bytes=10**6, free_bytes=lambda path: free[0])
    upload = pending()
    send_all(store, upload)
    free[0] = 10**6 - 1
    with store.open(upload) as file, pytest.raises(StorageFull):
        store.publish(upload, file, stored_photo("ana-ben/Carla/1.jpg"))
    assert not (tmp_path / "ana-ben/Carla/1.jpg").exists()


def test_discard_event_removes_what_the_event_staged_and_only_that(store, tmp_path):
    ours, theirs = pending(), pending(event="other")
    send_all(store, ours)
    send(store, urls(store, pending(event="ana-ben"))[0], DATA[:PART])
    send_all(store, theirs)
    assert store.discard_event("ana-ben") == 2
    assert not (tmp_path / STAGING_PREFIX / "ana-ben").exists()
    assert store.received(theirs) == [1, 2, 3]
    assert store.discard_event("nothing-here") == 0


def test_the_sweep_removes_staged_leftovers_older_than_its_cutoff_and_keeps_the_rest(store, tmp_path):
    old, recent = pending(), pending()
    send_all(store, old)
    send_all(store, recent)
    day_ago = datetime.now(UTC) - timedelta(days=1)
    for path in (tmp_path / STAGING_PREFIX).rglob(f"{old.fingerprint}.{old.token}*"):
        stamp = (day_ago - timedelta(minutes=1)).timestamp()
        os.utime(path, (stamp, stamp))
    assert store.remove_leftovers(day_ago) == 1
    assert store.received(old) == []
    assert store.received(recent) == [1, 2, 3]
    assert store.remove_leftovers(day_ago) == 0
