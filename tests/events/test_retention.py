"""Retention: an event set to "delete everything N days after" is deleted through event_delete on its
day, a week after its owner was e-mailed; by `manage.py purge_expired`, by serve's hourly pass and by
the dashboard function's schedule on AWS."""

import json
import sqlite3
from datetime import date, timedelta
from io import StringIO

import boto3
import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from events.models import Event, Photo
from events.s3_events import index_new_photos
from events.selectors import events_to_warn
from events.services import event_create, event_retention_warn, events_retention_sweep
from events.sweeps import purge_expired_everywhere
from photoshare_site import wiring
from tests.conftest import jpeg_bytes
from tests.events.test_event_delete import busy_wedding, files_under  # noqa: F401 (a fixture)
from tests.events.test_recover_uploads import ROOT, children, served_after, wait_until
from tests.uploads.test_core import request_for
from uploads.models import DeviceQuota, UploadClaim

TODAY = timezone.localdate()


def retain(event: Event, *, ended_days_ago: int, days: int, warned_days_ago: int | None = None) -> Event:
    """Set the event's date and retention as the organizer would, and when its owner was e-mailed."""
    warned = None if warned_days_ago is None else timezone.now() - timedelta(days=warned_days_ago)
    Event.objects.filter(pk=event.pk).update(
        date=TODAY - timedelta(days=ended_days_ago), retention_days=days, retention_warned_at=warned
    )
    event.refresh_from_db()
    return event


def purge_expired(*args: str) -> str:
    out = StringIO()
    call_command("purge_expired", *args, stdout=out)
    return out.getvalue()


def test_a_due_event_goes_with_its_photos_thumbnails_and_counters(busy_wedding, photos_dir):  # noqa: F811
    retain(busy_wedding, ended_days_ago=40, days=30, warned_days_ago=17)
    assert purge_expired() == "ana-ben: deleted\n"
    assert not Event.objects.filter(slug="ana-ben").exists() and not Photo.objects.filter(key__startswith="ana-ben")
    assert not [f for f in files_under(photos_dir) if "ana-ben" in f]
    assert not DeviceQuota.objects.filter(event_slug="ana-ben").exists()
    assert not UploadClaim.objects.filter(event_slug="ana-ben").exists()
    # The other event keeps its photo and its counter.
    assert files_under(photos_dir / "office-party") and DeviceQuota.objects.filter(event_slug="office-party")


def test_an_event_whose_day_has_not_come_is_kept(busy_wedding, photos_dir):  # noqa: F811
    retain(busy_wedding, ended_days_ago=20, days=30)
    assert purge_expired() == "Nothing to delete or warn about.\n"
    assert Photo.objects.filter(event=busy_wedding).count() == 3 and not mail.outbox


def test_an_event_without_retention_is_kept_however_old(busy_wedding, photos_dir):  # noqa: F811
    Event.objects.filter(pk=busy_wedding.pk).update(date=date(2001, 1, 1))
    assert purge_expired() == "Nothing to delete or warn about.\n"
    assert Photo.objects.filter(event=busy_wedding).count() == 3 and not mail.outbox


def test_the_owner_is_warned_once_a_week_before_and_not_again(wedding):
    retain(wedding, ended_days_ago=22, days=30)  # deleted in 8 days: not yet
    assert purge_expired() == "Nothing to delete or warn about.\n"
    retain(wedding, ended_days_ago=23, days=30)  # in 7 days
    assert purge_expired() == "ana-ben: owner warned\n"
    assert purge_expired() == "Nothing to delete or warn about.\n"
    assert len(mail.outbox) == 1 and Event.objects.get().retention_warned_at is not None


def test_the_warning_mail_says_what_goes_when_and_how_to_keep_it(wedding):
    retain(wedding, ended_days_ago=23, days=30)
    purge_expired()
    [message] = mail.outbox
    deletes_on = f"{TODAY + timedelta(days=7):%-d %B %Y}"
    assert message.to == ["alice@example.org"]
    assert message.subject == f"“Ana & Ben”: all photos will be deleted on {deletes_on}"
    assert f"On {deletes_on}, all its photos and videos" in message.body
    assert "deleted 30 days after it" in message.body and "Download all (ZIP)" in message.body
    assert "&amp;" not in message.body


def test_nothing_is_deleted_sooner_than_a_week_after_the_warning(wedding):
    # GIVEN a retention set today on an event that ended long ago
    retain(wedding, ended_days_ago=100, days=30)
    # WHEN the passes run: the first warns, the next days keep it until a week has passed
    assert events_retention_sweep().warned == ["ana-ben"]
    assert Event.objects.get().retention_deletes_on() == TODAY + timedelta(days=7)
    assert events_retention_sweep(today=TODAY + timedelta(days=6)).deleted == []
    # THEN it goes on the seventh day
    assert events_retention_sweep(today=TODAY + timedelta(days=7)).deleted == ["ana-ben"]
    assert not Event.objects.exists()


def test_a_later_date_set_after_the_warning_is_warned_about_again(wedding):
    retain(wedding, ended_days_ago=23, days=30, warned_days_ago=0)
    Event.objects.filter(pk=wedding.pk).update(retention_days=60)
    assert events_retention_sweep(today=TODAY + timedelta(days=29)).warned == []
    assert events_retention_sweep(today=TODAY + timedelta(days=30)).warned == ["ana-ben"]
    assert len(mail.outbox) == 1


def test_a_second_pass_running_at_the_same_time_sends_no_second_mail(wedding):
    # GIVEN a pass that selected the event, then another pass (a schedule delivered twice) warned first
    retain(wedding, ended_days_ago=23, days=30)
    [seen] = events_to_warn(TODAY)
    assert events_retention_sweep().warned == ["ana-ben"]
    # WHEN the first pass reaches it
    event_retention_warn(event=seen, today=TODAY)
    # THEN the owner got one mail
    assert len(mail.outbox) == 1


def test_a_mail_that_fails_is_tried_again_and_holds_the_deletion(wedding, monkeypatch):
    retain(wedding, ended_days_ago=100, days=30)

    def refused(*args, **kwargs):
        raise ConnectionRefusedError("no SMTP server")

    monkeypatch.setattr("events.services.send_mail", refused)
    assert events_retention_sweep().failed == ["ana-ben"]
    assert Event.objects.get().retention_warned_at is None
    assert events_retention_sweep(today=TODAY + timedelta(days=30)).deleted == []


def test_dry_run_lists_what_would_go_and_changes_nothing(busy_wedding, alice, photos_dir):  # noqa: F811
    retain(busy_wedding, ended_days_ago=40, days=30, warned_days_ago=8)
    party = retain(Event.objects.get(slug="office-party"), ended_days_ago=25, days=30)
    assert purge_expired("--dry-run") == "ana-ben: would be deleted\noffice-party: would be warned\n"
    assert Event.objects.count() == 2 and not mail.outbox
    party.refresh_from_db()
    assert party.retention_warned_at is None


def test_the_event_page_and_form_show_the_deletion_date(client, alice, wedding):
    client.force_login(alice)
    assert "will be deleted" not in client.get(reverse("event-detail", args=[wedding.slug])).content.decode()
    Event.objects.filter(pk=wedding.pk).update(date=date(2027, 6, 12), retention_days=30)
    for page in ("event-detail", "event-edit"):
        html = client.get(reverse(page, args=[wedding.slug])).content.decode()
        assert "All photos of this event will be deleted on 12 July 2027." in html


def test_the_form_sets_retention_and_refuses_it_without_a_date(client, alice, wedding):
    client.force_login(alice)
    form = {"name": "Ana & Ben", "upload_limit": 3, "is_open": "on", "retention_days": 30}
    page = client.post(reverse("event-edit", args=[wedding.slug]), form)
    assert "Set the event&#x27;s date: the deletion is counted from it." in page.content.decode()
    client.post(reverse("event-edit", args=[wedding.slug]), form | {"date": "2027-06-12"})
    assert Event.objects.get().retention_date() == date(2027, 7, 12)


@pytest.mark.one_database
def test_the_dashboard_schedule_runs_the_retention_pass_every_hour():
    stage = json.loads((ROOT / "zappa_settings.json").read_text())["dashboard"]
    scheduled = {entry["function"]: entry["expression"] for entry in stage["events"] if "expression" in entry}
    assert scheduled["events.sweeps.purge_expired_everywhere"] == "rate(1 hour)"


def test_on_aws_the_scheduled_pass_empties_the_bucket_and_the_partition(alice, aws_backend, wedding, device):
    # GIVEN photos stored by the guest path and indexed by the S3 trigger, and another event
    uploader = wiring.uploader()
    for seed in (1, 2):
        stored = uploader.upload(request_for(wedding, device, jpeg_bytes(seed)))
        index_new_photos({"Records": [{"s3": {"bucket": {"name": "b"}, "object": {"key": stored.key}}}]})
    other = event_create(owner=alice, name="Office party", slug="office-party")
    uploader.upload(request_for(other, device, jpeg_bytes(1)))
    retain(wedding, ended_days_ago=40, days=30, warned_days_ago=10)
    # WHEN the schedule calls the dashboard function
    done = purge_expired_everywhere({"source": "aws.events", "detail-type": "Scheduled Event"}, None)
    # THEN event_delete left nothing of it in S3 or DynamoDB, and the other event is untouched
    assert done == {"warned": [], "deleted": ["ana-ben"], "failed": []}
    keys = [o["Key"] for o in boto3.client("s3").list_objects_v2(Bucket=aws_backend.PHOTO_BUCKET)["Contents"]]
    assert keys and not [k for k in keys if "ana-ben" in k]
    partition = boto3.client("dynamodb").query(
        TableName=aws_backend.DYNAMODB_TABLE,
        KeyConditionExpression="EventName = :e",
        ExpressionAttributeValues={":e": {"S": "ana-ben"}},
    )
    assert partition["Items"] == []
    assert wiring.dynamodb_store().get("office-party") is not None


PLANT = """
from datetime import timedelta
from django.contrib.auth.models import User
from django.core.management import call_command
from django.utils import timezone
from events.models import Event
from events.services import event_create

call_command("migrate", verbosity=0)
owner = User.objects.create_user("alice", "alice@example.org")
event_create(owner=owner, name="Old", slug="old", date=timezone.localdate() - timedelta(days=40), retention_days=30)
Event.objects.filter(slug="old").update(retention_warned_at=timezone.now() - timedelta(days=8))
"""


def test_serve_runs_the_retention_pass_beside_its_workers(tmp_path):
    # GIVEN an event whose retention ran out, its owner warned eight days ago; WHEN the server starts
    with served_after(tmp_path, PLANT) as master:
        # THEN its retention pass, a child of gunicorn's master, deletes it at once
        with sqlite3.connect(tmp_path / "photoshare.sqlite3") as db:
            events = "SELECT COUNT(*) FROM events_event"
            assert wait_until(lambda: db.execute(events).fetchone() == (0,)), "the retention pass did not run"
        assert [command for command in children(master.pid).values() if "purge_expired --every 3600" in command]
