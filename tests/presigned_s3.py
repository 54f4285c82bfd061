"""moto's HTTP server with the checks S3 makes on a presigned request and moto (5.2) does not.

moto serves presigned URLs without checking them: it verifies no query-string signature (only an
Authorization header, and only with its IAM auth on), ignores X-Amz-Expires, and stores whatever body
comes with `x-amz-checksum-sha256` without comparing (moto/s3/responses.py `_get_checksum`: "TODO").
In front of it, this gate refuses as S3 does: a signature that does not match the request as sent (any
signed header changed: Content-Length, Content-Type, the checksum) is 403 SignatureDoesNotMatch; a URL
past X-Amz-Date + X-Amz-Expires is 403 AccessDenied; a body whose SHA-256 differs from the header's is
400 BadDigest. The signature is recomputed with botocore's own SigV4 code, from the secret the test's
client signs with.
"""

import base64
import hashlib
import io
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl

from botocore.auth import S3SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from moto.moto_server.threaded_moto_server import ThreadedMotoServer
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
from werkzeug.serving import make_server

ACCESS_KEY, SECRET_KEY = "testing", "testing"
Wsgi = Callable[[dict, Callable], Iterable[bytes]]


class PresignGate:
    def __init__(self, app: Wsgi):
        self.app = app
        # Moved forward by a test to see a URL expire, without waiting.
        self.clock_offset = timedelta(0)

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        environ["wsgi.input"] = io.BytesIO(body)
        query = dict(parse_qsl(environ.get("QUERY_STRING", ""), keep_blank_values=True))
        refusal = (
            _refusal(environ, query, body, datetime.now(UTC) + self.clock_offset)
            if "X-Amz-Signature" in query
            else None
        )
        if refusal is None:
            return self.app(environ, start_response)
        status, code = refusal
        start_response(status, [("Content-Type", "application/xml")])
        return [f"<Error><Code>{code}</Code></Error>".encode()]


def _refusal(environ: dict, query: dict[str, str], body: bytes, now: datetime) -> tuple[str, str] | None:
    signed_at = datetime.strptime(query["X-Amz-Date"], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    if now > signed_at + timedelta(seconds=int(query["X-Amz-Expires"])):
        return "403 Forbidden", "AccessDenied"
    if _signature(environ, query) != query["X-Amz-Signature"]:
        return "403 Forbidden", "SignatureDoesNotMatch"
    checksum = environ.get("HTTP_X_AMZ_CHECKSUM_SHA256")
    if checksum is not None and checksum != base64.b64encode(hashlib.sha256(body).digest()).decode():
        return "400 Bad Request", "BadDigest"
    return None


def _signature(environ: dict, query: dict[str, str]) -> str:
    """The request's SigV4 query signature, as S3 computes it from what arrived."""
    sent = {
        "host": environ["HTTP_HOST"],
        "content-length": environ.get("CONTENT_LENGTH", ""),
        "content-type": environ.get("CONTENT_TYPE", ""),
        **{name[5:].replace("_", "-").lower(): value for name, value in environ.items() if name.startswith("HTTP_")},
    }
    headers = {name: sent.get(name, "") for name in query["X-Amz-SignedHeaders"].split(";")}
    # As sent, still percent-encoded: the signature covers the encoded path and query.
    path, _, raw_query = environ["RAW_URI"].partition("?")
    unsigned = "&".join(pair for pair in raw_query.split("&") if not pair.startswith("X-Amz-Signature="))
    url = f"http://{environ['HTTP_HOST']}{path}?{unsigned}"
    request = AWSRequest(method=environ["REQUEST_METHOD"], url=url, headers=headers)
    request.context["timestamp"] = query["X-Amz-Date"]
    region = query["X-Amz-Credential"].split("/")[2]
    auth = S3SigV4QueryAuth(Credentials(ACCESS_KEY, SECRET_KEY), "s3", region)
    return str(auth.signature(auth.string_to_sign(request, auth.canonical_request(request)), request))


class GatedMotoServer(ThreadedMotoServer):
    """ThreadedMotoServer behind a PresignGate (`gate`)."""

    def __init__(self) -> None:
        super().__init__(ip_address="127.0.0.1", port=0, verbose=False)
        self.gate = PresignGate(DomainDispatcherApplication(create_backend_app))

    def _server_entry(self) -> None:
        self._server = make_server(self._ip_address, self._port, self.gate, True, request_handler=MotoRequestHandler)
        self._server_ready_event.set()
        self._server.serve_forever()
