"""Moto fixtures for the AWS adapters. moto's in-process backend is not thread-safe, so tests
that use it run sequentially; atomicity under concurrency is DynamoDB's, proven on the SQL store."""

import contextlib
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import boto3
import pytest
from botocore.awsrequest import AWSPreparedRequest
from botocore.compat import HTTPHeaders
from moto import mock_aws
from moto.core.botocore_stubber import BotocoreStubber

from tests.moto_transactions import rollbacks_of_named_items
from uploads.aws import clients
from uploads.aws.dynamodb import ATTRIBUTE_DEFINITIONS, KEY_SCHEMA

REGION = "eu-west-1"
TABLE = "PhotoUploadCounts"
PHOTO_BUCKET = "photoshare-test-photos"


def forget_clients() -> None:
    for cached in (clients.dynamodb, clients.s3, clients.guest_dynamodb, clients.guest_s3):
        cached.cache_clear()


@pytest.fixture
def aws_env(monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv("AWS_REGION", REGION)
    for name in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_DYNAMODB", "AWS_ENDPOINT_URL_S3", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    with mock_aws(), rollbacks_of_named_items():
        # Clients cached from another test would talk to that test's (gone) mock.
        forget_clients()
        yield
        forget_clients()


@pytest.fixture
def dynamodb_table(aws_env) -> str:
    boto3.client("dynamodb").create_table(
        TableName=TABLE,
        KeySchema=KEY_SCHEMA,
        AttributeDefinitions=ATTRIBUTE_DEFINITIONS,
        BillingMode="PAY_PER_REQUEST",
    )
    return TABLE


@pytest.fixture
def photo_bucket(aws_env) -> str:
    boto3.client("s3").create_bucket(Bucket=PHOTO_BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
    return PHOTO_BUCKET


@pytest.fixture
def aws_backend(settings, dynamodb_table, photo_bucket):
    """Django switched to the AWS backend (PHOTOSHARE_BACKEND=aws) against moto."""
    settings.BACKEND = "aws"
    settings.DYNAMODB_TABLE = dynamodb_table
    settings.PHOTO_BUCKET = photo_bucket
    return settings


class _MotoHandler(BaseHTTPRequestHandler):
    """One AWS request from another process, answered by moto's in-memory backends."""

    protocol_version = "HTTP/1.1"
    # Headers and body leave in two writes: without this each answer waits for a delayed ACK (40 ms).
    disable_nagle_algorithm = True
    dispatch = BotocoreStubber()
    # moto's backends are not thread-safe: one request at a time, as one DynamoDB item would see them.
    lock = threading.Lock()

    def _serve(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        service = "dynamodb" if self.headers.get("X-Amz-Target", "").startswith("DynamoDB_") else "s3"
        host = f"{service}.{REGION}.amazonaws.com"
        headers = HTTPHeaders()
        for name, value in self.headers.items():
            headers[name] = host if name.lower() == "host" else value
        request = AWSPreparedRequest(self.command, f"https://{host}{self.path}", headers, body, stream_output=False)
        with self.lock:
            answered = self.dispatch.process_request(request)
        assert answered, f"moto has no answer for {request.url}"
        status, answer_headers, answer = answered
        answer = answer.encode() if isinstance(answer, str) else answer or b""
        self.send_response(status)
        length = {name.lower(): value for name, value in answer_headers.items()}.get("content-length", 0)
        for name, value in answer_headers.items():
            if name.lower() not in {"content-length", "status", "server", "date"}:
                self.send_header(name, str(value))
        # A HEAD answer says the object's length and sends no body.
        self.send_header("Content-Length", str(length if self.command == "HEAD" else len(answer)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(answer)

    do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = _serve

    def log_message(self, *args) -> None:
        return None


@contextlib.contextmanager
def moto_endpoint() -> Iterator[str]:
    """DynamoDB and S3 (moto) at an HTTP address, for AWS calls made by other processes.

    moto.server.ThreadedMotoServer would need Flask, which the dev requirements do not bring, and
    serves requests concurrently on backends that are not thread-safe; this serves them one at a time.
    """
    server = ThreadingHTTPServer(("127.0.0.1", 0), _MotoHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    with rollbacks_of_named_items():
        thread.start()
        try:
            yield f"http://127.0.0.1:{server.server_address[1]}"
        finally:
            server.shutdown()
            server.server_close()
