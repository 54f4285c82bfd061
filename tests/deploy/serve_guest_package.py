"""Serve synthetic API Gateway events with the guest handler imported from an unpacked package.

    AWS_ENDPOINT_URL=http://127.0.0.1:PORT python serve_guest_package.py UNPACKED_DIR

Run in a fresh interpreter whose path starts at UNPACKED_DIR (nothing from the repository), against
the moto server the test started, with whichever boto3 that interpreter has (the Lambda runtime
brings its own). Prints one JSON object: where the handler came from, the status codes, whether a
second put to a stored photo's key was refused, what a direct upload staged on S3 went through, the
SDK's version and the top-level modules imported.
"""

import base64
import hashlib
import json
import os
import sys
import urllib.request
from datetime import UTC, datetime, timedelta

unpacked = os.path.abspath(sys.argv[1])
sys.path.insert(0, unpacked)
os.environ |= {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "eu-west-1",
    "PHOTOSHARE_TABLE": "PhotoUploadCounts",
    "PHOTOSHARE_PHOTO_BUCKET": "photoshare-photos",
}
KEY, DEVICE = "k" * 43, "6f1c1e0a-1b8e-4d84-9d8a-2f1f3f3c0001"
# The smallest whole JPEG the recogniser accepts: SOI, a frame header, one empty scan, EOI.
JPEG = bytes.fromhex("ffd8ffc0000b080001000101011100ffda0008010100003f00ffd9")


def upload(handler, key: str, nonce: int) -> int:
    image = JPEG[:-2] + bytes([nonce]) + JPEG[-2:]  # distinct bytes, so not a retry of the last one
    body = {"eventName": "party", "uploadKey": key, "guestName": "Ana", "deviceId": DEVICE}
    body["image"] = base64.b64encode(image).decode()
    event = {"httpMethod": "POST", "path": "/upload", "headers": {}, "body": json.dumps(body)}
    return handler(event, None)["statusCode"]


def overwrite_refused(store) -> bool:
    """Put the stored photo again under its own key: S3 must refuse it (the If-None-Match header)."""
    from uploads.ports import KeyExists

    (key,) = [item["Key"] for item in store.client.list_objects_v2(Bucket=store.bucket)["Contents"]]
    photo, data = store.fetch(key)
    try:
        store.put(photo, data + b"changed")
    except KeyExists:
        return store.read(key) == data
    return False


def send(target, body: bytes) -> int:
    """The phone's PUT to a presigned URL (a part's Content-Type is not signed: any will do)."""
    headers = {"Content-Type": "application/octet-stream", **target.headers}
    request = urllib.request.Request(target.url, data=body, headers=headers, method="PUT")  # noqa: S310
    with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310 (the test's moto server)
        return answer.status


def staged_uploads(client) -> dict:
    """Every call of uploads/aws/staging.py on this SDK: a photo in one presigned PUT, a video in two
    parts resumed in between, each assembled, read back, published once and discarded."""
    import boto3
    from botocore.config import Config

    from uploads.aws.staging import S3Staging
    from uploads.ports import KeyExists, PendingUpload, StoredPhoto

    part = 5 * 1024 * 1024
    # moto's address takes path-style requests (on AWS: staging.PRESIGNING's virtual hosts).
    store = S3Staging(
        client,
        "photoshare-photos",
        part_size=part,
        presigner=boto3.client("s3", config=Config(signature_version="s3v4")),
    )
    outcome: dict = {"received": [], "published_once": []}
    for n, data in enumerate([os.urandom(1000), os.urandom(part + 1000)]):
        fingerprint, expires = hashlib.sha256(data).hexdigest(), datetime.now(UTC) + timedelta(minutes=15)
        upload = PendingUpload("party", DEVICE, fingerprint, f"t{n}", len(data), "image/jpeg", expires)
        targets = store.targets(upload)
        chunks = [data] if targets.single else [data[:part], data[part:]]
        send(targets.single or targets.parts[0], chunks[0])
        outcome["received"].append(store.received(upload))
        for number, chunk in enumerate(chunks[1:], start=2):
            send(store.targets(upload).parts[number - 1], chunk)
        store.assemble(upload, None)
        photo = StoredPhoto(
            "party", DEVICE, "Ana", f"party/Ana/direct{n}.jpg", "image/jpeg", len(data), 1, 1, fingerprint, expires
        )
        with store.open(upload) as file:
            store.publish(upload, file, photo)
            try:
                store.publish(upload, file, photo)
            except KeyExists:
                outcome["published_once"].append(store.photos.read(photo.key) == data)
        store.discard(upload)
    versions = client.list_object_versions(Bucket="photoshare-photos", Prefix="_incoming/")
    outcome["left_staged"] = len(versions.get("Versions", [])) + len(versions.get("DeleteMarkers", []))
    return outcome


def main() -> dict:
    import boto3  # imported here, after the path: the package's own if it ships one, else the runtime's
    import botocore

    from uploads import lambda_handler
    from uploads.aws.dynamodb import ATTRIBUTE_DEFINITIONS, KEY_SCHEMA
    from uploads.policy import EventPolicy, hash_upload_key

    boto3.client("dynamodb").create_table(
        TableName="PhotoUploadCounts",
        KeySchema=KEY_SCHEMA,
        AttributeDefinitions=ATTRIBUTE_DEFINITIONS,
        BillingMode="PAY_PER_REQUEST",
    )
    boto3.client("s3").create_bucket(
        Bucket="photoshare-photos", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"}
    )
    lambda_handler.uploader().policies.put_policy(EventPolicy("party", "Party", 1, True, hash_upload_key(KEY)))
    statuses = [upload(lambda_handler.handler, KEY, 1), upload(lambda_handler.handler, KEY, 2)]
    statuses.append(upload(lambda_handler.handler, "wrong-key", 3))
    return {
        "handler_file": lambda_handler.__file__,
        "statuses": statuses,
        "overwrite_refused": overwrite_refused(lambda_handler.uploader().photos),
        "staged_uploads": staged_uploads(lambda_handler.uploader().photos.client),
        "python": f"{sys.version_info.major}.{sys.version_info.minor}",
        "boto3": boto3.__version__,
        "botocore": botocore.__version__,
        "modules": sorted({m.split(".")[0] for m in sys.modules}),
    }


print(json.dumps(main()))
