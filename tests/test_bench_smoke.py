"""`make bench` in its quick form: every benchmark runs and prints its row. Correctness of the
harness only; speed is judged by the full `make bench`, never by a timed test."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bench.run import BENCHMARKS

# The same whatever DATABASE_URL says (it sets its own): `make test` runs it once, in the PostgreSQL pass's process.
pytestmark = [pytest.mark.one_database, pytest.mark.own_database]

ROOT = Path(__file__).resolve().parents[1]


def test_every_benchmark_prints_a_row_with_its_figures():
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PHOTOSHARE_", "DATABASE_"))}
    out = subprocess.run(
        [sys.executable, "-m", "bench.run", "--quick"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=900
    )
    assert out.returncode == 0, out.stderr[-3000:]
    rows = {line.split()[0]: line.split() for line in out.stdout.splitlines()[1:] if line[:1] == "P"}
    assert sorted(rows) == sorted(BENCHMARKS)
    for fields in rows.values():
        ours, baseline, ratio = (float(value) for value in fields[1:4])
        assert ours > 0 and baseline > 0 and ratio > 0
