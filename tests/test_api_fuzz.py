"""schemathesis fuzzes the guest API from its OpenAPI document against a real server: no server
errors and no response outside the schema. The document is given the event's real slug and key as
examples, so generated requests reach the upload logic too, not only the 404 and 403 answers."""

import base64
import hashlib
import http.client
import json
import sqlite3
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qsl, unquote

import pytest

from bench.load import Server
from tests.conftest import jpeg_bytes
from uploads.openapi import SCHEMA

# The same whatever DATABASE_URL says (it sets its own): `make test` runs it once, in the PostgreSQL pass's process.
pytestmark = [pytest.mark.one_database, pytest.mark.own_database]

SCHEMATHESIS = Path(sys.executable).parent / "schemathesis"


DEVICE = "6f1c1e0a-1b8e-4d84-9d8a-2f1f3f3c0002"
PUT_DEVICE = "6f1c1e0a-1b8e-4d84-9d8a-2f1f3f3c0003"


def request(server: Server, method: str, url: str, body: bytes, content_type: str) -> dict:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
    try:
        connection.request(method, url, body, {"Content-Type": content_type})
        return json.loads(connection.getresponse().read())
    finally:
        connection.close()


def started(server: Server, start: dict) -> dict:
    return request(server, "POST", "/api/uploads", json.dumps(start).encode(), "application/json")


def put_examples(operation: dict, url: str) -> None:
    path, _, query = url.partition("?")
    values = {"uploadId": unquote(path.split("/")[3])} | dict(parse_qsl(query))
    for parameter in operation["parameters"]:
        if parameter["name"] in values:
            value = values[parameter["name"]]
            # An example that does not fit its schema is dropped: integers are given as integers.
            parameter["example"] = int(value) if parameter["schema"].get("type") == "integer" else value


def direct_claims(server: Server, slug: str) -> tuple[int, int]:
    """(direct uploads completed, direct uploads still pending) of one event."""
    with sqlite3.connect(server.data / "photoshare.sqlite3") as db:
        rows = db.execute(
            "SELECT key != '', COUNT(*) FROM uploads_uploadclaim"
            " WHERE event_slug = ? AND expires_at IS NOT NULL GROUP BY key != ''",
            (slug,),
        )
        counts = dict(rows.fetchall())
    return counts.get(1, 0), counts.get(0, 0)


def schema_with_examples(event: dict, server: Server) -> dict:
    """The document with real values as examples: the event, its key, and a direct upload whose bytes
    were sent, so generated requests reach the upload logic, not only the 404 and 403 answers."""
    schema = json.loads(json.dumps(SCHEMA))
    paths = schema["paths"]
    get = paths["/api/events/{slug}"]["get"]
    get["parameters"][0]["example"] = event["slug"]
    get["parameters"][1]["example"] = event["upload_key"]
    get["parameters"][2]["example"] = "6f1c1e0a-1b8e-4d84-9d8a-2f1f3f3c0001"
    body = paths["/api/upload"]["post"]["requestBody"]["content"]["application/json"]
    body["example"] = {
        "eventName": event["slug"],
        "uploadKey": event["upload_key"],
        "guestName": "Fuzz",
        "deviceId": "6f1c1e0a-1b8e-4d84-9d8a-2f1f3f3c0001",
        "image": base64.b64encode(jpeg_bytes()).decode(),
    }
    photo = jpeg_bytes(seed=9)
    start = {
        "eventName": event["slug"],
        "uploadKey": event["upload_key"],
        "guestName": "Fuzz",
        "deviceId": DEVICE,
        "size": len(photo),
        "sha256": hashlib.sha256(photo).hexdigest(),
        "contentType": "image/jpeg",
    }
    paths["/api/uploads"]["post"]["requestBody"]["content"]["application/json"]["example"] = start
    # A direct upload whose bytes were sent, for status and complete to find and store.
    pending = started(server, start)
    assert request(server, "PUT", pending["upload"]["url"], photo, "image/jpeg")["status"] == "received"
    status = paths["/api/uploads/{uploadId}"]["get"]
    for parameter, value in zip(status["parameters"], [pending["uploadId"], event["upload_key"], DEVICE], strict=True):
        parameter["example"] = value
    # My uploads of the phone whose upload is pending: its claim is listed (deletes get made-up keys: 404).
    mine = paths["/api/events/{slug}/mine"]["get"]
    for parameter, value in zip(mine["parameters"], [event["slug"], event["upload_key"], DEVICE], strict=True):
        parameter["example"] = value
    complete = paths["/api/uploads/{uploadId}/complete"]["post"]
    complete["parameters"][0]["example"] = pending["uploadId"]
    complete["requestBody"]["content"]["application/json"]["example"] = {"key": event["upload_key"], "deviceId": DEVICE}
    # Another, not yet sent, for the PUT: text, so the document can carry its exact bytes.
    text = b"fuzz " * 100
    sha256 = hashlib.sha256(text).hexdigest()
    waiting = started(server, start | {"deviceId": PUT_DEVICE, "size": len(text), "sha256": sha256})
    put = paths["/api/uploads/{uploadId}/data"]["put"]
    put_examples(put, waiting["upload"]["url"])
    put["requestBody"]["content"]["application/octet-stream"]["example"] = text.decode()
    return schema


def test_schemathesis_finds_no_server_error_and_no_schema_violation(tmp_path):
    with Server(workers=2) as server:
        event = server.event("fuzz", 5)
        document = tmp_path / "openapi.json"
        document.write_text(json.dumps(schema_with_examples(event, server)))
        run = subprocess.run(
            [
                str(SCHEMATHESIS),
                "run",
                str(document),
                "--url",
                f"http://127.0.0.1:{server.port}",
                "--checks",
                "not_a_server_error,response_schema_conformance,status_code_conformance,content_type_conformance",
                "--max-examples",
                "60",
                "--seed",
                "1",
            ],
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert run.returncode == 0, run.stdout[-4000:]
        # Warnings (an operation answering only 403, as a signed URL does to made-up signatures) are not failures.
        assert " passed" in run.stdout and "Failures:" not in run.stdout.split("SUMMARY")[-1]
        rows, files, counted = server.stored("fuzz")
        completed, pending = direct_claims(server, "fuzz")
        # Every stored photo counted once; a started direct upload holds its slot until completed or expired.
        assert rows == files == counted - pending >= 2
        assert completed >= 1
