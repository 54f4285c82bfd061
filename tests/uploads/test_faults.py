"""Fault injection: 1,000 uploads from 40 phones, on the SQL store and on DynamoDB (moto), while the
photo store and the quota store fail at random (before, during or after their work; one fault per
request at most), guests retrying as the guest page does. Afterwards nothing accepted is lost and
nothing lost is counted."""

import random
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from events.models import Photo
from events.recorder import GalleryRecorder
from events.selectors import EventPolicies
from tests.conftest import jpeg_bytes
from uploads.aws import clients
from uploads.aws.dynamodb import DynamoDBStore
from uploads.core import Uploader, UploadRequest
from uploads.ports import EventUsage, QuotaStore, QuotaUnavailable, UploadError
from uploads.stores.filesystem import FileSystemPhotoStore
from uploads.stores.sql import SqlQuotaStore

PHONES = [f"00000000-0000-4000-8000-{n:012d}" for n in range(40)]
LIMIT = 20
PHOTOS_EACH = 24
REQUESTS = 1000
FAULT_RATE = 0.3


class Faults:
    """Decides, once per request, whether and where the one fault of that request strikes."""

    POINTS = [
        ("quota.reserve", "before"),
        ("quota.reserve", "after"),
        ("quota.complete", "before"),
        ("quota.complete", "after"),
        ("photos.put", "before"),
        ("photos.put", "during"),
        ("photos.put", "after"),
    ]

    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self.armed: tuple[str, str] | None = None
        self.struck: list[tuple[str, str]] = []

    def next_request(self, faulty: bool) -> None:
        self.armed = self.rng.choice(self.POINTS) if faulty and self.rng.random() < FAULT_RATE else None

    def strikes(self, where: str, when: str) -> bool:
        if self.armed == (where, when):
            self.struck.append(self.armed)
            self.armed = None
            return True
        return False


class FlakyQuota:
    """Any quota store, failing where the fault plan says; everything else passes through."""

    def __init__(self, store, faults: Faults):
        self.store, self.faults = store, faults

    def __getattr__(self, name):
        return getattr(self.store, name)

    def reserve(self, claim, limits):
        return self._flaky("quota.reserve", self.store.reserve, claim, limits)

    def complete(self, claim, key):
        return self._flaky("quota.complete", self.store.complete, claim, key)

    def _flaky(self, where, call, *args):
        if self.faults.strikes(where, "before"):
            # Throttled, unavailable or timing out, before anything was written.
            raise self.faults.rng.choice([QuotaUnavailable(), ConnectionError(where), TimeoutError(where)])
        result = call(*args)
        if self.faults.strikes(where, "after"):
            raise TimeoutError(f"{where}: the write landed, the answer was lost")
        return result


class FlakyPhotos(FileSystemPhotoStore):
    def __init__(self, root, faults: Faults):
        super().__init__(root)
        self.faults = faults

    def put(self, photo, data):
        if self.faults.strikes("photos.put", "before"):
            raise OSError("disk unavailable")
        if self.faults.strikes("photos.put", "during"):
            # The worst a store could do: leave half a file under the final name.
            target = self.path(photo.key)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data[: len(data) // 2])
            raise OSError("connection reset mid-write")
        super().put(photo, data)
        if self.faults.strikes("photos.put", "after"):
            raise OSError("timeout after the write landed")


class Clock:
    def __init__(self):
        self.now = datetime(2026, 6, 20, 18, 0, tzinfo=UTC)

    def __call__(self):
        self.now += timedelta(seconds=1)
        return self.now


def quota_store_named(name: str, request) -> QuotaStore:
    """The real store to break: SQL, or DynamoDB under moto (run sequentially: moto is not thread-safe)."""
    if name == "sql":
        return SqlQuotaStore()
    table = request.getfixturevalue("dynamodb_table")  # starts moto before any client exists
    return DynamoDBStore(clients.dynamodb(), table)


# moto parses every expression of every request: one 1,000-request run of DynamoDB costs ~40 s of CPU, one seed there.
# The DynamoDB run keeps its counters in moto whatever the database: it runs once, in the PostgreSQL pass's process.
ONCE = (pytest.mark.one_database, pytest.mark.own_database)


@pytest.mark.parametrize(("backend", "seed"), [("sql", 1), ("sql", 2), pytest.param("dynamodb", 1, marks=ONCE)])
def test_after_1000_faulty_uploads_every_counter_equals_the_photos_stored(wedding, tmp_path, request, backend, seed):
    quota = quota_store_named(backend, request)
    faults, clock = Faults(seed), Clock()
    wedding.upload_limit = LIMIT
    wedding.save()
    uploader = Uploader(
        policies=EventPolicies(),
        quota=FlakyQuota(quota, faults),
        photos=FlakyPhotos(tmp_path, faults),
        recorder=GalleryRecorder(),
        clock=clock,
    )
    rng = random.Random(seed)
    # Each phone has more photos than its limit, and guests resend some (double taps, retries).
    pending = [(phone, rng.randrange(PHOTOS_EACH)) for phone in PHONES for _ in range(PHOTOS_EACH)]
    accepted: dict[tuple[str, int], str] = {}

    def send(phone: str, n: int, faulty: bool) -> bool:
        """True when the guest is done with this photo (stored, or refused for good)."""
        faults.next_request(faulty)
        request = UploadRequest(
            wedding.slug, wedding.upload_key, "Guest", phone, jpeg_bytes(n + PHOTOS_EACH * PHONES.index(phone))
        )
        try:
            result = uploader.upload(request)
        except UploadError as error:
            return type(error).__name__ == "LimitReached"
        previous = accepted.setdefault((phone, n), result.key)
        assert previous == result.key, "a retry of a stored photo must get the same key back"
        return True

    for _ in range(REQUESTS):
        phone, n = (
            pending.pop(rng.randrange(len(pending))) if pending else (rng.choice(PHONES), rng.randrange(PHOTOS_EACH))
        )
        if not send(phone, n, faulty=True):
            pending.append((phone, n))
    # The network heals and guests retry what is left, at once: no failed request left a claim or
    # a slot behind, so nothing waits for CLAIM_TTL and nothing is "still in progress".
    for phone, n in pending:
        assert send(phone, n, faulty=False), f"{phone} photo {n} is stuck"

    assert all(faults.struck.count(point) >= 10 for point in Faults.POINTS), Counter(faults.struck)
    for phone in PHONES:
        photos = Photo.objects.filter(event=wedding, device_id=phone)
        assert quota.usage(wedding.slug, phone).count == photos.count() <= LIMIT
        for photo in photos:
            assert (tmp_path / photo.key).read_bytes() == jpeg_bytes(_seed_of(photo, accepted))
    assert set(accepted.values()) == set(Photo.objects.values_list("key", flat=True))
    # The event's usage holds exactly what is stored: every undo gave its photo and bytes back once.
    sizes = Photo.objects.filter(event=wedding).values_list("size", flat=True)
    assert quota.event_usage(wedding.slug) == EventUsage(len(sizes), sum(sizes))


def _seed_of(photo: Photo, accepted: dict) -> int:
    phone, n = next(sent for sent, key in accepted.items() if key == photo.key)
    return n + PHOTOS_EACH * PHONES.index(phone)
