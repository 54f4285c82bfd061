"""P1's baseline: the least a server can do with an upload: read the body and write it to disk."""

import os
import tempfile
import uuid

FOLDER = os.environ.get("BARE_WSGI_DIR") or tempfile.mkdtemp(prefix="photoshare-bare-")


def application(environ, start_response):
    body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
    with open(os.path.join(FOLDER, uuid.uuid4().hex), "wb") as out:
        out.write(body)
        out.flush()
        os.fsync(out.fileno())
    start_response("200 OK", [("Content-Type", "application/json")])
    return [b'{"status": "ok"}']
