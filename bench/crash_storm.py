"""The crash test at the issue's size: 400 uploads from 10 phones while workers are SIGKILLed at random
steps (about 50 kills a store), on SQL with the photo folder and on DynamoDB with S3, then the sweep
and the guests' resends. Two minutes or so; the test suite runs 80 uploads.

    .venv/bin/python -m bench.crash_storm
"""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEST = "tests/uploads/test_crash_recovery.py::test_uploads_from_10_phones_survive_workers_killed_at_random_steps"


def main() -> int:
    env = os.environ | {"CRASH_PHOTOS_EACH": "40"}
    return subprocess.call(
        [sys.executable, "-m", "pytest", TEST, "-q", "-s", "-p", "no:cacheprovider"], cwd=ROOT, env=env
    )


if __name__ == "__main__":
    sys.exit(main())
