"""manage.py reconcile: each kind of drift made on purpose, reported, then repaired; locally (the disk
and SQL) and on AWS (moto's S3 and DynamoDB). Its daily schedule on AWS reports without repairing."""

import json
import logging
import os
import time
from dataclasses import replace
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command, execute_from_command_line
from django.db import connections

from events.models import Moderation, Photo
from events.reconcile import report_drift
from events.recorder import photo_record
from events.selectors import event_policy
from events.services import event_create, event_update
from photoshare_site import wiring
from tests.conftest import jpeg_bytes
from tests.uploads.contract_photos import stored_photo
from uploads.core import utc_now
from uploads.ports import Claim, EventUsage

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(params=["local", "aws"])
def backend(request) -> str:
    """Which stores the test runs on; asked for before `wedding`, so its policy is mirrored there."""
    request.getfixturevalue("photos_dir" if request.param == "local" else "aws_backend")
    return request.param


def store_photo(event, device: str, n: int = 1, *, recorded: bool = True) -> str:
    """A photo stored as an upload stores it (claim, object, completion), indexed when `recorded`."""
    data, at = jpeg_bytes(n), utc_now()
    key = f"{event.slug}/Carla/{n}.jpg"
    claim = Claim(event.slug, device, f"{n:064x}", at, f"t{n}", key=key, guest_name="Carla", size=len(data))
    described = {"guest_name": "Carla", "size": len(data), "width": 64, "height": 48, "uploaded_at": at}
    photo = stored_photo(key, event=event.slug, device=device, sha256=claim.fingerprint, **described)
    quota = wiring.quota_store()
    quota.reserve(claim, event.limits())
    wiring.photo_store().put(photo, data)
    quota.complete(claim, key)
    if recorded:
        photo_record(stored=photo)
    return key


def reconcile(*options: str) -> str:
    """What the command printed; raises CommandError (exit status 1) where it found drift."""
    out = StringIO()
    try:
        call_command("reconcile", *options, stdout=out)
    except CommandError as error:
        raise AssertionError(out.getvalue()) from error
    return out.getvalue()


def drift_reported(*options: str) -> str:
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("reconcile", *options, stdout=out)
    return out.getvalue()


def test_a_consistent_event_has_no_drift(backend, wedding, device):
    store_photo(wedding, device)
    compared = "policies compared" if backend == "aws" else "policies not compared: guests read the database"
    assert reconcile() == f"No drift: 1 event checked ({compared}).\n"


def test_a_photo_whose_s3_event_never_arrived_is_reported_then_indexed(backend, wedding, device):
    key = store_photo(wedding, device, recorded=False)
    assert drift_reported() == (
        f"ana-ben: object without record: {key}\n"
        "Drift in 1 event checked (policies "
        + ("compared" if backend == "aws" else "not compared: guests read the database")
        + "): 1 object without record. Run with --fix to repair it.\n"
    )
    assert reconcile("--fix").startswith(f"ana-ben: object without record: {key} (repaired)\n")
    photo = Photo.objects.get(key=key)
    assert (photo.device_id, photo.guest_name, photo.width, photo.approved) == (device, "Carla", 64, True)
    assert reconcile().startswith("No drift")


def test_a_photo_indexed_late_waits_for_approval_where_the_event_approves_first(backend, wedding, device):
    event_update(event=wedding, moderation=Moderation.APPROVE_FIRST)
    key = store_photo(wedding, device, recorded=False)
    reconcile("--fix")
    assert Photo.objects.get(key=key).approved is False


def test_a_record_whose_photo_is_gone_is_removed_and_the_event_gets_its_usage_back(backend, wedding, device):
    key = store_photo(wedding, device)
    wiring.photo_store().delete(key)
    assert f"ana-ben: record without object: {key}\n" in drift_reported()
    reconcile("--fix")
    assert not Photo.objects.exists()
    quota = wiring.quota_store()
    assert quota.event_usage(wedding.slug) == EventUsage()
    # Its claim stays: the same bytes sent again are answered as already uploaded, as after a removal.
    assert quota.lookup(wedding.slug, device, f"{1:064x}") is not None
    assert reconcile().startswith("No drift")


def test_a_counter_above_its_claims_is_set_to_them(backend, wedding, device):
    store_photo(wedding, device)
    wiring.quota_store().set_count(wedding.slug, device, 3)
    assert f"ana-ben: counter above its claims: device {device} counts 3 photos, its claims 1\n" in drift_reported()
    reconcile("--fix")
    assert wiring.quota_store().usage(wedding.slug, device).count == 1
    assert reconcile().startswith("No drift")


def test_a_device_the_organizer_reset_is_no_drift(backend, wedding, device):
    store_photo(wedding, device)
    wiring.quota_store().reset(wedding.slug, device)
    assert reconcile().startswith("No drift")


def test_event_usage_that_disagrees_with_the_claims_is_set_to_what_they_hold(backend, wedding, device):
    store_photo(wedding, device)
    size = len(jpeg_bytes(1))
    wiring.quota_store().set_event_usage(wedding.slug, EventUsage(7, 9))
    assert f"ana-ben: usage: usage 7 photos / 9 bytes, its claims hold 1 / {size}\n" in drift_reported()
    reconcile("--fix")
    assert wiring.quota_store().event_usage(wedding.slug) == EventUsage(1, size)


def test_thumbnails_exports_and_staged_uploads_are_left_to_their_own_lifecycles(backend, wedding, device):
    for key in ("thumbs/ana-ben/Carla/1.jpg.webp", "exports/ana-ben/all.zip", "_incoming/ana-ben/x/y.z"):
        wiring.photo_store().put(stored_photo(key), b"x")
    assert reconcile().startswith("No drift")


def test_each_drift_of_several_events_is_reported_and_repaired_in_one_run(backend, alice, wedding, device):
    party = event_create(owner=alice, name="Office party", slug="office-party")
    store_photo(wedding, device, recorded=False)
    store_photo(party, device, 2)
    wiring.quota_store().set_event_usage(party.slug, EventUsage())
    report = reconcile("--fix")
    assert "ana-ben: object without record: ana-ben/Carla/1.jpg (repaired)" in report
    assert "office-party: usage: usage 0 photos / 0 bytes" in report
    assert "Drift in 2 events checked" in report
    assert "2 repaired, 0 not." in report
    assert reconcile().startswith("No drift: 2 events checked")


def test_a_missing_policy_on_aws_is_put_again(aws_backend, wedding):
    wiring.policy_mirror().delete_policy(wedding.slug)
    assert "ana-ben: policy: the guest path has no copy of its policy\n" in drift_reported()
    reconcile("--fix")
    assert wiring.dynamodb_store().get(wedding.slug) == event_policy(wedding)


def test_a_stale_policy_on_aws_is_named_by_its_fields_and_put_again(aws_backend, wedding):
    stale = replace(event_policy(wedding), is_open=False, limit=99, upload_key_sha256="0" * 64)
    wiring.policy_mirror().put_policy(stale)
    assert (
        "ana-ben: policy: the guest path's copy of its policy differs in limit, is_open, upload_key_sha256\n"
        in drift_reported()
    )
    reconcile("--fix")
    assert wiring.dynamodb_store().get(wedding.slug) == event_policy(wedding)


def test_locally_a_file_no_claim_names_is_reported_and_left_where_it_is(photos_dir, wedding):
    key = "ana-ben/Carla/unknown.jpg"
    wiring.photo_store().put(stored_photo(key), jpeg_bytes())
    out = drift_reported("--fix")
    assert f"ana-ben: object without record: {key} (not repaired: LookupError)\n" in out
    assert out.endswith("0 repaired, 1 not.\n")
    assert wiring.photo_store().exists(key)


def test_the_daily_schedule_on_aws_logs_drift_and_repairs_nothing(aws_backend, wedding, device, caplog):
    store_photo(wedding, device)
    wiring.quota_store().set_count(wedding.slug, device, 3)
    with caplog.at_level(logging.INFO, logger="events.reconcile"):
        found = report_drift({"source": "aws.events", "detail-type": "Scheduled Event"}, None)
    assert found == {"counter above its claims": 1}
    assert f"drift: ana-ben: counter above its claims: device {device} counts 3" in caplog.text
    assert "Drift in 1 event checked (policies compared): 1 counter above its claims." in caplog.text
    assert wiring.quota_store().usage(wedding.slug, device).count == 3


def test_the_dashboard_schedule_reports_drift_once_a_day():
    stage = json.loads((ROOT / "zappa_settings.json").read_text())["dashboard"]
    scheduled = {entry["function"]: entry["expression"] for entry in stage["events"] if "expression" in entry}
    # Its signature and name suit Zappa: tests/events/test_recover_uploads.py checks every scheduled function.
    assert scheduled["events.reconcile.report_drift"] == "rate(1 day)"


def test_a_drifted_event_of_many_photos_is_repaired_in_one_pass(photos_dir, alice):
    """bench/reconcile.py runs it at 2,000 photos from 200 phones (RECONCILE_PHOTOS)."""
    photos = int(os.environ.get("RECONCILE_PHOTOS", "40"))
    phones = [f"6f1c1e0a-1b8e-4d84-9d8a-{n:012x}" for n in range(max(photos // 10, 1))]
    event = event_create(owner=alice, name="Festival", slug="festival", limit=10, max_photos=photos, max_megabytes=100)
    keys = [store_photo(event, phones[n % len(phones)], n, recorded=n % 10 != 0) for n in range(photos)]
    # GIVEN a tenth of the photos never indexed, a tenth of the records without their file, every
    # tenth phone charged two photos more than it sent, and the event's usage zeroed
    for key in keys[5::10]:
        wiring.photo_store().delete(key)
    quota = wiring.quota_store()
    for phone in phones[::10]:
        quota.set_count(event.slug, phone, quota.usage(event.slug, phone).count + 2)
    quota.set_event_usage(event.slug, EventUsage())
    started = time.perf_counter()
    report = reconcile("--fix")
    took = time.perf_counter() - started
    # THEN each drift is repaired once, and nothing is left
    tenth = len(keys[::10])
    assert report.endswith(
        "Drift in 1 event checked "
        f"(policies not compared: guests read the database): {len(phones[::10])} counter above "
        f"its claims, {tenth} object without record, {tenth} record without object, 1 usage. "
        f"{2 * tenth + len(phones[::10]) + 1} repaired, 0 not.\n"
    )
    assert Photo.objects.count() == photos - tenth
    started = time.perf_counter()
    assert reconcile().startswith("No drift")
    clean = time.perf_counter() - started
    drifts = report.count("\n") - 1
    # Shown with -s (bench/reconcile.py).
    print(f"\n{photos} photos from {len(phones)} phones: --fix of {drifts} drifts {took:.2f} s, check {clean:.2f} s")


def test_drift_exits_with_status_1_without_fix_and_0_once_repaired(photos_dir, wedding, device, capsys, monkeypatch):
    # As run from a shell; manage.py closes the connections when done, which would end the test's transaction.
    monkeypatch.setattr(connections, "close_all", lambda: None)
    store_photo(wedding, device)
    wiring.quota_store().set_event_usage(wedding.slug, EventUsage(5, 5))
    with pytest.raises(SystemExit) as exited:
        execute_from_command_line(["manage.py", "reconcile"])
    assert exited.value.code == 1
    assert "CommandError: Drift found." in capsys.readouterr().err
    execute_from_command_line(["manage.py", "reconcile", "--fix"])
    execute_from_command_line(["manage.py", "reconcile"])
    assert capsys.readouterr().out.endswith(
        "No drift: 1 event checked (policies not compared: guests read the database).\n"
    )
