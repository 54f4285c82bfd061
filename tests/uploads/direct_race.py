"""The direct-upload race: THREADS threads of one process, one device, each sending its own photo
through start -> PUT -> complete on the real local stack (SQL, the photos folder, FileSystemStaging).

    python -m tests.uploads.direct_race LIMIT THREADS

with DJANGO_SETTINGS_MODULE and the database settings (PHOTOSHARE_DATA_DIR or DATABASE_URL) in the
environment, migrated. Prints one JSON object: the outcomes counted, the device's count, the photos
recorded, the files stored and the files left staged.
"""

import argparse
import io
import json
import threading
import uuid
from collections import Counter
from urllib.parse import parse_qsl, unquote, urlsplit

DEVICE = "0b5e3c7a-6a39-4c1e-9a55-5d0d5a7e0c02"


def send(staging, url: str, data: bytes) -> None:
    """What the phone's PUT to the signed URL does (uploads/local_put.py), without the HTTP."""
    from uploads.stores.staging_fs import Grant

    parts = urlsplit(url)
    upload_id = unquote(parts.path.split("/")[3])
    grant = Grant.verified(upload_id, dict(parse_qsl(parts.query)), staging.sign)
    staging.receive(grant, io.BytesIO(data[grant.offset : grant.offset + grant.length]).read)


def racer(event, data: bytes, gun: threading.Barrier, outcomes: Counter) -> None:
    from django.db import connection

    from photoshare_site import wiring
    from uploads.direct import Started, StartRequest
    from uploads.ports import UploadError

    direct = wiring.direct_uploads()
    request = StartRequest(event.slug, event.upload_key, "Carla", DEVICE, len(data), _sha256(data), "image/jpeg")
    gun.wait()
    try:
        started = direct.start(request, "192.0.2.7")
        assert isinstance(started, Started)
        assert started.targets.single is not None
        send(direct.staging, started.targets.single.url, data)
        direct.complete(started.upload.upload_id, event.upload_key, DEVICE, None)
        outcomes["completed"] += 1
    except UploadError as error:
        outcomes[type(error).__name__] += 1
    finally:
        connection.close()


def _sha256(data: bytes) -> str:
    import hashlib

    return hashlib.sha256(data).hexdigest()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("limit", type=int)
    parser.add_argument("threads", type=int)
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model

    from events.models import Photo
    from events.services import event_create
    from photoshare_site import wiring
    from tests.conftest import jpeg_bytes

    owner = get_user_model().objects.create_user(f"racer-{uuid.uuid4().hex[:8]}", "r@example.org", "x" * 16)
    event = event_create(owner=owner, name="Race", limit=args.limit)
    outcomes: Counter[str] = Counter()
    gun = threading.Barrier(args.threads)
    threads = [threading.Thread(target=racer, args=(event, jpeg_bytes(n), gun, outcomes)) for n in range(args.threads)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    photos = settings.PHOTOS_DIR
    report = {
        "outcomes": outcomes,
        "count": wiring.quota_store().usage(event.slug, DEVICE).count,
        "recorded": Photo.objects.filter(event=event).count(),
        "stored": sum(1 for p in (photos / event.slug).rglob("*") if p.is_file()),
        "staged": sum(1 for p in (photos / "_incoming").rglob("*") if p.is_file()),
    }
    print(json.dumps(report))


if __name__ == "__main__":
    main()
