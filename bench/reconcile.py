"""The reconciliation at a festival's size: 2,000 photos from 200 phones with a tenth of each kind of
drift made on purpose (photos never indexed, records without their file, phones overcharged, the
event's usage zeroed), repaired by one `reconcile --fix` on SQLite and the photo folder; then checked clean.

    .venv/bin/python -m bench.reconcile
"""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEST = "tests/events/test_reconcile.py::test_a_drifted_event_of_many_photos_is_repaired_in_one_pass"


def main() -> int:
    env = os.environ | {"RECONCILE_PHOTOS": "2000"}
    return subprocess.call(
        [sys.executable, "-m", "pytest", TEST, "-q", "-s", "-p", "no:cacheprovider"], cwd=ROOT, env=env
    )


if __name__ == "__main__":
    sys.exit(main())
