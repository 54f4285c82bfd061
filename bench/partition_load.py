"""What one event's DynamoDB partition can take: count what each guest request writes and reads, then
divide DynamoDB's per-partition and per-item limits by it.

    .venv/bin/python -m bench.partition_load [--guests 50] [--photos 3] [--direct]

Runs the guest Lambda's handler (uploads/lambda_handler.py) against moto's server mode on 127.0.0.1:
each guest opens the page once (GET /api/events/<slug>?deviceId=...) and sends `--photos` uploads, inline
(POST /api/upload) or with --direct as originals go (start, the bytes into the bucket, complete). Every
DynamoDB request is recorded with the size of each item it touched, before and after (read back through
a second client), and priced by DynamoDB's documented rules (bench/capacity.py). moto prices nothing
and throttles nothing: the ceilings printed are these counts divided by AWS's published limits, not a
measured saturation.
"""

import argparse
import base64
import hashlib
import io
import json
import logging
import os
import urllib.request
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import boto3
from moto.server import ThreadedMotoServer
from PIL import Image

from bench.capacity import Item, Request, Write, item_size
from bench.common import numbered
from uploads import lambda_handler
from uploads.aws import clients
from uploads.aws.dynamodb import ATTRIBUTE_DEFINITIONS, CLAIM_PREFIX, KEY_SCHEMA, POLICY_KEY, USAGE_KEY, DynamoDBStore
from uploads.aws.provisioning import GUEST_API_RATE
from uploads.naming import GUEST_NAME_MAX
from uploads.policy import EventPolicy, hash_upload_key

# DynamoDB's published limits for one partition, and so for one item (adaptive capacity can move hot
# items apart, never split one).
PARTITION_WCU = 1000
PARTITION_RCU = 3000
REGION = "eu-west-1"
TABLE = "PhotoUploadCounts"
BUCKET = "photoshare-partition-load"
KEY = "k" * 43
# The largest claim item an upload can write: the longest slug, and the longest guest name in 3-byte
# characters, which it holds twice (GuestName, and the folder in TargetKey; emoji leave the folder "guest").
SLUG = "festival-" + "x" * 41
GUEST_NAME = "字" * GUEST_NAME_MAX


def kind(sort_key: str) -> str:
    """Which of an event's items a sort key names (uploads/aws/dynamodb.py's docstring lists them)."""
    if sort_key == USAGE_KEY:
        return "#usage"
    if sort_key == POLICY_KEY:
        return "#policy"
    return "claim" if sort_key.startswith(CLAIM_PREFIX) else "counter"


@dataclass
class Recorder:
    """Hooked on a DynamoDB client: each request, with every item it touched, priced. `reader` is
    another client, unhooked, that reads the items each write touches before and after it."""

    reader: Any
    requests: list[Request] = field(default_factory=list)
    _pending: list[tuple[list[Item], list[int]]] = field(default_factory=list)

    def attach(self, client: Any) -> None:
        client.meta.events.register("provide-client-params.dynamodb.*", self._before)
        client.meta.events.register("after-call.dynamodb.*", self._after)

    def take(self) -> list[Request]:
        taken, self.requests = self.requests, []
        return taken

    def _size_now(self, key: Item) -> int:
        return item_size(self.reader.get_item(TableName=TABLE, Key=key, ConsistentRead=True).get("Item"))

    def _before(self, params: dict[str, Any], model: Any, **_: Any) -> None:
        keys = _written_keys(model.name, params)
        self._pending.append((keys, [self._size_now(key) for key in keys]))

    def _after(self, parsed: dict[str, Any], model: Any, **_: Any) -> None:
        keys, before = self._pending.pop()
        transactional = model.name == "TransactWriteItems"
        writes = tuple(
            Write(kind(key["DeviceID"]["S"]), size, self._size_now(key), transactional)
            for key, size in zip(keys, before, strict=True)
        )
        items = [parsed["Item"]] if "Item" in parsed else parsed.get("Items", [])
        read = tuple(kind(item["DeviceID"]["S"]) for item in items)
        self.requests.append(Request(model.name, writes, read, sum(item_size(item) for item in items)))


def _written_keys(operation: str, params: dict[str, Any]) -> list[Item]:
    if operation == "TransactWriteItems":
        actions = [next(iter(entry.values())) for entry in params["TransactItems"]]
    elif operation in {"PutItem", "UpdateItem", "DeleteItem"}:
        actions = [params]
    else:
        return []
    return [action.get("Key") or {n: action["Item"][n] for n in ("EventName", "DeviceID")} for action in actions]


@dataclass(frozen=True)
class Figures:
    """What one page load and one accepted upload cost, on average over the run, and what DynamoDB's
    limits make of it."""

    photos_each: int
    # Requests to the guest API per upload: 1 inline, 2 direct (start, complete).
    api_requests: int
    calls: dict[str, float]
    write_units: float
    usage_write_units: float
    read_units: float
    page_read_units: float
    largest_item: int

    @property
    def partition_ceiling(self) -> float:
        """Uploads a second while the whole event sits in one partition (a page load per guest counted)."""
        reads = self.read_units + self.page_read_units / self.photos_each
        return min(PARTITION_WCU / self.write_units, PARTITION_RCU / reads)

    @property
    def usage_ceiling(self) -> float:
        """Uploads a second on the one #usage item every upload writes, however far DynamoDB splits."""
        return PARTITION_WCU / self.usage_write_units

    @property
    def api_ceiling(self) -> float:
        """Uploads a second the guest stage's throttle lets through, a page load per guest counted."""
        return GUEST_API_RATE * self.photos_each / (self.api_requests * self.photos_each + 1)

    def guests_a_minute(self, uploads_a_second: float) -> float:
        return uploads_a_second * 60 / self.photos_each


def tally(uploads: list[Request], pages: list[Request], guests: int, photos_each: int, api_requests: int) -> Figures:
    upload_count = guests * photos_each
    calls = Counter(request.operation for request in uploads)
    return Figures(
        photos_each=photos_each,
        api_requests=api_requests,
        calls={name: count / upload_count for name, count in sorted(calls.items())},
        write_units=sum(r.write_units for r in uploads) / upload_count,
        usage_write_units=sum(w.units for r in uploads for w in r.writes if w.kind == "#usage") / upload_count,
        read_units=sum(r.read_units for r in uploads) / upload_count,
        page_read_units=sum(r.read_units for r in pages) / guests,
        largest_item=max(max(w.before, w.after) for r in uploads for w in r.writes),
    )


@contextmanager
def moto_server() -> Iterator[str]:
    """moto's server mode on a free loopback port, the AWS variables pointed at it."""
    # Its request log would bury the figures.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    # moto's state lives in this process, across servers: start from an empty account.
    urllib.request.urlopen(urllib.request.Request(f"{endpoint}/moto-api/reset", method="POST")).close()
    saved = dict(os.environ)
    os.environ |= {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": REGION,
        "AWS_REGION": REGION,
        "AWS_ENDPOINT_URL": endpoint,
        "PHOTOSHARE_TABLE": TABLE,
        "PHOTOSHARE_PHOTO_BUCKET": BUCKET,
    }
    try:
        yield endpoint
    finally:
        os.environ.clear()
        os.environ.update(saved)
        server.stop()


def photo(n: int) -> bytes:
    """A distinct small JPEG per n: DynamoDB's side of an upload does not depend on the photo's bytes."""
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (40, 90, 160)).save(buffer, "JPEG")
    return numbered(buffer.getvalue(), n)


def guest_request(method: str, path: str, client: str, body: dict | None = None, query: dict | None = None) -> dict:
    """One API Gateway (REST) request to the guest handler; its answer, which must be a success."""
    event = {
        "httpMethod": method,
        "path": path,
        "headers": {"Content-Type": "application/json"},
        "queryStringParameters": query,
        "requestContext": {"identity": {"sourceIp": client}},
        "body": json.dumps(body) if body else None,
    }
    response = lambda_handler.handler(event, None)
    assert response["statusCode"] in {200, 201}, response
    answer: dict = json.loads(response["body"])
    return answer


def send_inline(fields: dict, client: str, data: bytes) -> None:
    guest_request("POST", "/api/upload", client, fields | {"image": base64.b64encode(data).decode()})


def send_direct(fields: dict, client: str, data: bytes) -> None:
    """Start, the bytes into the bucket where the presigned URL points, complete (inline: a small photo)."""
    announced = {"size": len(data), "sha256": hashlib.sha256(data).hexdigest(), "contentType": "image/jpeg"}
    upload_id = guest_request("POST", "/api/uploads", client, fields | announced)["uploadId"]
    fingerprint, token = upload_id.rsplit(".", 2)[1:]
    staged = f"_incoming/{SLUG}/{fields['deviceId']}/{fingerprint}.{token}"
    boto3.client("s3").put_object(Bucket=BUCKET, Key=staged, Body=data)
    done = {"key": KEY, "deviceId": fields["deviceId"]}
    assert guest_request("POST", f"/api/uploads/{upload_id}/complete", client, done)["status"] == "ok"


def forget_guest_function() -> None:
    """The guest function's clients and stores are made once per process: made anew for this endpoint."""
    for cached in (clients.guest_dynamodb, clients.guest_s3, lambda_handler.uploader, lambda_handler.direct_uploads):
        cached.cache_clear()


def create_event(photos_each: int) -> None:
    boto3.client("dynamodb").create_table(
        TableName=TABLE, KeySchema=KEY_SCHEMA, AttributeDefinitions=ATTRIBUTE_DEFINITIONS, BillingMode="PAY_PER_REQUEST"
    )
    boto3.client("s3").create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
    policy = EventPolicy(SLUG, "Festival", photos_each, True, hash_upload_key(KEY))
    DynamoDBStore(boto3.client("dynamodb"), TABLE).put_policy(policy)


def run(guests: int, photos_each: int, *, direct: bool = False) -> Figures:
    """Each guest opens the page, then uploads `photos_each` photos, inline or direct."""
    send = send_direct if direct else send_inline
    with moto_server():
        create_event(photos_each)
        forget_guest_function()
        recorder = Recorder(boto3.client("dynamodb"))
        recorder.attach(clients.guest_dynamodb())
        uploads: list[Request] = []
        pages: list[Request] = []
        for guest in range(guests):
            device, client = str(uuid.uuid4()), f"198.51.100.{guest % 250}"
            guest_request("GET", f"/api/events/{SLUG}", client, query={"key": KEY, "deviceId": device})
            pages += recorder.take()
            for n in range(photos_each):
                fields = {"eventName": SLUG, "uploadKey": KEY, "guestName": GUEST_NAME, "deviceId": device}
                send(fields, client, photo(guest * photos_each + n))
                uploads += recorder.take()
        forget_guest_function()
    return tally(uploads, pages, guests, photos_each, api_requests=2 if direct else 1)


def report(f: Figures) -> str:
    calls = ", ".join(f"{name} {count:g}" for name, count in f.calls.items())
    way = "direct" if f.api_requests == 2 else "inline"
    lines = [
        f"per {way} upload: {calls}; {f.write_units:g} WCU ({f.usage_write_units:g} on #usage), {f.read_units:g} RCU",
        f"per page load: {f.page_read_units:g} RCU; largest item written: {f.largest_item} bytes (a unit is 1,024)",
        f"one partition ({PARTITION_WCU} WCU/s, {PARTITION_RCU} RCU/s): {f.partition_ceiling:.0f} uploads/s,"
        f" {f.guests_a_minute(f.partition_ceiling):,.0f} guests/min at {f.photos_each} photos each",
        f"the #usage item alone ({PARTITION_WCU} WCU/s): {f.usage_ceiling:.0f} uploads/s,"
        f" {f.guests_a_minute(f.usage_ceiling):,.0f} guests/min",
        f"the guest stage's throttle ({GUEST_API_RATE} requests/s, a page load per guest):"
        f" {f.api_ceiling:.0f} uploads/s, {f.guests_a_minute(f.api_ceiling):,.0f} guests/min",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> Figures:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--guests", type=int, default=50)
    parser.add_argument("--photos", type=int, default=3)
    parser.add_argument("--direct", action="store_true", help="POST /api/uploads and complete, not POST /api/upload")
    args = parser.parse_args(argv)
    result = run(args.guests, args.photos, direct=args.direct)
    print(report(result))
    return result


if __name__ == "__main__":
    main()
