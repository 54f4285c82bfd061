"""HTTP Range requests (RFC 9110 §14) for files the dashboard serves itself: a <video> seeks and a
browser resumes a download by asking for a part. One range per response: a request for several is
answered with the whole file, which the RFC allows and no browser's player asks for anyway."""

import re
from collections.abc import Iterator
from typing import BinaryIO

from django.http import FileResponse, HttpRequest, HttpResponse, StreamingHttpResponse
from django.utils.http import content_disposition_header

CHUNK = 1024 * 1024
_ONE_RANGE = re.compile(r"bytes=(\d*)-(\d*)")


class Unsatisfiable(Exception):
    """The range starts past the end of the file: 416."""


def parse_range(header: str, size: int) -> tuple[int, int] | None:
    """The first and last byte asked for, clamped to the file; None to send the whole file (no header,
    another unit, several ranges, or a malformed one: all ignored, as the RFC says a server may)."""
    match = _ONE_RANGE.fullmatch(header.replace(" ", ""))
    if not match or match.groups() == ("", ""):
        return None
    first, last = match.groups()
    if not first:  # "bytes=-500": the last 500 bytes
        if int(last) == 0:
            raise Unsatisfiable()
        return max(size - int(last), 0), size - 1
    if int(first) >= size:
        raise Unsatisfiable()
    if last and int(last) < int(first):
        return None
    return int(first), min(int(last), size - 1) if last else size - 1


def ranged_file_response(
    request: HttpRequest, file: BinaryIO, size: int, *, content_type: str, filename: str, as_attachment: bool
) -> HttpResponse:
    """The file whole (200) or the part the request's Range asks for (206), or 416; always saying
    Accept-Ranges so a player knows it may seek. If-Range is not honoured: with it, the whole file."""
    header = "" if "If-Range" in request.headers else request.headers.get("Range", "")
    try:
        wanted = parse_range(header, size)
    except Unsatisfiable:
        file.close()
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{size}"
        return response
    if wanted is None:
        whole = FileResponse(file, content_type=content_type, as_attachment=as_attachment, filename=filename)
        whole["Accept-Ranges"] = "bytes"
        return whole
    first, last = wanted
    part = StreamingHttpResponse(_read(file, first, last - first + 1), status=206, content_type=content_type)
    part["Content-Length"] = str(last - first + 1)
    part["Content-Range"] = f"bytes {first}-{last}/{size}"
    part["Accept-Ranges"] = "bytes"
    part["Content-Disposition"] = content_disposition_header(as_attachment, filename)
    return part


def _read(file: BinaryIO, offset: int, length: int) -> Iterator[bytes]:
    with file:
        file.seek(offset)
        while length > 0:
            chunk = file.read(min(CHUNK, length))
            if not chunk:
                return
            length -= len(chunk)
            yield chunk
