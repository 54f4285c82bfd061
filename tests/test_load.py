"""A smaller run of bench/load.py against a real gunicorn server with 4 worker processes."""

import pytest

from bench.load import Server, burst, load

# The same whatever DATABASE_URL says (it sets its own): `make test` runs it once, in the PostgreSQL pass's process.
pytestmark = [pytest.mark.one_database, pytest.mark.own_database]


def test_a_burst_from_one_phone_and_a_load_from_many_keep_every_promise():
    with Server(workers=4) as server:
        first = burst(server, 60)
        assert first["statuses"] == {200: 10, 429: 50}
        assert first["stored"] == first["files"] == first["counted"] == 10

        second = load(server, uploads=300, devices=30, concurrency=16)
        assert second["statuses"] == {200: 300}
        assert second["stored"] == second["files"] == second["counted"] == 300
