"""A device's limit holds when its direct uploads race: threads of one process on a database shared as
gunicorn's workers share it (the SQLite file `make run` uses; a fresh PostgreSQL database in CI's pass)."""

import json
import subprocess
import sys

from tests.uploads.test_quota_concurrency import ROOT, racing_env  # noqa: F401 (a fixture)

THREADS = 60
LIMIT = 10


def test_exactly_the_limit_is_stored_when_60_direct_uploads_of_one_device_race(racing_env):  # noqa: F811
    out = subprocess.run(
        [sys.executable, "-m", "tests.uploads.direct_race", str(LIMIT), str(THREADS)],
        cwd=ROOT,
        env=racing_env,
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    report = json.loads(out.stdout)
    assert report["outcomes"] == {"completed": LIMIT, "LimitReached": THREADS - LIMIT}
    assert (report["count"], report["recorded"], report["stored"], report["staged"]) == (LIMIT, LIMIT, LIMIT, 0)
