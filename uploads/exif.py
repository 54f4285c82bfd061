"""Remove the location from a photo's EXIF and XMP without touching anything else.

The GPS directory is emptied in place (its entries and the values they point to are zeroed, its
entry count set to 0), so no offset moves and the image data stays byte-identical: no recompression.
XMP packets lose their location properties the same way, in place (uploads/xmp.py).
Pure Python, like uploads/images.py, for the guest Lambda.
"""

import re
import struct
import zlib
from collections.abc import Iterator

from uploads.images import jpeg_segments
from uploads.xmp import blank_location

GPS_IFD_TAG = 0x8825
_TYPE_SIZES = {1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8}
_TIFF_AFTER_EXIF = re.compile(rb"Exif\x00\x00(?=II\*\x00|MM\x00\*)")
_JPEG_XMP = b"http://ns.adobe.com/xap/1.0/\x00"
_PNG_XMP = b"XML:com.adobe.xmp\x00"


def strip_location(data: bytes, extension: str) -> bytes:
    photo = bytearray(data)
    if extension == "png":
        _strip_png(photo)
    elif extension == "webp":
        _strip_webp(photo)
    else:
        # JPEG's APP1 segment and HEIF's Exif item carry "Exif\0\0" then a TIFF header.
        for match in _TIFF_AFTER_EXIF.finditer(data):
            _empty_gps_directory(photo, match.end())
        for start, end in _xmp_places(data, extension):
            blank_location(photo, start, end)
    return bytes(photo)


def _xmp_places(data: bytes, extension: str) -> Iterator[tuple[int, int]]:
    if extension == "jpg":
        # Each APP1 XMP segment on its own, so a blanked span can never reach a segment's header.
        try:
            for marker, start, end in jpeg_segments(data):
                if marker == 0xE1 and data.startswith(_JPEG_XMP, start):
                    yield start, end
        except (ValueError, IndexError, struct.error):
            return  # not a whole JPEG (the upload refuses it before): the segments found so far are done
    else:
        # HEIF's XMP item is a packet inside mdat, found by its <x:xmpmeta> wrapper.
        yield 0, len(data)


def _strip_webp(photo: bytearray) -> None:
    pos = 12
    while pos + 8 <= len(photo):
        kind, length = struct.unpack("<4sI", photo[pos : pos + 8])
        start = pos + 8
        if kind == b"EXIF":
            _empty_gps_directory(photo, start + 6 if photo[start : start + 6] == b"Exif\x00\x00" else start)
        elif kind == b"XMP ":
            blank_location(photo, start, start + length)
        pos += 8 + length + (length & 1)


def _strip_png(photo: bytearray) -> None:
    pos = 8
    while pos + 12 <= len(photo):
        length, kind = struct.unpack(">I4s", photo[pos : pos + 8])
        body = bytearray(photo[pos + 8 : pos + 8 + length])
        xmp = kind == b"iTXt" and body.startswith(_PNG_XMP)
        if xmp and body[len(_PNG_XMP)] != 0:
            # Compressed XMP (rare) is removed whole rather than inflated here, where it could be a bomb.
            del photo[pos : pos + 12 + length]
            continue
        if (kind == b"eXIf" and _empty_gps_directory(body, 0)) or (xmp and blank_location(body)):
            photo[pos + 8 : pos + 12 + length] = body + struct.pack(">I", zlib.crc32(kind + body))
        pos += 12 + length


def _empty_gps_directory(photo: bytearray, tiff: int) -> bool:
    """Empty the GPS directory of the TIFF block at `tiff`; False when there is none (or it is malformed)."""
    try:
        order = {b"II": "<", b"MM": ">"}[bytes(photo[tiff : tiff + 2])]
        (ifd0,) = struct.unpack(order + "I", photo[tiff + 4 : tiff + 8])
        gps = _pointer(photo, order, tiff, tiff + ifd0, GPS_IFD_TAG)
        if gps is None:
            return False
        start = tiff + gps
        (count,) = struct.unpack(order + "H", photo[start : start + 2])
        for n in range(count):
            entry = start + 2 + 12 * n
            kind, items, value = struct.unpack(order + "HII", photo[entry + 2 : entry + 12])
            size = _TYPE_SIZES.get(kind, 1) * items
            if 4 < size < len(photo) and tiff + value + size <= len(photo):
                photo[tiff + value : tiff + value + size] = bytes(size)
        photo[start : start + 2 + 12 * count] = bytes(2 + 12 * count)
        return True
    except (KeyError, struct.error, IndexError):
        return False


def _pointer(photo: bytearray, order: str, tiff: int, ifd: int, tag: int) -> int | None:
    (count,) = struct.unpack(order + "H", photo[ifd : ifd + 2])
    for n in range(count):
        entry = ifd + 2 + 12 * n
        entry_tag, _, _, value = struct.unpack(order + "HHII", photo[entry : entry + 12])
        if entry_tag == tag:
            return value if tiff + value + 2 <= len(photo) else None
    return None
