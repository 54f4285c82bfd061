"""The limit holds when many OS processes race on one database file, as gunicorn's workers do."""

import json
import os
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PROCESSES = 8
ATTEMPTS_EACH = 8
LIMIT = 10
EVENT = "race"
DEVICE = "0b5e3c7a-6a39-4c1e-9a55-5d0d5a7e0c01"


@pytest.fixture
def racing_env(tmp_path) -> dict:
    env = os.environ | {
        "DJANGO_SETTINGS_MODULE": "photoshare_site.settings",
        "PHOTOSHARE_DATA_DIR": str(tmp_path),
        "DJANGO_SECRET_KEY": "race",
    }
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    return env


def race(env: dict, *extra: str) -> Counter:
    start_at = str(time.time() + 3)  # every racer is up and waiting before the gun
    command = [sys.executable, "-m", "tests.uploads.quota_race", EVENT, DEVICE, str(LIMIT), str(ATTEMPTS_EACH)]
    racers = [
        subprocess.Popen(
            [*command, start_at, *extra],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(PROCESSES)
    ]
    totals: Counter = Counter()
    for racer in racers:
        out, _ = racer.communicate(timeout=120)
        assert racer.returncode == 0
        totals.update(json.loads(out))
    return totals


def stored_count(env: dict) -> int:
    with sqlite3.connect(Path(env["PHOTOSHARE_DATA_DIR"]) / "photoshare.sqlite3") as db:
        return db.execute("SELECT count FROM uploads_devicequota WHERE device_id = ?", (DEVICE,)).fetchone()[0]


def test_exactly_the_limit_succeeds_when_64_reservations_race_across_8_processes(racing_env):
    totals = race(racing_env)
    assert totals == Counter(accepted=LIMIT, limit_reached=PROCESSES * ATTEMPTS_EACH - LIMIT)
    assert stored_count(racing_env) == LIMIT


def test_the_same_photo_racing_from_8_processes_spends_one_slot(racing_env):
    totals = race(racing_env, "--same-photo")
    assert totals["accepted"] == 1
    assert totals["accepted"] + totals["duplicate"] + totals["in_progress"] == PROCESSES * ATTEMPTS_EACH
    assert stored_count(racing_env) == 1
