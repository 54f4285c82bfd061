"""Recognise a photo from its bytes, never from its claimed type or name.

Pure Python (no Pillow), so the guest Lambda stays small and starts fast. Each format's
container is walked to its end: the header must parse, the dimensions must be sane, and the
structure must be whole, so a truncated upload or a header followed by garbage is refused.
Where the container ends is part of the answer: bytes appended after it are not the photo.
"""

import struct
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from uploads.hevc import picture_sizes
from uploads.ports import InvalidImage, TooLarge

# The most pixels of each format whose thumbnail can be made within the memory bound that
# tests/events/test_thumbnail_memory.py proves (README, "Guarantees"). JPEG decodes straight at 1/8
# scale; PNG, WebP and HEIC decode at full size first (WebP's decoder holds the canvas twice).
# A 48 MP phone photo (8064x6048) passes as HEIC, PNG and JPEG.
PIXEL_CAPS = {"jpg": 100_000_000, "png": 50_000_000, "heic": 50_000_000, "webp": 25_000_000}
# A progressive (or otherwise multi-scan) JPEG holds every DCT coefficient at full size until its last
# scan, whatever the scale it is decoded at: 128 bytes per 8x8 block of each component.
MAX_SCAN_BUFFER = 300_000_000
_FORMAT_NAMES = {"jpg": "JPEG", "png": "PNG", "heic": "HEIC", "webp": "WebP"}

_HEIF_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1"}
# JPEG markers that carry no length field.
_STANDALONE = {0x01, *range(0xD0, 0xD8)}
# Frame types libjpeg decodes at a reduced scale: sequential and progressive, Huffman or arithmetic.
# Lossless and hierarchical frames (which no camera writes) are refused.
_SOF = {0xC0, 0xC1, 0xC2, 0xC9, 0xCA}
_UNSUPPORTED_SOF = {0xC3, *range(0xC5, 0xC8), 0xCB, *range(0xCD, 0xD0)}
_PROGRESSIVE = {0xC2, 0xCA}


@dataclass(frozen=True)
class ImageInfo:
    extension: str
    content_type: str
    width: int
    height: int
    # Where the image's own container ends: whatever follows was appended, and is not stored.
    length: int
    # Bytes a multi-scan JPEG's decoder holds at full size (0 for everything else).
    scan_buffer: int = 0
    # HEIF: the largest picture its HEVC streams declare, decoded whole before it is cropped to `ispe`.
    stream_pixels: int = 0


def inspect_image(data: bytes) -> ImageInfo:
    """Raise InvalidImage unless `data` starts with one whole JPEG, PNG, WebP or HEIC; TooLarge for
    one whose thumbnail could not be made within the memory bound (a decompression bomb)."""
    parser = _parser_for(data)
    try:
        info = parser(data)
    except (IndexError, KeyError, struct.error, ValueError):
        raise InvalidImage() from None
    if info.width <= 0 or info.height <= 0:
        raise InvalidImage()
    cap = PIXEL_CAPS[info.extension]
    pixels = max(info.width * info.height, info.stream_pixels)
    if pixels > cap or info.scan_buffer > MAX_SCAN_BUFFER:
        kind = _FORMAT_NAMES[info.extension] + (" (progressive)" if info.scan_buffer else "")
        raise TooLarge(
            f"The photo is too large ({info.width}×{info.height} pixels): "
            f"a {kind} photo may have at most {_megapixels(info, cap)} megapixels."
        )
    return info


def _megapixels(info: ImageInfo, cap: int) -> int:
    """The most megapixels this photo's format (and, for a multi-scan JPEG, its sampling) may have."""
    if info.scan_buffer:
        cap = min(cap, MAX_SCAN_BUFFER * info.width * info.height // info.scan_buffer)
    return cap // 1_000_000


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
    frame, scans = None, 0
    for marker, start, end in jpeg_segments(data):
        if marker in _UNSUPPORTED_SOF or (marker in _SOF and frame is not None):
            raise ValueError("a frame libjpeg cannot decode at a reduced scale")
        if marker in _SOF:
            frame = marker, data[start:end]
        scans += marker == 0xDA
    if frame is None:
        raise ValueError("no frame header")
    kind, header = frame
    height, width = struct.unpack(">HH", header[1:5])
    multi_scan = kind in _PROGRESSIVE or scans > 1
    buffer = _coefficient_bytes(header) if multi_scan else 0
    return ImageInfo("jpg", "image/jpeg", width, height, length=end, scan_buffer=buffer)


def jpeg_segments(data: bytes) -> Iterator[tuple[int, int, int]]:
    """(marker, payload start, payload end) of each segment up to EOI, whose end is the image's end.

    The walk follows segment lengths and skips each scan's entropy-coded data, so an EOI inside an
    APP1's embedded thumbnail does not end the image."""
    pos = 2
    while True:
        if data[pos] != 0xFF:
            raise ValueError("expected a marker")
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte
            pos += 1
            continue
        if marker == 0xD9:  # end of image
            yield marker, pos + 2, pos + 2
            return
        if marker in _STANDALONE:
            pos += 2
            continue
        (length,) = struct.unpack(">H", data[pos + 2 : pos + 4])
        if length < 2 or pos + 2 + length > len(data):
            raise ValueError("segment runs past the end")
        yield marker, pos + 4, pos + 2 + length
        pos += 2 + length
        if marker == 0xDA:  # start of scan: skip entropy-coded data to the next real marker
            pos = _end_of_scan(data, pos)


def _coefficient_bytes(frame: bytes) -> int:
    """What libjpeg's full-image coefficient buffer takes for this frame header (SOF payload)."""
    height, width, count = struct.unpack(">HHB", frame[1:6])
    sampling = [(frame[7 + 3 * n] >> 4, frame[7 + 3 * n] & 0x0F) for n in range(count)]
    if not all(h and v for h, v in sampling):
        raise ValueError("zero sampling factor")
    h_max, v_max = max(h for h, _ in sampling), max(v for _, v in sampling)
    blocks: int = sum(-(-width * h // (8 * h_max)) * -(-height * v // (8 * v_max)) for h, v in sampling)
    return blocks * 64 * 2


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
            width, height = size
            return ImageInfo("png", "image/png", width, height, length=end + 4)
        pos = end + 4


def _webp(data: bytes) -> ImageInfo:
    (riff_size,) = struct.unpack("<I", data[4:8])
    if riff_size + 8 > len(data) or riff_size < 16:
        raise ValueError("RIFF runs past the end")
    kind, body = data[12:16], data[20:]
    if kind == b"VP8 " and body[3:6] == b"\x9d\x01\x2a":
        width, height = struct.unpack("<HH", body[6:10])
        size = width & 0x3FFF, height & 0x3FFF
    elif kind == b"VP8L" and body[0] == 0x2F:
        (bits,) = struct.unpack("<I", body[1:5])
        size = (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    elif kind == b"VP8X":
        size = int.from_bytes(body[4:7], "little") + 1, int.from_bytes(body[7:10], "little") + 1
    else:
        raise ValueError("unknown WebP chunk")
    return ImageInfo("webp", "image/webp", *size, length=riff_size + 8)


def _heif(data: bytes) -> ImageInfo:
    length = _whole_boxes_end(data)
    boxes = dict(_boxes(data, 0, length))
    ftyp = data[boxes[b"ftyp"][0] : boxes[b"ftyp"][1]]
    brands = {ftyp[0:4]} | {ftyp[i : i + 4] for i in range(8, len(ftyp), 4)}
    if not brands & _HEIF_BRANDS or b"mdat" not in boxes:
        raise ValueError("not a HEIF still image")
    meta_start, meta_end = boxes[b"meta"]
    iprp = dict(_boxes(data, meta_start + 4, meta_end))[b"iprp"]  # meta is a full box: skip version/flags
    ipco = dict(_boxes(data, *iprp))[b"ipco"]
    properties = list(_boxes(data, *ipco))
    sizes = [struct.unpack(">II", data[start + 4 : start + 12]) for kind, (start, _) in properties if kind == b"ispe"]
    streams = [w * h for kind, (start, end) in properties if kind == b"hvcC" for w, h in picture_sizes(data[start:end])]
    # The primary image's extent is the largest (grid tiles and thumbnails are smaller).
    width, height = max(sizes, key=lambda s: s[0] * s[1])
    return ImageInfo("heic", "image/heic", width, height, length=length, stream_pixels=max(streams, default=0))


def _whole_boxes_end(data: bytes) -> int:
    """Where the last whole top-level box ends: what follows cannot be a box, so it was appended."""
    pos = 0
    try:
        while pos < len(data):
            pos = _box_at(data, pos, len(data))[2]
    except (ValueError, struct.error):
        pass
    return pos


def _boxes(data: bytes, start: int, end: int) -> Iterator[tuple[bytes, tuple[int, int]]]:
    """(type, (content start, content end)) for each ISO-BMFF box, which must tile [start, end) exactly."""
    pos = start
    while pos < end:
        kind, content, pos = _box_at(data, pos, end)
        yield kind, (content, pos)


def _box_at(data: bytes, pos: int, end: int) -> tuple[bytes, int, int]:
    """The type, content start and end of the box at `pos`, which must fit before `end`."""
    size, kind = struct.unpack(">I4s", data[pos : pos + 8])
    header = 8
    if size == 1:
        (size,) = struct.unpack(">Q", data[pos + 8 : pos + 16])
        header = 16
    elif size == 0:
        size = end - pos
    if size < header or pos + size > end:
        raise ValueError("box runs past its parent")
    return kind, pos + header, pos + size
