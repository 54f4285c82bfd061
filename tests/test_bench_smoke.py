"""The benchmarks run (small versions): the harness works and every row has its figures.
Speed itself is judged by `make bench`, never by a timed test."""

import math

from bench import run


def test_every_benchmark_produces_a_row(monkeypatch, db):
    monkeypatch.setattr(run, "setup_django", lambda: None)  # the test database is already set up
    rows = run.main(["--quick"])
    assert [row.id for row in rows] == list(run.BENCHMARKS)
    assert all(row.ours > 0 and row.baseline > 0 and math.isfinite(row.ratio) for row in rows)
