"""Each function's IAM policy is derived from the calls it makes: every path of the guest function and
of the dashboard runs under moto with every AWS call recorded (tests/iam.py); each call must be
allowed, and everything allowed must be used by some path."""

import hashlib
import json
import os
import uuid
from datetime import UTC, date, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import boto3
import pytest
from boto3.s3.transfer import TransferConfig
from django.urls import reverse

from events.exports import export_build_command
from events.models import Event, Photo, PhotoExport
from events.reconcile import reconcile
from events.s3_events import index_new_photos
from events.services import event_create
from events.sweeps import purge_expired_everywhere
from photoshare_site import wiring
from tests import guest_lambda as guest
from tests import iam
from tests.aws import PHOTO_BUCKET, REGION, TABLE
from tests.conftest import jpeg_bytes
from tests.uploads.contract_photos import stored_photo
from tests.uploads.test_core import request_for
from uploads import lambda_handler
from uploads.aws import clients, provisioning
from uploads.aws import exports as aws_exports
from uploads.aws.staging import S3Staging
from uploads.core import Uploader
from uploads.policy import default_limits
from uploads.ports import CLAIM_TTL, Claim, EventUsage, PendingUpload, StorageUnavailable

NAMES = provisioning.Names(
    region=REGION,
    account=iam.ACCOUNT,
    table=TABLE,
    photo_bucket=PHOTO_BUCKET,
    site_bucket="photoshare-guests",
    deploy_bucket="photoshare-deploys",
)
POLICIES = provisioning.function_policies(NAMES)
OTHER_PHONE = "00000000-0000-4000-8000-000000000002"
LATE_PHONE = "00000000-0000-4000-8000-000000000003"


def died_holding(uploader: Uploader, image: bytes, *, event: str, device: str, stored: bool, age=timedelta(0)):
    """The claim of a request that died holding it, `age` ago: before storing its photo, or after."""
    at = datetime.now(UTC) - age
    claim = Claim(
        event,
        device,
        hashlib.sha256(image).hexdigest(),
        at,
        token=uuid.uuid4().hex,
        key=f"{event}/Carla/{at:%Y%m%dT%H%M%S}Z_{uuid.uuid4().hex[:6]}.jpg",
        guest_name="Carla",
    )
    uploader.quota.reserve(claim, default_limits(10))
    if stored:
        uploader.photos.put(stored_photo(claim.key, event=event, device=device, sha256=claim.fingerprint), image)


# --- direct uploads (uploads/aws/staging.py) ------------------------------------------------------
# moto's smallest part but the last, as S3's.
PART = 5 * 1024 * 1024


def pending(data: bytes, token: str, event: str = "ana-ben") -> PendingUpload:
    fingerprint = hashlib.sha256(data).hexdigest()
    expires = datetime.now(UTC) + timedelta(minutes=15)
    return PendingUpload(event, guest.PHONE, fingerprint, token, len(data), "image/jpeg", expires)


def phone_sends(store: S3Staging, upload: PendingUpload, data: bytes, parts: list[int] | None = None) -> None:
    """What the phone's presigned requests store (the test's own calls: the presigning is recorded)."""
    targets = store.targets(upload)
    if targets.parts is None:
        store.client.put_object(Bucket=store.bucket, Key=upload.staging_key, Body=data)
        return
    upload_id = parse_qs(urlsplit(targets.parts[0].url).query)["uploadId"][0]
    for n in parts or range(1, len(targets.parts) + 1):
        body = data[(n - 1) * PART : n * PART]
        store.client.upload_part(
            Bucket=store.bucket, Key=upload.staging_key, UploadId=upload_id, PartNumber=n, Body=body
        )


def completes(store: S3Staging, upload: PendingUpload, key: str) -> None:
    store.assemble(upload, None)
    with store.open(upload) as file:
        store.publish(upload, file, stored_photo(key, event=upload.event, sha256=upload.fingerprint))
    store.discard(upload)


def guest_drives_direct_uploads(calls, store: S3Staging) -> None:
    """Start, resume, complete and give up direct uploads, one request and in parts, as the guest does."""
    photo, video = os.urandom(1000), os.urandom(PART + 1000)
    single, parted, abandoned = pending(photo, "p"), pending(video, "v"), pending(video, "x")
    store.targets(single)
    with calls.setting_up():
        phone_sends(store, single, photo)
    assert store.received(single) == [1]
    completes(store, single, "ana-ben/Carla/direct.jpg")
    with calls.setting_up():
        phone_sends(store, parted, video, [1])
    assert store.received(parted) == [1]
    store.targets(parted)
    with calls.setting_up():
        phone_sends(store, parted, video, [2])
    completes(store, parted, "ana-ben/Carla/direct.mp4")
    # A device's expired upload, half sent, released when it starts another.
    with calls.setting_up():
        phone_sends(store, abandoned, video, [1])
    store.discard(abandoned)


def dashboard_drives_direct_uploads(calls, store: S3Staging, event: str) -> None:
    """The bucket's event completes what arrived; the sweep and an event's deletion remove the rest."""
    photo, video = os.urandom(1000), os.urandom(PART + 1000)
    single, parted = pending(photo, "p", event), pending(video, "v", event)
    with calls.setting_up():
        phone_sends(store, single, photo)
        # A multipart upload's object is created when the page completes it.
        phone_sends(store, parted, video)
        store.assemble(parted, None)
    with calls.during("S3 trigger, staged upload"):
        completes(store, single, f"{event}/Carla/direct.jpg")
        completes(store, parted, f"{event}/Carla/direct.mp4")
    with calls.setting_up():
        expired, left = pending(video, "x", event), pending(photo, "y", event)
        phone_sends(store, expired, video, [1])
        phone_sends(store, left, photo)
    with calls.during("recovery sweep, staged upload"):
        store.discard(expired)
    with calls.during("event delete, staged uploads"):
        assert store.discard_event(event) == 1


# --- the guest function ---------------------------------------------------------------------------
def test_the_guest_policy_allows_exactly_the_calls_the_handler_makes(guest_lambda):
    with iam.recording() as calls, calls.during("guest"):
        uploader = lambda_handler.uploader()
        # Describe the event, store a photo, answer its retry, undo a failure, refuse over the limit.
        guest.call(guest.upload_event())
        guest.call(guest.upload_event())
        event = guest.recorded("apigw_http_v2_get_event")
        event["queryStringParameters"] = {"key": guest.KEY, "deviceId": guest.PHONE}
        guest.call(event)
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(uploader.quota, "complete", lambda claim, key: (_ for _ in ()).throw(StorageUnavailable()))
            guest.call(guest.upload_event(image=jpeg_bytes(5)))
        guest.call(guest.upload_event(image=jpeg_bytes(6)))
        assert guest.call(guest.upload_event(image=jpeg_bytes(7)))[0] == 429
        # A retry finds its photo stored by a request that died before completing: it finishes it.
        with calls.setting_up():
            died_holding(uploader, jpeg_bytes(8), event="ana-ben", device=OTHER_PHONE, stored=True)
        assert guest.call(guest.upload_event(image=jpeg_bytes(8), deviceId=OTHER_PHONE))[1]["duplicate"]
        # A retry finds a claim whose request died before storing: it takes the claim over.
        with calls.setting_up():
            died_holding(uploader, jpeg_bytes(9), event="ana-ben", device=LATE_PHONE, stored=False, age=CLAIM_TTL * 2)
        assert guest.call(guest.upload_event(image=jpeg_bytes(9), deviceId=LATE_PHONE))[0] == 200
        bucket = uploader.photos.bucket
        guest_drives_direct_uploads(calls, S3Staging(clients.guest_s3(), bucket, part_size=PART))
    assert {"ListParts", "CompleteMultipartUpload", "ListObjectVersions"} <= {call.operation for call in calls.made}
    assert {c.operation for c in calls.made if c.presigned} == {"PutObject", "UploadPart"}
    iam.assert_allows_exactly(POLICIES["guest"], calls.made)


# --- the dashboard function -----------------------------------------------------------------------
def s3_notification(*keys: str) -> dict:
    return {"Records": [{"s3": {"bucket": {"name": PHOTO_BUCKET}, "object": {"key": key}}} for key in keys]}


def zappa_loads_its_remote_env() -> None:
    """What Zappa's handler does at cold start with `remote_env` (LambdaHandler.load_remote_settings)."""
    boto3.Session().resource("s3").Object(NAMES.deploy_bucket, NAMES.dashboard_secrets).get()["Body"].read()


def drive_event_pages(client, calls) -> Event:
    with calls.during("event create"):
        client.post(
            reverse("event-create"), {"name": "Ana & Ben", "slug": "ana-ben", "upload_limit": 5, "is_open": "on"}
        )
        event = Event.objects.get()
    with calls.during("event pages"):
        client.get(reverse("event-detail", args=[event.slug]))
        client.post(
            reverse("event-edit", args=[event.slug]), {"name": "Ana and Ben", "upload_limit": 6, "is_open": "on"}
        )
        client.post(reverse("event-toggle-open", args=[event.slug]))
        client.post(reverse("event-toggle-open", args=[event.slug]))
        client.post(reverse("event-rotate-key", args=[event.slug]))
    event.refresh_from_db()
    assert (event.name, event.is_open) == ("Ana and Ben", True)
    return event


def drive_gallery(client, calls, event: Event) -> None:
    [first, *_] = Photo.objects.order_by("pk")
    with calls.during("gallery"):
        client.get(reverse("gallery", args=[event.slug]))
        client.get(reverse("photo-detail", args=[event.slug, first.pk]))
        client.get(reverse("photo-original", args=[event.slug, first.pk]))
        client.get(reverse("photo-thumbnail", args=[event.slug, first.pk]))
        client.post(reverse("photo-hide", args=[event.slug, first.pk]), {"hidden": "1"})
    # A photo whose thumbnail the S3 trigger could not make: the first request makes it.
    Photo.objects.filter(pk=first.pk).update(thumbnail_key="")
    with calls.during("thumbnail on request"):
        assert client.get(reverse("photo-thumbnail", args=[event.slug, first.pk])).status_code == 302


def drive_devices(client, calls, event: Event) -> None:
    with calls.during("devices"):
        client.get(reverse("device-list", args=[event.slug]))
        # The pages that ask before a reset or a new limit read the device's count too.
        assert client.get(reverse("device-reset", args=[event.slug, guest.PHONE])).status_code == 200
        assert client.get(reverse("device-limit", args=[event.slug, guest.PHONE]), {"limit": "9"}).status_code == 200
        client.post(reverse("device-reset", args=[event.slug, guest.PHONE]))
        client.post(reverse("device-limit", args=[event.slug, guest.PHONE]), {"limit": "9"})
        client.post(reverse("device-limit", args=[event.slug, guest.PHONE]), {"limit": ""})


def drive_exports(client, calls, event: Event, monkeypatch) -> None:
    with calls.during("download all"), monkeypatch.context() as patch:
        patch.setenv("AWS_LAMBDA_FUNCTION_NAME", "photoshare-dashboard")
        client.post(reverse("download-all", args=[event.slug]))
    [invoke] = [c for c in calls.made if c.operation == "Invoke"]
    with calls.during("ZIP build"):
        export_build_command(json.loads(invoke.params["Payload"]))
        assert client.get(reverse("download-all", args=[event.slug])).context["exports"][0].url
    # A ZIP past the multipart threshold, then one that fails half-way (a photo gone meanwhile).
    monkeypatch.setattr(aws_exports, "_TRANSFER", TransferConfig(multipart_threshold=1, max_concurrency=1))
    with calls.during("ZIP build in parts"):
        export_build_command({"export_id": PhotoExport.objects.create(event=event, key="exports/ana-ben/b.zip").pk})
    with calls.setting_up():
        wiring.photo_store().delete(Photo.objects.order_by("pk").last().key)
    with calls.during("ZIP build that fails"):
        export_build_command({"export_id": PhotoExport.objects.create(event=event, key="exports/ana-ben/c.zip").pk})
    assert list(PhotoExport.objects.order_by("pk").values_list("status", flat=True)) == ["ready", "ready", "failed"]


def drive_recovery(calls, event: Event) -> None:
    uploader = wiring.uploader()
    with calls.setting_up():
        died_holding(uploader, jpeg_bytes(20), event=event.slug, device=OTHER_PHONE, stored=True, age=CLAIM_TTL * 2)
        died_holding(uploader, jpeg_bytes(21), event=event.slug, device=OTHER_PHONE, stored=False, age=CLAIM_TTL * 2)
    with calls.during("recovery sweep"):
        recovered = uploader.recover(event.slug)
    assert (recovered.completed, recovered.released) == (1, 1)


def drive_deletes(client, calls, event: Event) -> None:
    first, second, *_ = Photo.objects.order_by("pk")
    with calls.during("photo delete"):
        client.post(reverse("photo-delete", args=[event.slug, first.pk]), {"refund": "on"})
        client.post(reverse("photo-delete", args=[event.slug, second.pk]))
    with calls.during("event delete"):
        client.post(reverse("event-delete", args=[event.slug]), {"name": event.name})
    assert not Event.objects.exists()


def drive_reconciliation(calls, event: Event) -> None:
    quota = wiring.quota_store()
    with calls.setting_up():
        # One drift of each kind that has a repair on AWS.
        wiring.policy_mirror().delete_policy(event.slug)
        Photo.objects.filter(event=event).first().delete()
        wiring.photo_store().delete(Photo.objects.filter(event=event).first().key)
        quota.set_count(event.slug, guest.PHONE, 9)
        quota.set_event_usage(event.slug, EventUsage(99, 99))
    with calls.during("reconciliation"):
        done = reconcile(fix=True)
    assert (len(done.kinds()), done.unrepaired) == (5, [])


def drive_retention(calls, owner) -> None:
    """An event whose retention ran out, its owner warned, deleted by the hourly schedule (event_delete)."""
    with calls.setting_up():
        old = event_create(owner=owner, name="Old", slug="old", date=date(2020, 1, 1), retention_days=30)
        wiring.uploader().upload(request_for(old, guest.PHONE, jpeg_bytes(30)))
        Event.objects.filter(pk=old.pk).update(retention_warned_at=datetime(2020, 1, 24, tzinfo=UTC))
    with calls.during("retention purge"):
        assert purge_expired_everywhere({"source": "aws.events"}, None)["deleted"] == ["old"]


def drive_password_reset(client, calls, monkeypatch) -> None:
    with calls.during("password reset mail"), monkeypatch.context() as patch:
        patch.setenv("AWS_LAMBDA_FUNCTION_NAME", "photoshare-dashboard")
        client.post(reverse("password_reset"), {"email": "alice@example.org"})
    assert [c.path for c in calls.made if c.operation == "Invoke"][-1] == "password reset mail"


def test_the_dashboard_policy_allows_exactly_the_calls_of_every_path(client, alice, aws_backend, monkeypatch):
    client.force_login(alice)
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket=NAMES.deploy_bucket, CreateBucketConfiguration={"LocationConstraint": REGION})
    s3.put_object(Bucket=NAMES.deploy_bucket, Key=NAMES.dashboard_secrets, Body=b'{"DJANGO_SECRET_KEY": "s"}')
    with iam.recording() as calls:
        with calls.during("cold start"):
            zappa_loads_its_remote_env()
        event = drive_event_pages(client, calls)
        with calls.setting_up():
            keys = [wiring.uploader().upload(request_for(event, guest.PHONE, jpeg_bytes(n))).key for n in range(3)]
        with calls.during("S3 trigger"):
            # Thumbnails and ZIPs land in the same bucket and trigger it too.
            assert index_new_photos(s3_notification(*keys, f"thumbs/{keys[0]}.webp", "exports/x.zip")) == 3
        drive_gallery(client, calls, event)
        drive_devices(client, calls, event)
        drive_exports(client, calls, event, monkeypatch)
        drive_recovery(calls, event)
        drive_reconciliation(calls, event)
        dashboard_drives_direct_uploads(calls, S3Staging(clients.s3(), PHOTO_BUCKET, part_size=PART), event.slug)
        drive_deletes(client, calls, event)
        drive_retention(calls, alice)
        drive_password_reset(client, calls, monkeypatch)
        with calls.during("health check"):
            assert client.get("/healthz").status_code == 200
    # THEN every path was recorded, with the calls that are easy to miss
    paths = {call.path for call in calls.made}
    assert paths == {
        "cold start",
        "event create",
        "event pages",
        "S3 trigger",
        "gallery",
        "thumbnail on request",
        "devices",
        "download all",
        "ZIP build",
        "ZIP build in parts",
        "ZIP build that fails",
        "recovery sweep",
        "reconciliation",
        "S3 trigger, staged upload",
        "recovery sweep, staged upload",
        "event delete, staged uploads",
        "photo delete",
        "event delete",
        "retention purge",
        "password reset mail",
        "health check",
    }
    # The health check asks with calls the pages need anyway: it adds no privilege.
    assert {c.operation for c in calls.made if c.path == "health check"} == {"GetItem", "HeadBucket"}
    operations = {call.operation for call in calls.made}
    assert {"Invoke", "CreateMultipartUpload", "AbortMultipartUpload", "BatchWriteItem", "DeleteObjects"} <= operations
    assert any(call.presigned for call in calls.made)
    # AND the policy allows each of them, and nothing more
    iam.assert_allows_exactly(POLICIES["dashboard"], calls.made)


def test_the_dashboard_may_store_a_photo_only_where_none_is_and_list_only_staged_versions():
    dashboard, photo = POLICIES["dashboard"], f"arn:aws:s3:::{PHOTO_BUCKET}/ana-ben/Carla/x.jpg"
    assert iam.allowed(dashboard, iam.Need("s3:PutObject", photo, (("s3:if-none-match", "*"),)))
    # Without If-None-Match a put could overwrite an original: refused outside its own trees.
    assert not iam.allowed(dashboard, iam.Need("s3:PutObject", photo))
    assert iam.allowed(dashboard, iam.Need("s3:PutObject", f"arn:aws:s3:::{PHOTO_BUCKET}/thumbs/x.webp"))
    for policy in POLICIES.values():
        versions = iam.Need("s3:ListBucketVersions", f"arn:aws:s3:::{PHOTO_BUCKET}", (("s3:prefix", "ana-ben/"),))
        assert not iam.allowed(policy, versions)
