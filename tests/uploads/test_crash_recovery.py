"""Workers killed with SIGKILL mid-upload (an out-of-memory kill, a Lambda timeout) lose nothing and
hold nothing: on the SQL store with the photo folder, and on DynamoDB with S3.

The worker process (tests/uploads/crash_worker.py) shares an SQLite file, a photo folder and a moto
endpoint with every process it forks; each doomed upload runs in such a child, killed at one step.
The run from 10 phones sends 80 photos here; `python -m bench.crash_storm` sends the issue's 400.
"""

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import boto3
import pytest

from tests.aws import REGION, moto_endpoint
from tests.uploads.crash_worker import POINTS
from uploads.aws.dynamodb import ATTRIBUTE_DEFINITIONS, KEY_SCHEMA
from uploads.ports import CLAIM_TTL

# The same whatever DATABASE_URL says (it sets its own): `make test` runs it once, in the PostgreSQL pass's process.
pytestmark = [pytest.mark.one_database, pytest.mark.own_database]

ROOT = Path(__file__).resolve().parents[2]
TABLE = "CrashCounts"
BUCKET = "photoshare-crash-photos"
PHONE = "6f1c1e0a-1b8e-4d84-9d8a-2f1f3f3c0001"
# Seconds on the clock of a retry or a sweep that comes after CLAIM_TTL.
LATE = CLAIM_TTL.total_seconds() + 1
STORES = ["sql", "aws"]

# What a sweep after CLAIM_TTL does, by where the worker died: (completed, released, partials removed).
SWEPT = {
    ("after_reserve", "sql"): (0, 1, 0),
    ("after_reserve", "aws"): (0, 1, 0),
    # The filesystem's temporary file was whole but not linked; S3's put had returned.
    ("during_put", "sql"): (0, 1, 1),
    ("during_put", "aws"): (1, 0, 0),
    ("after_put", "sql"): (1, 0, 0),
    ("after_put", "aws"): (1, 0, 0),
    # Locally the completion rolled back with the record it shares a transaction with; on AWS the
    # claim was complete (its photo's record is the bucket event's).
    ("before_record", "sql"): (1, 0, 0),
    ("before_record", "aws"): (0, 0, 0),
    ("after_record", "sql"): (0, 0, 0),
    ("after_record", "aws"): (0, 0, 0),
}


def stored_before_the_kill(point: str, store: str) -> bool:
    completed, _, _ = SWEPT[point, store]
    return bool(completed) or point in ("before_record", "after_record")


class Worker:
    """The test's side of the worker's line protocol."""

    def __init__(self, process: subprocess.Popen, log: Path):
        assert process.stdin and process.stdout
        self.process, self.stdin, self.stdout, self.log = process, process.stdin, process.stdout, log

    def ask(self, store: str, do: str, **arguments) -> dict:
        self.stdin.write(json.dumps({"store": store, "do": do, **arguments}) + "\n")
        self.stdin.flush()
        line = self.stdout.readline()
        assert line, f"the worker died:\n{self.log.read_text()[-3000:]}"
        return json.loads(line)


@pytest.fixture(scope="module")
def worker(tmp_path_factory):
    data = tmp_path_factory.mktemp("crash")
    with moto_endpoint() as endpoint:
        aws = {
            "AWS_ENDPOINT_URL": endpoint,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": REGION,
            "AWS_REGION": REGION,
        }
        boto3.client("dynamodb", **_client(aws)).create_table(
            TableName=TABLE,
            KeySchema=KEY_SCHEMA,
            AttributeDefinitions=ATTRIBUTE_DEFINITIONS,
            BillingMode="PAY_PER_REQUEST",
        )
        boto3.client("s3", **_client(aws)).create_bucket(
            Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION}
        )
        unset = {"AWS_PROFILE", "AWS_ENDPOINT_URL_DYNAMODB", "AWS_ENDPOINT_URL_S3", "PHOTOSHARE_BACKEND"}
        env = {name: value for name, value in os.environ.items() if name not in unset} | aws
        env |= {
            "DJANGO_SETTINGS_MODULE": "photoshare_site.settings",
            "DJANGO_SECRET_KEY": "crash",
            "PHOTOSHARE_DATA_DIR": str(data),
            "DATABASE_URL": "",
            "PHOTOSHARE_TABLE": TABLE,
            "PHOTOSHARE_PHOTO_BUCKET": BUCKET,
        }
        log = data / "worker.log"
        with log.open("w") as stderr:
            process = subprocess.Popen(
                [sys.executable, "-m", "tests.uploads.crash_worker"],
                cwd=ROOT,
                env=env,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=stderr,
                text=True,
            )
            worker = Worker(process, log)
            yield worker
            worker.stdin.close()
            process.wait(timeout=60)


def _client(aws: dict) -> dict:
    return {
        "endpoint_url": aws["AWS_ENDPOINT_URL"],
        "region_name": REGION,
        "aws_access_key_id": "testing",
        "aws_secret_access_key": "testing",
    }


def new_event(worker: Worker, store: str, slug: str, limit: int = 10) -> str:
    slug = f"{slug}-{store}".replace("_", "-")
    worker.ask(store, "event", slug=slug, limit=limit)
    return slug


def assert_consistent(report: dict) -> None:
    """Every counter equals its device's photo records, each record has its file and each file its
    record, the event's usage holds the records and their bytes, and nothing is left unfinished."""
    assert {device: n for device, n in report["counts"].items() if n} == dict(Counter(report["records"].values()))
    assert report["usage"] == report["stored"]
    assert sorted(report["records"]) == report["files"]
    assert (report["pending"], report["partials"]) == (0, 0)


@pytest.mark.parametrize("store", STORES)
@pytest.mark.parametrize("point", POINTS)
def test_a_guest_resending_a_photo_whose_worker_was_killed_gets_it_stored_once(worker, store, point):
    slug = new_event(worker, store, f"resend-{point}")
    # GIVEN the worker storing the photo was killed at `point`
    assert worker.ask(store, "upload", slug=slug, device=PHONE, photo=1, kill_at=point) == {"killed": True}
    # WHEN the guest sends it again at once
    at_once = worker.ask(store, "upload", slug=slug, device=PHONE, photo=1)
    if stored_before_the_kill(point, store):
        # THEN a stored photo is answered as the duplicate it is, with its key and its one slot
        assert (at_once["status"], at_once["body"]["duplicate"], at_once["body"]["count"]) == (200, True, 1)
        key = at_once["body"]["key"]
    else:
        # THEN one not stored is still in progress (its request might be alive) ...
        assert (at_once["status"], at_once["body"]["status"]) == (409, "in_progress")
        # ... until CLAIM_TTL has passed: then the retry takes its claim and slot over and stores it
        later = worker.ask(store, "upload", slug=slug, device=PHONE, photo=1, late=LATE)
        assert (later["status"], later["body"]["duplicate"], later["body"]["count"]) == (200, False, 1)
        key = later["body"]["key"]
    # AND after a sweep there is one file, one record, one slot, and nothing half-done
    worker.ask(store, "recover", slug=slug, late=LATE)
    report = worker.ask(store, "report", slug=slug)
    assert_consistent(report)
    assert (report["counts"], report["records"], report["files"], report["usage"][0]) == (
        {PHONE: 1},
        {key: PHONE},
        [key],
        1,
    )


@pytest.mark.parametrize("store", STORES)
@pytest.mark.parametrize("point", POINTS)
def test_a_sweep_after_a_kill_keeps_what_was_stored_and_frees_what_was_not(worker, store, point):
    slug = new_event(worker, store, f"sweep-{point}")
    # GIVEN the worker storing the photo was killed at `point`
    assert worker.ask(store, "upload", slug=slug, device=PHONE, photo=2, kill_at=point) == {"killed": True}
    # WHEN a sweep runs before CLAIM_TTL, it leaves the claim alone (its request might be alive)
    assert worker.ask(store, "recover", slug=slug) == {"completed": 0, "released": 0, "failed": 0, "partials": 0}
    # WHEN a sweep runs after CLAIM_TTL
    swept = worker.ask(store, "recover", slug=slug, late=LATE)
    # THEN it completed the claim of a stored photo, released that of one not stored, removed half a write
    assert (swept["completed"], swept["released"], swept["partials"], swept["failed"]) == (*SWEPT[point, store], 0)
    report = worker.ask(store, "report", slug=slug)
    assert_consistent(report)
    stored = stored_before_the_kill(point, store)
    assert len(report["files"]) == report["counts"].get(PHONE, 0) == int(stored)
    # AND the guest's resend is then answered at once, and stored exactly once
    resent = worker.ask(store, "upload", slug=slug, device=PHONE, photo=2, late=LATE)
    assert (resent["status"], resent["body"]["duplicate"], resent["body"]["count"]) == (200, stored, 1)
    report = worker.ask(store, "report", slug=slug)
    assert_consistent(report)
    assert report["files"] == [resent["body"]["key"]]


PHONES = [f"00000000-0000-4000-8000-{n:012d}" for n in range(10)]


@pytest.mark.parametrize("store", STORES)
def test_uploads_from_10_phones_survive_workers_killed_at_random_steps(worker, store):
    photos_each = int(os.environ.get("CRASH_PHOTOS_EACH", "8"))
    # The limit is exactly what each phone sends: one slot stranded by a kill would refuse a photo.
    slug = new_event(worker, store, "storm", limit=photos_each)
    # GIVEN workers killed at random steps of about one upload in five while 10 phones send
    run = worker.ask(store, "storm", slug=slug, phones=PHONES, photos_each=photos_each, kill_rate=0.2, seed=7)
    assert sum(run["kills"].values()) >= len(PHONES) * photos_each // 10, run["kills"]
    assert "429" not in run["answers"], run["answers"]
    # WHEN the sweep runs after CLAIM_TTL and the guests resend what was answered "in progress"
    worker.ask(store, "recover", slug=slug, late=LATE)
    keys = {(phone, int(n)): key for phone, stored in run["stored"].items() for n, key in stored.items()}
    for phone, n in run["waiting"]:
        resent = worker.ask(store, "upload", slug=slug, device=phone, photo=n, late=LATE)
        assert resent["status"] == 200, resent
        assert keys.setdefault((phone, n), resent["body"]["key"]) == resent["body"]["key"]
    # THEN every photo was stored exactly once, and every counter equals its phone's records and files
    report = worker.ask(store, "report", slug=slug)
    assert_consistent(report)
    assert report["counts"] == dict.fromkeys(PHONES, photos_each)
    assert sorted(keys.values()) == report["files"]
    print(f"{store}: {len(keys)} photos, kills {run['kills']}, answers {run['answers']}")
