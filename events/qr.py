"""QR codes of an event's guest URL, as PNG (to print) and SVG (to scale).

Both paint opaque white under the modules and the 4-module quiet zone: a scanner needs light around the
dark modules, and a transparent background lets a dark-mode page show through (black on near-black).
"""

import io

import qrcode
import qrcode.image.svg

# M recovers from ~15% damage: a table card survives a wine stain.
_ERROR_CORRECTION = qrcode.constants.ERROR_CORRECT_M


def _code(url: str) -> qrcode.QRCode:
    code = qrcode.QRCode(error_correction=_ERROR_CORRECTION, box_size=10, border=4)
    code.add_data(url)
    code.make(fit=True)
    return code


def qr_matrix(url: str) -> list[list[bool]]:
    return _code(url).get_matrix()


def qr_png(url: str) -> bytes:
    buffer = io.BytesIO()
    _code(url).make_image(fill_color="black", back_color="white").save(buffer)
    return buffer.getvalue()


def qr_svg(url: str) -> bytes:
    buffer = io.BytesIO()
    _code(url).make_image(image_factory=qrcode.image.svg.SvgPathFillImage).save(buffer)
    return buffer.getvalue()
