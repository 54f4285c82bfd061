"""schemathesis fuzzes the guest API from its OpenAPI document against a real server: no server
errors and no response outside the schema. The document is given the event's real slug and key as
examples, so generated requests reach the upload logic too, not only the 404 and 403 answers."""

import base64
import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

from bench.load import Server
from tests.conftest import jpeg_bytes
from uploads.openapi import SCHEMA

# The same whatever DATABASE_URL says (or it sets its own): the PostgreSQL pass leaves it out.
pytestmark = pytest.mark.one_database

SCHEMATHESIS = Path(sys.executable).parent / "schemathesis"


def schema_with_examples(event: dict) -> dict:
    schema = json.loads(json.dumps(SCHEMA))
    get = schema["paths"]["/api/events/{slug}"]["get"]
    get["parameters"][0]["example"] = event["slug"]
    get["parameters"][1]["example"] = event["upload_key"]
    get["parameters"][2]["example"] = "6f1c1e0a-1b8e-4d84-9d8a-2f1f3f3c0001"
    body = schema["paths"]["/api/upload"]["post"]["requestBody"]["content"]["application/json"]
    body["example"] = {
        "eventName": event["slug"],
        "uploadKey": event["upload_key"],
        "guestName": "Fuzz",
        "deviceId": "6f1c1e0a-1b8e-4d84-9d8a-2f1f3f3c0001",
        "image": base64.b64encode(jpeg_bytes()).decode(),
    }
    start = schema["paths"]["/api/uploads"]["post"]["requestBody"]["content"]["application/json"]
    start["example"] = {key: value for key, value in body["example"].items() if key != "image"} | {
        "size": len(jpeg_bytes()),
        "sha256": hashlib.sha256(jpeg_bytes()).hexdigest(),
        "contentType": "image/jpeg",
    }
    return schema


def test_schemathesis_finds_no_server_error_and_no_schema_violation(tmp_path):
    with Server(workers=2) as server:
        event = server.event("fuzz", 5)
        document = tmp_path / "openapi.json"
        document.write_text(json.dumps(schema_with_examples(event)))
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
        assert " passed" in run.stdout and "failed" not in run.stdout.split("SUMMARY")[-1]
        rows, files, counted = server.stored("fuzz")
        assert rows == files == counted >= 1
