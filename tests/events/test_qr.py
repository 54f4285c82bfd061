import io
import re
import xml.etree.ElementTree as ET

import pytest
from PIL import Image

from events.qr import qr_matrix, qr_png, qr_svg

# The same whatever DATABASE_URL says: the PostgreSQL pass leaves it out.
pytestmark = pytest.mark.one_database


URL = "http://192.168.1.20:8765/guest/?event=ana-ben&key=Zx9-kQ2v_8nTq4LmW0pR7sYb3cHd6fJa1uEiOgVtK5M"
BORDER = 4  # modules of quiet zone around the code
SVG = "{http://www.w3.org/2000/svg}"


def svg_of(url: str) -> ET.Element:
    return ET.fromstring(qr_svg(url))  # noqa: S314  (our own output, not untrusted input)


def test_the_png_has_an_opaque_white_quiet_zone():
    image = Image.open(io.BytesIO(qr_png(URL)))
    assert "transparency" not in image.info and "A" not in image.getbands()
    rgba = image.convert("RGBA")
    size, quiet = rgba.width, BORDER * 10
    border = [(x, y) for x in range(size) for y in range(size) if min(x, y) < quiet or max(x, y) >= size - quiet]
    assert {rgba.getpixel(xy) for xy in border} == {(255, 255, 255, 255)}


def test_the_svg_paints_a_white_background_under_the_whole_view_box():
    svg = svg_of(URL)
    rect, path = svg.find(f"{SVG}rect"), svg.find(f"{SVG}path")
    assert list(svg).index(rect) < list(svg).index(path)  # painted first, so underneath
    assert rect.get("fill") == "white" and rect.get("fill-opacity", "1") == "1"
    assert (rect.get("x"), rect.get("y"), rect.get("width"), rect.get("height")) == ("0", "0", "100%", "100%")
    side = len(qr_matrix(URL))  # the matrix includes the quiet zone
    assert svg.get("viewBox") == f"0 0 {side} {side}"


def test_the_svg_modules_read_back_as_the_urls_qr_matrix():
    path = svg_of(URL).find(f"{SVG}path")
    # Each dark module is one square sub-path starting at its top-left corner: "M<x>,<y>H…z".
    corners = {(int(x), int(y)) for x, y in re.findall(r"M(\d+),(\d+)", path.get("d"))}
    expected = qr_matrix(URL)
    read = [[(c, r) in corners for c in range(len(expected))] for r in range(len(expected))]
    assert read == expected
