"""The limits hold when many OS processes race on one database, as gunicorn's workers do: a device's
limit, and an event's cap against a client sending every photo from a new device id.

Runs on the SQLite file `make run` uses and, when DATABASE_URL names a PostgreSQL server (CI
starts one), on a fresh PostgreSQL database too.
"""

import contextlib
import json
import os
import subprocess
import sys
import time
import uuid
from collections import Counter
from contextlib import nullcontext
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PROCESSES = 8
ATTEMPTS_EACH = 8
LIMIT = 10
EVENT_CAP = 13
EVENT = "race"
DEVICE = "0b5e3c7a-6a39-4c1e-9a55-5d0d5a7e0c01"


@contextlib.contextmanager
def postgres_database(server_url: str):
    """A throwaway database on the server DATABASE_URL points at; dropped afterwards."""
    import psycopg

    name = f"photoshare_race_{uuid.uuid4().hex[:8]}"
    admin_url = server_url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    yield server_url.rsplit("/", 1)[0] + f"/{name}"
    # An autovacuum worker may have just connected to the new database, and FORCE cannot end a server
    # process this role does not own: it is gone within moments, so try again for a while.
    for attempt in range(40):
        try:
            with psycopg.connect(admin_url, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            return
        except (psycopg.errors.InsufficientPrivilege, psycopg.errors.ObjectInUse):
            if attempt == 39:
                raise
            time.sleep(0.25)


# Each pass of `make test` races on its own database: the SQLite pass on SQLite, the PostgreSQL pass on
# a fresh PostgreSQL database (a SQLite race there would repeat the first pass).
RACE_DATABASES = ["postgresql"] if os.environ.get("DATABASE_URL", "").startswith("postgres") else ["sqlite"]


@pytest.fixture(params=RACE_DATABASES)
def racing_env(request, tmp_path):
    env = os.environ | {
        "DJANGO_SETTINGS_MODULE": "photoshare_site.settings",
        "PHOTOSHARE_DATA_DIR": str(tmp_path),
        "DJANGO_SECRET_KEY": "race",
    }
    database = postgres_database(os.environ["DATABASE_URL"]) if request.param == "postgresql" else nullcontext("")
    with database as url:
        env["DATABASE_URL"] = url
        subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
        yield env


def run(env: dict, *args: str) -> dict:
    out = subprocess.run(
        [sys.executable, "-m", "tests.uploads.quota_race", EVENT, DEVICE, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout)


def race_processes(module: str, args: list[str], flags: tuple[str, ...], env: dict) -> Counter:
    """Start PROCESSES copies of `python -m module *args <start time> *flags`, all waiting for the same
    moment, and add up the counts each prints as JSON."""
    start_at = str(time.time() + 3)  # every racer is up and waiting before the gun
    command = [sys.executable, "-m", module, *args, start_at, *flags]
    racers = [subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True) for _ in range(PROCESSES)]
    totals: Counter = Counter()
    for racer in racers:
        out, _ = racer.communicate(timeout=120)
        assert racer.returncode == 0
        totals.update(json.loads(out))
    return totals


def race(env: dict, *extra: str) -> Counter:
    return race_processes("tests.uploads.quota_race", [EVENT, DEVICE, str(LIMIT), str(ATTEMPTS_EACH)], extra, env)


def test_exactly_the_limit_succeeds_when_64_reservations_race_across_8_processes(racing_env):
    totals = race(racing_env)
    assert totals == Counter(accepted=LIMIT, limit_reached=PROCESSES * ATTEMPTS_EACH - LIMIT)
    assert run(racing_env, "--report")["count"] == LIMIT


def test_the_same_photo_racing_from_8_processes_spends_one_slot(racing_env):
    totals = race(racing_env, "--same-photo")
    assert totals["accepted"] == 1
    assert totals["accepted"] + totals["duplicate"] + totals["in_progress"] == PROCESSES * ATTEMPTS_EACH
    assert run(racing_env, "--report")["count"] == 1


def test_racers_minting_a_device_id_per_photo_cannot_exceed_the_event_cap(racing_env):
    # GIVEN 8 processes each sending 8 photos, every one from a new device id (the per-device limit never bites)
    totals = race(racing_env, "--event-cap", str(EVENT_CAP), "--new-device-each")
    # THEN exactly the event's cap is stored, the rest refused, and the usage says so
    assert totals == Counter(accepted=EVENT_CAP, event_full=PROCESSES * ATTEMPTS_EACH - EVENT_CAP)
    report = run(racing_env, "--report")
    assert (report["event_photos"], report["event_bytes"]) == (EVENT_CAP, EVENT_CAP * 1000)
