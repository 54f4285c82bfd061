"""The guest page's files as phones download them: the readable sources of guest_frontend/, minified.

One function makes the bytes that both the local view (uploads/guest_page.py) and publish_guest_frontend
(the S3 site bucket) serve, so what is measured (bench P6) and tested is what every phone gets.
"""

import json
import re
from collections.abc import Callable
from functools import cache
from pathlib import Path

import rcssmin
import rjsmin

PAGE = Path(__file__).resolve().parents[1] / "guest_frontend"


def _js(source: str) -> str:
    return str(rjsmin.jsmin(source))


def _css(source: str) -> str:
    return str(rcssmin.cssmin(source))


def _json(source: str) -> str:
    # Keys keep their order and words their letters (no \u escapes: they would cost bytes).
    return json.dumps(json.loads(source), ensure_ascii=False, separators=(",", ":"))


def _html(source: str) -> str:
    # Indentation and blank lines only, each run down to one line break: the page has no <pre>,
    # <textarea> or inline script, and elsewhere a run of white space renders as one space anyway.
    return re.sub(r"\n\s+", "\n", source)


MINIFIERS: dict[str, Callable[[str], str]] = {
    ".js": _js,
    ".css": _css,
    ".json": _json,
    ".webmanifest": _json,
    ".html": _html,
}


def minified(name: str, source: bytes) -> bytes:
    """The file `name` as served, from its source; images and icons pass through unchanged."""
    minify = MINIFIERS.get(Path(name).suffix)
    return minify(source.decode()).encode() if minify else source


def served(name: str) -> bytes:
    """guest_frontend/<name> as served. Minified once per process and version of the file (its
    modification time), so an edit shows on the next request, as the plain files did."""
    path = PAGE / name
    return _served(name, path.stat().st_mtime_ns)


@cache
def _served(name: str, version: int) -> bytes:
    return minified(name, (PAGE / name).read_bytes())
