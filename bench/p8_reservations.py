"""P8: quota reservations per second on SQLite, 8 processes racing on one database file.

Both sides do the same work for every reservation, each process for its own phone, limit never reached:

- ours: `SqlQuotaStore.reserve` through Django (its settings: BEGIN IMMEDIATE, WAL, synchronous=NORMAL,
  30 s busy timeout), building the `Claim` and `Reservation` objects the upload core uses, in a process
  loaded as a served worker is (`photoshare_site.wsgi`, which freezes what loading Django allocated);
- baseline: the same transaction written by hand with the sqlite3 module and the same settings:
  BEGIN IMMEDIATE; INSERT the claim row with all its columns; INSERT the counter row … ON CONFLICT DO
  NOTHING; UPDATE it … WHERE count < COALESCE(limit_override, limit); SELECT the count back; the same
  two for the event's usage row (… WHERE photos < cap AND bytes + size <= cap); COMMIT (ROLLBACK when
  refused). It skips what the benchmark never sends: a photo already claimed.

Every racer uploads to the same event (as guests do), each for its own phone; no cap is reached.

Each side runs on a fresh copy of a migrated database. Racers report once set up (Django loaded,
database open) and start together, and the rate is reservations over the time from the start to the
last racer's end. Five rounds of 1,200 reservations a racer alternate the sides and the median of each
is kept: a shared 2-core machine is noisy (rounds of 400 swung the ratio by ±0.1), and the two are only
compared within one run.

    python -m bench.p8_reservations ours|baseline N   # one racer, as run() starts them
"""

import json
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from bench.common import Row

ROOT = Path(__file__).resolve().parents[1]
PROCESSES = 8
EVENT = "bench"
GUEST = "Carla"

SIZE = 1_200_000
CAPS = (10**9, 10**15)
CLAIM = (
    "INSERT INTO uploads_uploadclaim (event_slug, device_id, fingerprint, key, claimed_at, token, target_key,"
    " guest_name, size) VALUES (?, ?, ?, '', ?, ?, ?, ?, ?)"
)
COUNTER = "INSERT INTO uploads_devicequota (event_slug, device_id, count) VALUES (?, ?, 0) ON CONFLICT DO NOTHING"
SPEND = (
    "UPDATE uploads_devicequota SET count = count + 1, last_upload_at = ?"
    " WHERE event_slug = ? AND device_id = ? AND count < COALESCE(limit_override, ?)"
)
READ = "SELECT count, limit_override FROM uploads_devicequota WHERE event_slug = ? AND device_id = ?"
USAGE = "INSERT INTO uploads_eventquota (event_slug, photos, bytes) VALUES (?, 0, 0) ON CONFLICT DO NOTHING"
FILL = (
    "UPDATE uploads_eventquota SET photos = photos + 1, bytes = bytes + ?"
    " WHERE event_slug = ? AND photos < ? AND bytes + ? <= ?"
)

Reserve = Callable[[str, str], None]


def ours(device: str, limit: int) -> Reserve:
    from django.db import connection

    import photoshare_site.wsgi  # noqa: F401 (set up as a gunicorn worker is)
    from uploads.policy import Limits
    from uploads.ports import Claim
    from uploads.stores.sql import SqlQuotaStore

    connection.ensure_connection()  # open, as the baseline's is before the start
    store = SqlQuotaStore()
    limits = Limits(limit, *CAPS)

    def reserve(fingerprint: str, token: str) -> None:
        at = datetime.now(UTC)
        key = f"{EVENT}/{GUEST}/{token}.jpg"
        store.reserve(Claim(EVENT, device, fingerprint, at, token, key, GUEST, SIZE), limits)

    return reserve


def baseline(device: str, limit: int) -> Reserve:
    database = Path(os.environ["PHOTOSHARE_DATA_DIR"]) / "photoshare.sqlite3"
    # isolation_level=None: the transaction is begun and ended below, BEGIN IMMEDIATE as Django's settings say.
    db = sqlite3.connect(database, timeout=30, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")

    def reserve(fingerprint: str, token: str) -> None:
        at = datetime.now(UTC).replace(tzinfo=None).isoformat(" ")  # UTC text, as Django stores it
        db.execute("BEGIN IMMEDIATE")
        db.execute(CLAIM, (EVENT, device, fingerprint, at, token, f"{EVENT}/{GUEST}/{token}.jpg", GUEST, SIZE))
        db.execute(COUNTER, (EVENT, device))
        spent = db.execute(SPEND, (at, EVENT, device, limit)).rowcount
        db.execute(READ, (EVENT, device)).fetchone()
        db.execute(USAGE, (EVENT,))
        spent = spent and db.execute(FILL, (SIZE, EVENT, CAPS[0], SIZE, CAPS[1])).rowcount
        db.execute("COMMIT" if spent else "ROLLBACK")

    return reserve


SIDES = {"ours": ours, "baseline": baseline}


def race(side: str, n: int) -> None:
    """One racer: set up, say so, wait for the start, reserve n times, print when it ended."""
    reserve = SIDES[side](str(uuid.uuid4()), n + 1)
    print("ready", flush=True)
    start = float(sys.stdin.readline())
    time.sleep(max(0.0, start - time.time()))
    for _ in range(n):
        reserve(uuid.uuid4().hex * 2, uuid.uuid4().hex)
    print(json.dumps(time.time()))


def per_second(side: str, env: dict, each: int) -> float:
    command = [sys.executable, "-m", "bench.p8_reservations", side, str(each)]
    pipes = {"stdin": subprocess.PIPE, "stdout": subprocess.PIPE, "text": True}
    racers = [subprocess.Popen(command, cwd=ROOT, env=env, **pipes) for _ in range(PROCESSES)]
    for racer in racers:
        # Starting eight Djangos on two cores takes seconds: only a racer that is set up is waited for.
        assert racer.stdout.readline() == "ready\n"
    start = time.time() + 0.2
    for racer in racers:
        racer.stdin.write(f"{start}\n")
        racer.stdin.close()
    ended = max(json.loads(racer.stdout.read()) for racer in racers)
    assert all(racer.wait() == 0 for racer in racers)
    return PROCESSES * each / (ended - start)


def fresh_copy(template: Path, env: dict) -> dict:
    data = Path(tempfile.mkdtemp(prefix="photoshare-bench-p8-"))
    shutil.copy(template / "photoshare.sqlite3", data)
    return env | {"PHOTOSHARE_DATA_DIR": str(data)}


def run(quick: bool = False) -> Row:
    template = Path(tempfile.mkdtemp(prefix="photoshare-bench-p8-"))
    env = os.environ | {
        "PHOTOSHARE_DATA_DIR": str(template),
        "DJANGO_SETTINGS_MODULE": "photoshare_site.settings",
        "DJANGO_SECRET_KEY": "bench",  # eight racers must not race to generate one
    }
    env.pop("DATABASE_URL", None)
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    each, rounds = (50, 1) if quick else (1200, 5)
    rates: dict[str, list[float]] = {side: [] for side in SIDES}
    for _ in range(rounds):
        for side in SIDES:
            copy = fresh_copy(template, env)
            rates[side].append(per_second(side, copy, each))
            shutil.rmtree(copy["PHOTOSHARE_DATA_DIR"])
    shutil.rmtree(template)
    mine, theirs = (statistics.median(rates[side]) for side in SIDES)
    return Row(
        "P8",
        "quota reservations/s, SQLite, 8 processes, vs the same transaction in raw sqlite3",
        mine,
        theirs,
        "/s",
        ">= 0.8",
        mine / theirs >= 0.8,
    )


if __name__ == "__main__":
    race(sys.argv[1], int(sys.argv[2]))
