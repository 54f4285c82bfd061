"""The rate-limit counters on Django's database: the contract, forgetting, and real OS processes
racing on one address (as gunicorn's workers do) never exceeding a bucket."""

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from tests.uploads.contract_rates import ELSEWHERE, SMALL, VENUE, RateCountersContract, phone
from tests.uploads.rate_race import NEW_DEVICES_BURST, UPLOADS_BURST
from tests.uploads.test_quota_concurrency import PROCESSES, race_processes, racing_env  # noqa: F401 (a fixture)
from uploads.models import RateBucket, RateDevice
from uploads.ratelimit import REMEMBER_DEVICES_FOR, RateLimiter
from uploads.stores.sql_rates import SqlRateCounters

ROOT = Path(__file__).resolve().parents[2]
ATTEMPTS_EACH = 8
RACED = "192.0.2.44"


class TestSqlRateCounters(RateCountersContract):
    @pytest.fixture
    def counters(self, db):
        return SqlRateCounters()

    def test_a_new_address_makes_it_forget_addresses_quiet_for_a_day(self, counters, clock):
        limiter = RateLimiter(counters, SMALL, clock=clock)
        limiter.admit(VENUE, phone(0))
        clock.now += REMEMBER_DEVICES_FOR + 1
        limiter.admit(ELSEWHERE, phone(1))
        assert list(RateBucket.objects.values_list("address", flat=True)) == [ELSEWHERE]
        assert list(RateDevice.objects.values_list("address", flat=True)) == [ELSEWHERE]


def race(env: dict, *extra: str) -> Counter:
    return race_processes("tests.uploads.rate_race", [RACED, str(ATTEMPTS_EACH)], extra, env)


def kept(env: dict) -> dict:
    command = [sys.executable, "-m", "tests.uploads.rate_race", RACED, "--report"]
    return json.loads(subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=True).stdout)


def test_64_new_device_ids_racing_from_8_processes_get_exactly_the_burst(racing_env):  # noqa: F811
    # The address is new to the database: the racers also race to create its row.
    totals = race(racing_env)
    assert totals == Counter(admitted=NEW_DEVICES_BURST, refused=PROCESSES * ATTEMPTS_EACH - NEW_DEVICES_BURST)
    assert kept(racing_env) == {"uploads": UPLOADS_BURST - NEW_DEVICES_BURST, "new_devices": 0, "devices": 10}


def test_64_uploads_racing_from_8_processes_get_exactly_the_burst(racing_env):  # noqa: F811
    totals = race(racing_env, "--one-device")
    assert totals == Counter(admitted=UPLOADS_BURST, refused=PROCESSES * ATTEMPTS_EACH - UPLOADS_BURST)
    assert kept(racing_env) == {"uploads": 0, "new_devices": NEW_DEVICES_BURST - 1, "devices": 1}
