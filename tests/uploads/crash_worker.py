"""The crash tests' worker: it answers the test's commands (one JSON object a line on stdin, one
answer a line on stdout) and runs each upload the test wants killed in a forked child process that
SIGKILLs itself at the named point, as an out-of-memory kill or a Lambda timeout would.

    python -m tests.uploads.crash_worker

with DJANGO_SETTINGS_MODULE, PHOTOSHARE_DATA_DIR (its SQLite file and photo folder), DJANGO_SECRET_KEY
and, for the AWS stores, AWS_ENDPOINT_URL, PHOTOSHARE_TABLE and PHOTOSHARE_PHOTO_BUCKET in the
environment. Every command names its store: "sql" (SQLite + the photo folder) or "aws" (DynamoDB + S3).

A forked child is a real process with its own database and HTTP connections, killed mid-request; forking
spares the test Python's start-up for each of the dozens of kills.
"""

import itertools
import json
import os
import random
import signal
import sys
import traceback
from contextlib import contextmanager
from dataclasses import asdict
from datetime import timedelta
from pathlib import Path

# Step by step, the points where a request can die between receiving a photo and answering.
POINTS = ("after_reserve", "during_put", "after_put", "before_record", "after_record")


class Fuse:
    """Kills this process at `point`, once armed."""

    def __init__(self, point: str | None):
        self.point, self.armed = point, False

    def at(self, point: str) -> None:
        if self.armed and point == self.point:
            os.kill(os.getpid(), signal.SIGKILL)


def _then(call, after):
    def wrapper(*args, **kwargs):
        result = call(*args, **kwargs)
        after()
        return result

    return wrapper


def _first(before, call):
    def wrapper(*args, **kwargs):
        before()
        return call(*args, **kwargs)

    return wrapper


def rigged(uploader, fuse: Fuse):
    """The real uploader with the fuse wired in at each point (only a doomed child does this)."""
    from uploads.stores import filesystem

    uploader.quota.reserve = _then(uploader.quota.reserve, lambda: fuse.at("after_reserve"))
    if isinstance(uploader.photos, filesystem.FileSystemPhotoStore):
        # The temporary file is whole on disk; its final name is not linked yet.
        # filesystem.py links through the os module itself: patched here, in the doomed child only.
        os.link = _first(lambda: fuse.at("during_put"), os.link)
    else:
        client = uploader.photos.client
        client.put_object = _then(client.put_object, lambda: fuse.at("during_put"))
    uploader.photos.put = _then(uploader.photos.put, lambda: fuse.at("after_put"))
    # Inside the transaction that completes the claim, before the photo is recorded.
    uploader.recorder.record = _first(lambda: fuse.at("before_record"), uploader.recorder.record)
    atomic = uploader.atomic

    @contextmanager
    def atomic_then_die():
        with atomic():
            yield
        fuse.at("after_record")

    uploader.atomic = atomic_then_die
    return uploader


class Worker:
    def __init__(self):
        from django.contrib.auth import get_user_model

        self.owner, _ = get_user_model().objects.get_or_create(username="alice")
        self.upload_keys: dict[str, str] = {}

    # --- commands ---------------------------------------------------------------------------
    def event(self, slug: str, limit: int) -> dict:
        from events.services import event_create

        event = event_create(owner=self.owner, name=slug, slug=slug, limit=limit)
        self.upload_keys[slug] = event.upload_key
        return {"slug": slug}

    def upload(self, slug: str, device: str, photo: int, late: float = 0, kill_at: str | None = None) -> dict:
        """The guest's answer ({status, body}); or, killed at `kill_at`, {killed: true}."""
        if kill_at is None:
            return self._answer(self._uploader(late), slug, device, photo)
        fuse = Fuse(kill_at)
        fuse.armed = True
        child = self._fork(lambda: self._answer(rigged(self._uploader(late), fuse), slug, device, photo))
        _, status = os.waitpid(child, 0)
        return {"killed": _killed(status)}

    def recover(self, slug: str, late: float = 0) -> dict:
        return asdict(self._uploader(late).recover(slug))

    def report(self, slug: str) -> dict:
        """Counters, photo records and stored files of the event, and what is left unfinished."""
        from django.conf import settings

        from events.models import Photo
        from photoshare_site import wiring
        from uploads.stores.filesystem import PARTIAL_PREFIX

        if settings.BACKEND == "aws":
            objects = wiring.bucket_photos().client.list_objects_v2(Bucket=settings.PHOTO_BUCKET, Prefix=f"{slug}/")
            files, partials = [o["Key"] for o in objects.get("Contents", [])], []
            _index_as_the_bucket_trigger_does(files)
        else:
            found = [p for p in (settings.PHOTOS_DIR / slug).rglob("*") if p.is_file()]
            partials = [p for p in found if p.name.startswith(PARTIAL_PREFIX)]
            files = [p.relative_to(settings.PHOTOS_DIR).as_posix() for p in found if p not in partials]
        quota = wiring.quota_store()
        held = quota.event_usage(slug)
        sizes = Photo.objects.filter(event__slug=slug).values_list("size", flat=True)
        return {
            "counts": {usage.device: usage.count for usage in quota.devices_page(slug, size=10_000).devices},
            "usage": [held.photos, held.bytes],
            "stored": [len(sizes), sum(sizes)],
            "records": dict(Photo.objects.filter(event__slug=slug).values_list("key", "device_id")),
            "files": sorted(files),
            "partials": len(partials),
            "pending": len(quota.pending_claims(slug, _now() + timedelta(days=1))),
        }

    def storm(self, slug: str, phones: list[str], photos_each: int, kill_rate: float, seed: int) -> dict:
        """Every phone sends its photos through a worker process at a time, each worker killed at a
        random point of a random upload (as often as `kill_rate` says), replaced at once, and the photo
        it died on sent again first, as the guest page does. Photos answered 409 wait for later."""
        # One random sequence per phone: the same kills whichever worker happens to finish first.
        rngs = {phone: random.Random(f"{seed}-{phone}") for phone in phones}
        logs = itertools.count()
        queues = {phone: list(range(photos_each)) for phone in phones}
        stored: dict[str, dict[int, str]] = {phone: {} for phone in phones}
        waiting: list[tuple[str, int]] = []
        kills = dict.fromkeys(POINTS, 0)
        answers: dict[str, int] = {}
        running: dict[int, tuple[str, Path, str | None]] = {}

        def start(phone: str) -> None:
            rng = rngs[phone]
            doomed = next((n for n in range(len(queues[phone])) if rng.random() < kill_rate), None)
            point = rng.choice(POINTS) if doomed is not None else None
            log = Path(os.environ["PHOTOSHARE_DATA_DIR"]) / f"storm-{slug}-{next(logs)}.jsonl"
            child = self._fork(lambda: self._work(slug, phone, queues[phone], log, doomed, point))
            running[child] = (phone, log, point)

        for phone in phones:
            start(phone)
        while running:
            child, status = os.wait()
            phone, log, point = running.pop(child)
            done = [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []
            for answer in done:
                n, code = answer["photo"], answer["status"]
                answers[str(code)] = answers.get(str(code), 0) + 1
                if code == 200:
                    assert stored[phone].setdefault(n, answer["key"]) == answer["key"], "a photo got two keys"
                else:
                    waiting.append((phone, n))
            del queues[phone][: len(done)]
            if _killed(status):
                assert point, f"{phone}'s worker died without being doomed"
                kills[point] += 1
            elif queues[phone]:
                raise RuntimeError(f"worker for {phone} exited with {status} before its queue was done")
            if queues[phone]:
                start(phone)
        return {"kills": kills, "answers": answers, "waiting": waiting, "stored": stored}

    # --- helpers ----------------------------------------------------------------------------
    def _work(self, slug: str, phone: str, photos: list[int], log: Path, doomed: int | None, point: str | None):
        fuse = Fuse(point)
        uploader = rigged(self._uploader(0), fuse)
        with log.open("w") as out:
            for index, n in enumerate(photos):
                fuse.armed = index == doomed
                answer = self._answer(uploader, slug, phone, n)
                out.write(json.dumps({"photo": n, "status": answer["status"], "key": answer["body"].get("key")}) + "\n")
                out.flush()

    def _answer(self, uploader, slug: str, device: str, photo: int) -> dict:
        from tests.conftest import jpeg_bytes
        from uploads import http
        from uploads.core import UploadRequest

        request = UploadRequest(slug, self.upload_keys[slug], "Guest", device, jpeg_bytes(photo))
        status, body = http.answer(lambda: http.upload_body(uploader.upload(request)))
        return {"status": status, "body": body}

    @staticmethod
    def _uploader(late: float):
        from photoshare_site import wiring

        uploader = wiring.uploader()
        # "late" seconds from now: how the test moves the clock past CLAIM_TTL.
        uploader.clock = lambda: _now() + timedelta(seconds=late)
        return uploader

    @staticmethod
    def _fork(work) -> int:
        """Run `work` in a child process with connections of its own (the parent's must never be
        shared across a fork); the child never returns here."""
        from django.db import connections

        from uploads.aws import clients

        connections.close_all()
        sys.stdout.flush()
        child = os.fork()
        if child:
            return child
        clients.dynamodb.cache_clear()
        clients.s3.cache_clear()
        code = 0
        try:
            work()
        except BaseException:
            traceback.print_exc()
            code = 1
        finally:
            os._exit(code)


def _now():
    from uploads.core import utc_now

    return utc_now()


def _killed(status: int) -> bool:
    return os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL


def _index_as_the_bucket_trigger_does(keys: list[str]) -> None:
    """On AWS a photo's record comes from its object's ObjectCreated event (events/s3_events.py):
    record each object from its metadata as that trigger does, less the thumbnail (slow, and beside
    the point here)."""
    from events.models import Photo
    from events.recorder import photo_record
    from photoshare_site import wiring

    store = wiring.bucket_photos()
    for key in keys:
        if not Photo.objects.filter(key=key).exists():
            photo_record(stored=store.fetch(key)[0])


def main() -> None:
    # Answers go to the real stdout; anything else printed (Django's start-up, logs) to stderr.
    answers = os.fdopen(os.dup(sys.stdout.fileno()), "w", buffering=1)
    sys.stdout = sys.stderr
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    worker = Worker()
    for line in sys.stdin:
        command = json.loads(line)
        settings.BACKEND = "aws" if command.pop("store") == "aws" else "local"
        answer = getattr(worker, command.pop("do"))(**command)
        answers.write(json.dumps(answer) + "\n")


if __name__ == "__main__":
    main()
