"""Recognise a photo from its bytes, never from its claimed type or name.

Pure Python (no Pillow), so the guest Lambda stays small and starts fast. Each format's
container is walked to its end: the header must parse, the dimensions must be sane, and the
structure must be whole, so a truncated upload or a header followed by garbage is refused.
"""

import struct
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from uploads.ports import InvalidImage, TooLarge

# Phone cameras top out near 200 MP; a larger canvas in a small file is a decompression bomb.
MAX_PIXELS = 200_000_000

_HEIF_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1"}
# JPEG markers that carry no length field.
_STANDALONE = {0x01, *range(0xD0, 0xD8)}
_SOF = {*range(0xC0, 0xC4), *range(0xC5, 0xC8), *range(0xC9, 0xCC), *range(0xCD, 0xD0)}


@dataclass(frozen=True)
class ImageInfo:
    extension: str
    content_type: str
    width: int
    height: int


def inspect_image(data: bytes) -> ImageInfo:
    """Raise InvalidImage unless `data` is one whole JPEG, PNG, WebP or HEIC; TooLarge for a bomb."""
    parser = _parser_for(data)
    try:
        info = parser(data)
    except (IndexError, KeyError, struct.error, ValueError):
        raise InvalidImage() from None
    if info.width <= 0 or info.height <= 0:
        raise InvalidImage()
    if info.width * info.height > MAX_PIXELS:
        raise TooLarge(f"The photo is too large ({info.width}×{info.height} pixels).")
    return info


def _parser_for(data: bytes) -> Callable[[bytes], ImageInfo]:
    if data.startswith(b"\xff\xd8\xff"):
        return _jpeg
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return _png
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return _webp
    if data[4:8] == b"ftyp":
        return _heif
    raise InvalidImage()


def _jpeg(data: bytes) -> ImageInfo:
    pos, size = 2, None
    while True:
        if data[pos] != 0xFF:
            raise ValueError("expected a marker")
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte
            pos += 1
            continue
        if marker == 0xD9:  # end of image
            if size is None:
                raise ValueError("no frame header")
            return ImageInfo("jpg", "image/jpeg", size[1], size[0])
        if marker in _STANDALONE:
            pos += 2
            continue
        (length,) = struct.unpack(">H", data[pos + 2 : pos + 4])
        if length < 2 or pos + 2 + length > len(data):
            raise ValueError("segment runs past the end")
        if marker in _SOF:
            size = struct.unpack(">HH", data[pos + 5 : pos + 9])
        pos += 2 + length
        if marker == 0xDA:  # start of scan: skip entropy-coded data to the next real marker
            pos = _end_of_scan(data, pos)


def _end_of_scan(data: bytes, pos: int) -> int:
    while True:
        pos = data.index(b"\xff", pos)  # ValueError when the scan never ends: truncated
        following = data[pos + 1]
        if following == 0x00 or 0xD0 <= following <= 0xD7:  # stuffed byte or restart marker
            pos += 2
        else:
            return pos


def _png(data: bytes) -> ImageInfo:
    pos, size = 8, None
    while True:
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        end = pos + 8 + length
        if end + 4 > len(data):
            raise ValueError("chunk runs past the end")
        (crc,) = struct.unpack(">I", data[end : end + 4])
        if zlib.crc32(data[pos + 4 : end]) != crc:
            raise ValueError("damaged chunk")
        if size is None:
            if kind != b"IHDR":
                raise ValueError("IHDR must come first")
            size = struct.unpack(">II", data[pos + 8 : pos + 16])
        if kind == b"IEND":
            return ImageInfo("png", "image/png", *size)
        pos = end + 4


def _webp(data: bytes) -> ImageInfo:
    (riff_size,) = struct.unpack("<I", data[4:8])
    if riff_size + 8 > len(data) or riff_size < 16:
        raise ValueError("RIFF runs past the end")
    kind, body = data[12:16], data[20:]
    if kind == b"VP8 " and body[3:6] == b"\x9d\x01\x2a":
        width, height = struct.unpack("<HH", body[6:10])
        return ImageInfo("webp", "image/webp", width & 0x3FFF, height & 0x3FFF)
    if kind == b"VP8L" and body[0] == 0x2F:
        (bits,) = struct.unpack("<I", body[1:5])
        return ImageInfo("webp", "image/webp", (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1)
    if kind == b"VP8X":
        width = int.from_bytes(body[4:7], "little") + 1
        height = int.from_bytes(body[7:10], "little") + 1
        return ImageInfo("webp", "image/webp", width, height)
    raise ValueError("unknown WebP chunk")


def _heif(data: bytes) -> ImageInfo:
    boxes = dict(_boxes(data, 0, len(data)))
    ftyp = data[boxes[b"ftyp"][0] : boxes[b"ftyp"][1]]
    brands = {ftyp[0:4]} | {ftyp[i : i + 4] for i in range(8, len(ftyp), 4)}
    if not brands & _HEIF_BRANDS or b"mdat" not in boxes:
        raise ValueError("not a HEIF still image")
    meta_start, meta_end = boxes[b"meta"]
    iprp = dict(_boxes(data, meta_start + 4, meta_end))[b"iprp"]  # meta is a full box: skip version/flags
    ipco = dict(_boxes(data, *iprp))[b"ipco"]
    sizes = [
        struct.unpack(">II", data[start + 4 : start + 12])
        for kind, (start, _) in _boxes(data, *ipco)
        if kind == b"ispe"
    ]
    # The primary image's extent is the largest (grid tiles and thumbnails are smaller).
    width, height = max(sizes, key=lambda s: s[0] * s[1])
    return ImageInfo("heic", "image/heic", width, height)


def _boxes(data: bytes, start: int, end: int) -> Iterator[tuple[bytes, tuple[int, int]]]:
    """(type, (content start, content end)) for each ISO-BMFF box, which must tile [start, end) exactly."""
    pos = start
    while pos < end:
        size, kind = struct.unpack(">I4s", data[pos : pos + 8])
        header = 8
        if size == 1:
            (size,) = struct.unpack(">Q", data[pos + 8 : pos + 16])
            header = 16
        elif size == 0:
            size = end - pos
        if size < header or pos + size > end:
            raise ValueError("box runs past its parent")
        yield kind, (pos + header, pos + size)
        pos += size
