"""The periodic sweep that settles uploads whose request died: the recover_uploads command, its run
beside gunicorn (serve), and its schedule on AWS."""

import importlib
import inspect
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from bench.load import free_port, stop
from events.models import Photo
from events.services import event_create, uploads_recover
from events.sweeps import recover_uploads_everywhere
from photoshare_site import gunicorn_conf, wiring
from tests.conftest import jpeg_bytes
from tests.uploads.contract_photos import stored_photo
from uploads.core import Recovered, Uploader, utc_now
from uploads.ports import CLAIM_TTL, Claim

ROOT = Path(__file__).resolve().parents[2]


def dead_request(event, device: str, n: int, *, stored: bool, age: timedelta = CLAIM_TTL * 2) -> Claim:
    """The claim of a request that died `age` ago, after storing its photo or before."""
    at = utc_now() - age
    key = f"{event.slug}/Carla/{n}.jpg"
    claim = Claim(event.slug, device, f"{n:064x}", at, f"dead-{n}", key=key, guest_name="Carla")
    wiring.quota_store().reserve(claim, event.limits())
    if stored:
        photo = stored_photo(key, event=event.slug, device=device, sha256=claim.fingerprint, uploaded_at=at)
        wiring.photo_store().put(photo, jpeg_bytes(n))
    return claim


def recover_uploads() -> str:
    out = StringIO()
    call_command("recover_uploads", stdout=out)
    return out.getvalue()


def test_the_command_completes_a_stored_photo_and_releases_a_lost_one(wedding, device, photos_dir):
    stored = dead_request(wedding, device, 1, stored=True)
    dead_request(wedding, device, 2, stored=False)
    assert recover_uploads() == (
        "ana-ben: 1 completed, 1 released, 0 half-written files removed, 0 not settled (retried next pass)\n"
    )
    assert list(Photo.objects.values_list("key", flat=True)) == [stored.key]
    assert wiring.quota_store().usage(wedding.slug, device).count == 1
    assert recover_uploads() == "Nothing to recover.\n"


def test_the_sweep_removes_bytes_staged_more_than_a_day_ago_and_keeps_newer_ones(db, photos_dir):
    staged = photos_dir / "_incoming/ana-ben/6f1c1e0a-1b8e-4d84-9d8a-2f1f3f3c0001"
    staged.mkdir(parents=True)
    (staged / "old.1").write_bytes(b"left over")
    (staged / "new.2").write_bytes(b"arriving")
    day_and_a_minute_ago = time.time() - 86460
    os.utime(staged / "old.1", (day_and_a_minute_ago, day_and_a_minute_ago))
    uploads_recover()
    assert [p.name for p in staged.iterdir()] == ["new.2"]


def test_a_claim_younger_than_the_ttl_is_left_to_its_request(wedding, device, photos_dir):
    dead_request(wedding, device, 1, stored=False, age=CLAIM_TTL / 2)
    assert recover_uploads() == "Nothing to recover.\n"
    assert len(wiring.quota_store().pending_claims(wedding.slug, utc_now() + CLAIM_TTL)) == 1


def test_one_event_whose_stores_fail_does_not_stop_the_sweep_of_the_others(alice, wedding, device, monkeypatch):
    party = event_create(owner=alice, name="Office party", slug="office-party")
    dead_request(party, device, 1, stored=False)
    recover = Uploader.recover

    def failing_for_the_wedding(uploader, slug, **settlers):
        if slug == wedding.slug:
            raise ConnectionError("table unreachable")
        return recover(uploader, slug, **settlers)

    monkeypatch.setattr(Uploader, "recover", failing_for_the_wedding)
    assert uploads_recover() == {wedding.slug: Recovered(failed=1), party.slug: Recovered(released=1)}


def test_repeating_it_stops_once_the_process_that_started_it_is_gone(monkeypatch, db):
    # GIVEN a parent (the gunicorn master) that is there at the start and for one interval, then killed
    parents = iter([100, 100, 100, 1])
    monkeypatch.setattr("os.getppid", lambda: next(parents))
    monkeypatch.setattr("time.sleep", lambda seconds: None)
    sweeps = []
    monkeypatch.setattr("events.management.commands.recover_uploads.uploads_recover", lambda: sweeps.append(1) or {})
    # WHEN it sweeps every 2 seconds
    call_command("recover_uploads", "--every", "2", stdout=StringIO())
    # THEN it swept at the start and after the first interval, and then ended
    assert len(sweeps) == 2


@pytest.mark.parametrize("command", ["recover_uploads", "purge_expired"])
def test_a_repeating_pass_whose_master_died_before_it_looked_runs_once_and_ends(command, tmp_path):
    # GIVEN a pass started by a master that was killed before the pass read its parent: it is init's child
    # now, and the master's pid (as gunicorn_conf gives it) is not its parent's
    env = os.environ | {"PHOTOSHARE_DATA_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "photoshare_site.settings"}
    env.pop("DATABASE_URL", None)
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    gone = os.getpid() + 1_000_000  # above any pid Linux gives (pid_max is at most 2**22)
    # WHEN it runs hourly, watching that master
    argv = [sys.executable, "manage.py", command, "--every", "3600", "--parent", str(gone)]
    ran = subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    # THEN it made its first pass and ended within the second, rather than running on for ever
    assert ran.returncode == 0, ran.stderr


def test_gunicorns_exit_stops_the_sweep_it_started(monkeypatch):
    class Arbiter:
        """The gunicorn master, as its hooks see it."""

    monkeypatch.setattr(gunicorn_conf, "sweep_command", lambda master: ["sleep", "60"])
    monkeypatch.setattr(gunicorn_conf, "purge_command", lambda master: ["sleep", "60"])
    master = Arbiter()
    master.pid = os.getpid()
    gunicorn_conf.when_ready(master)
    assert master.upload_sweep.poll() is None and master.retention_sweep.poll() is None
    gunicorn_conf.on_exit(master)
    assert master.upload_sweep.returncode == master.retention_sweep.returncode == -signal.SIGTERM


PLANT = """
from datetime import timedelta
from django.contrib.auth.models import User
from django.core.management import call_command
from events.services import event_create
from uploads.core import utc_now
from uploads.policy import default_limits
from uploads.ports import Claim
from uploads.stores.sql import SqlQuotaStore

call_command("migrate", verbosity=0)
event_create(owner=User.objects.create_user("alice"), name="Stale", slug="stale", limit=3)
dead = Claim("stale", "6f1c1e0a-1b8e-4d84-9d8a-2f1f3f3c0001", "f" * 64, utc_now() - timedelta(hours=1), "dead",
             key="stale/Guest/lost.jpg", guest_name="Guest")
SqlQuotaStore().reserve(dead, default_limits(3))
"""


def process_state(pid: int) -> str | None:
    """The process's state letter ("Z" for a zombie), None when it is gone (Linux /proc)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return None


def children(pid: int) -> dict[int, str]:
    """The live processes whose parent is `pid`, with their command lines."""
    found = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            state, parent = stat.read_text().rsplit(")", 1)[1].split()[:2]
            command = (stat.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if int(parent) == pid and state != "Z":
            found[int(stat.parent.name)] = command
    return found


def wait_until(condition, seconds: float = 60) -> bool:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.2)
    return True


@contextmanager
def served_after(data: Path, plant: str) -> Iterator[subprocess.Popen]:
    """`manage.py serve` (gunicorn and its children) on its own SQLite in `data`, started once `plant`
    (a `manage.py shell` script) has set the scene; stopped at the end."""
    env = os.environ | {"PHOTOSHARE_DATA_DIR": str(data), "DJANGO_SETTINGS_MODULE": "photoshare_site.settings"}
    env.pop("DATABASE_URL", None)
    subprocess.run([sys.executable, "manage.py", "shell", "-c", plant], cwd=ROOT, env=env, check=True)
    serve = [sys.executable, "manage.py", "serve", "--port", str(free_port()), "--workers", "1"]
    master = subprocess.Popen(serve, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        yield master
    finally:
        stop(master)


def test_serve_sweeps_at_once_and_the_sweep_ends_when_its_master_is_killed(tmp_path):
    # GIVEN an upload whose request died an hour ago without storing its photo; WHEN the server starts
    with served_after(tmp_path, PLANT) as master:
        # THEN its sweep, a child of gunicorn's master, gives the slot back
        with sqlite3.connect(tmp_path / "photoshare.sqlite3") as db:
            released = "SELECT COUNT(*) FROM uploads_uploadclaim WHERE event_slug = 'stale'"
            assert wait_until(lambda: db.execute(released).fetchone() == (0,)), "the sweep did not run"
            assert db.execute("SELECT count FROM uploads_devicequota").fetchall() == [(0,)]
        sweeps = [pid for pid, command in children(master.pid).items() if "--every" in command]
        assert len(sweeps) == 2, "the upload sweep and the retention pass"
        # AND when the master is killed outright (no hook runs), both end by themselves
        master.kill()
        assert wait_until(lambda: all(process_state(pid) in (None, "Z") for pid in sweeps), 10), (
            "a sweep outlived its master"
        )


def test_the_dashboard_schedule_calls_the_sweep_every_minute():
    stage = json.loads((ROOT / "zappa_settings.json").read_text())["dashboard"]
    scheduled = {entry["function"]: entry["expression"] for entry in stage["events"] if "expression" in entry}
    # Direct uploads expire a minute after their URL: the sweep gives their slots back within another.
    assert scheduled["events.sweeps.recover_uploads_everywhere"] == "rate(1 minute)"
    for path in scheduled:
        # Zappa finds the function again in the rule's name, after its last "-".
        assert "-" not in path
        module, name = path.rsplit(".", 1)
        function = getattr(importlib.import_module(module), name)
        # Zappa calls a scheduled function with the rule's event and the Lambda context.
        inspect.signature(function).bind({"source": "aws.events"}, object())


def test_the_scheduled_sweep_settles_uploads_on_aws(aws_backend, wedding, device):
    dead_request(wedding, device, 1, stored=True)
    dead_request(wedding, device, 2, stored=False)
    done = recover_uploads_everywhere({"source": "aws.events", "detail-type": "Scheduled Event"}, None)
    assert done == {wedding.slug: {"completed": 1, "released": 1, "failed": 0, "partials": 0}}
    assert wiring.quota_store().usage(wedding.slug, device).count == 1
