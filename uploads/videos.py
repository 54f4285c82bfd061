"""Recognise a video from its bytes, never from its claimed type or name, and blank where it was filmed.

Videos run to hundreds of megabytes, so none is read whole: the file is walked by seeking from box
header to box header (ISO-BMFF: MP4 and QuickTime) or element header to element header (WebM), and
only the few small boxes that say what the video is are read. Pure Python, like uploads/images.py.

Files come from guests: every size must fit inside its parent and the file, every step moves forward,
the walk only goes down fixed paths (so its depth is bounded), and a file needing more than
MAX_HEADERS headers read is refused: no file can make the walk loop or crawl.
"""

import math
import struct
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO, NamedTuple

from uploads import xmp
from uploads.ports import UnsupportedMedia

# Far more than a phone's video holds (a few dozen boxes; a fragmented MP4 two per fragment), far
# fewer than a file of a million tiny boxes would make the walk read.
MAX_HEADERS = 20_000
# The most read at once: a keys box, a text, an XMP packet (which Adobe's editors grow with their
# edit history to hundreds of KB). A box holding a location that is larger is refused, not kept.
MAX_READ = 4 * 1024 * 1024

_QUICKTIME = b"qt  "
_MP4_BRANDS = {b"isom", b"iso2", b"iso3", b"iso4", b"iso5", b"iso6", b"iso7", b"iso8", b"iso9", b"mp41", b"mp42"}
_MP4_BRANDS |= {b"avc1", b"M4V ", b"M4VH", b"M4VP", b"mmp4", b"MSNV", b"XAVC", b"3gp4", b"3gp5", b"3gp6", b"3g2a"}
_EBML_MAGIC = b"\x1a\x45\xdf\xa3"

_XYZ = b"\xa9xyz"
# Apple's metadata keys for where: ISO6709 coordinates, accuracy, place name, body, note, role...
_APPLE_LOCATION = b"com.apple.quicktime.location"
_XMP_UUID = bytes.fromhex("BE7ACFCB97A942E89C71999491E3AFAC")
# The boxes that may hold location boxes, by parent: a fixed path, so the walk's depth is bounded.
_HOLDERS = {b"moov": {b"trak", b"udta", b"meta"}, b"trak": {b"udta", b"meta"}, b"udta": {b"meta"}}

# WebM (Matroska) element ids, their length marker kept.
_DOCTYPE, _SEGMENT, _INFO, _TRACKS, _CLUSTER = 0x4282, 0x18538067, 0x1549A966, 0x1654AE6B, 0x1F43B675
_TIMECODE_SCALE, _DURATION = 0x2AD7B1, 0x4489
_TRACK_ENTRY, _TRACK_TYPE, _VIDEO, _PIXEL_WIDTH, _PIXEL_HEIGHT = 0xAE, 0x83, 0xE0, 0xB0, 0xBA
_VIDEO_TRACK = 1

# One blanked location: the writes (offset, bytes of the same length) that remove it.
Blank = list[tuple[int, bytes]]


@dataclass(frozen=True)
class VideoInfo:
    content_type: str
    extension: str
    # As a player shows it: a phone's portrait video is stored landscape and turned by its track matrix.
    width: int | None
    height: int | None
    # Seconds; None when the file does not say (a fragmented MP4, a WebM from MediaRecorder).
    duration: float | None


def inspect_video(file: BinaryIO, size: int) -> VideoInfo:
    """What the seekable `file` of `size` bytes is: raise UnsupportedMedia unless it is a whole MP4,
    QuickTime or WebM video (with a video track), reading only its headers."""
    source = _Source(file, size)
    try:
        if source.read(0, 4) == _EBML_MAGIC:
            return _webm(source)
        movie = _movie(source)
        return VideoInfo(
            movie.content_type, movie.extension, *_video_size(source, movie.moov), _duration(source, movie.moov)
        )
    except (ValueError, IndexError, struct.error):
        raise UnsupportedMedia() from None


def blank_video_location(file: BinaryIO, size: int) -> int:
    """Overwrite in place (the file opened r+b keeps its length; no offset moves) every place the video
    says where it was filmed; return how many were blanked. Raise UnsupportedMedia, writing nothing,
    for a file inspect_video refuses or whose location boxes are damaged: better refused than kept
    with its location.

    MP4/QuickTime: `©xyz` (user data, or an iTunes-style item) and Apple's `com.apple.quicktime.location*`
    values become spaces (text no reader takes for a place; zeros for non-text values); a 3GPP `loci`
    box, whose zeroed numbers would read as 0°N 0°E, becomes a `free` box of zeros, padding every reader
    skips; XMP packets (`udta/XMP_`, the XMP `uuid` box) lose their GPS properties as photos' do.
    Not removed: a timed-metadata track of positions, whose samples lie in `mdat`.
    WebM has no standard place for where it was filmed: nothing to blank, 0.
    """
    if inspect_video(file, size).content_type == "video/webm":
        return 0
    source = _Source(file, size)
    try:
        blanks = list(_location_blanks(source, _movie(source)))
    except (ValueError, IndexError, struct.error):
        raise UnsupportedMedia() from None
    for blank in blanks:
        for offset, data in blank:
            file.seek(offset)
            file.write(data)
    file.flush()
    return len(blanks)


class _Source:
    """The file, read by seeks: every read whole and inside the file, and the headers read counted."""

    def __init__(self, file: BinaryIO, size: int):
        self.file, self.size, self.headers = file, size, 0

    def read(self, offset: int, length: int) -> bytes:
        if offset < 0 or length > MAX_READ or offset + length > self.size:
            raise ValueError("a read outside the file")
        self.file.seek(offset)
        data = self.file.read(length)
        if len(data) != length:
            raise ValueError("the file is shorter than its size")
        return data

    def header(self, offset: int, end: int, length: int) -> bytes:
        """Up to `length` bytes at `offset`, not past `end`: one more header read."""
        self.headers += 1
        if self.headers > MAX_HEADERS:
            raise ValueError("too many boxes")
        return self.read(offset, min(length, end - offset))


# ISO-BMFF: MP4 and QuickTime.


class _Box(NamedTuple):
    kind: bytes
    at: int  # where its header starts
    start: int  # where its content starts
    end: int


class _Movie(NamedTuple):
    content_type: str
    extension: str
    moov: _Box
    top: list[_Box]


def _movie(source: _Source) -> _Movie:
    """The file's boxes, walked to its end: `ftyp` first, with a brand we know, and a `moov`."""
    top = list(_boxes(source, 0, source.size))
    if not top or top[0].kind != b"ftyp":
        raise ValueError("ftyp must come first")
    ftyp = _content(source, top[0], 256)
    if len(ftyp) < 8:
        raise ValueError("ftyp too short")
    brands = {ftyp[i : i + 4] for i in range(8, len(ftyp) - 3, 4)} | {ftyp[0:4]}
    if ftyp[0:4] == _QUICKTIME:
        kind = "video/quicktime", "mov"
    elif brands & _MP4_BRANDS:
        kind = "video/mp4", "mp4"
    else:
        raise ValueError("not a brand of video we know")
    moov = next((box for box in top if box.kind == b"moov"), None)
    if moov is None:
        raise ValueError("no movie box")
    return _Movie(*kind, moov, top)


def _boxes(source: _Source, start: int, end: int) -> Iterator[_Box]:
    """Each box of [start, end), which they must fill exactly. Size 0 runs to the parent's end."""
    offset = start
    while offset < end:
        if end - offset < 8:
            # QuickTime may end a list of user data with a 32-bit zero.
            if any(source.read(offset, end - offset)):
                raise ValueError("stray bytes after the last box")
            return
        head = source.header(offset, end, 16)
        size, kind = struct.unpack(">I4s", head[:8])
        length = 8
        if size == 1:
            (size,), length = struct.unpack(">Q", head[8:16]), 16
        elif size == 0:
            size = end - offset
        if kind == b"uuid":  # its extended type is part of its header
            length += 16
        if size < length or offset + size > end:
            raise ValueError("a box runs past its parent")
        yield _Box(kind, offset, offset + length, offset + size)
        offset += size


def _content(source: _Source, box: _Box, limit: int) -> bytes:
    return source.read(box.start, min(box.end - box.start, limit))


def _whole(source: _Source, box: _Box) -> bytes:
    """All of a box that holds a location: one too large to read is refused, never searched in part."""
    return source.read(box.start, box.end - box.start)


def _children(source: _Source, box: _Box) -> list[_Box]:
    start = box.start
    # ISO's meta is a full box (version and flags before its children); QuickTime's is not.
    if box.kind == b"meta" and _content(source, box, 8)[4:] != b"hdlr":
        start += 4
    return list(_boxes(source, start, box.end))


def _duration(source: _Source, moov: _Box) -> float | None:
    mvhd = next((box for box in _children(source, moov) if box.kind == b"mvhd"), None)
    if mvhd is None:
        raise ValueError("no movie header")
    header = _content(source, mvhd, 32)
    if header[0] == 1:
        (timescale, duration), unknown = struct.unpack(">IQ", header[20:32]), 2**64 - 1
    else:
        (timescale, duration), unknown = struct.unpack(">II", header[12:20]), 2**32 - 1
    return duration / timescale if timescale and duration not in (0, unknown) else None


def _video_size(source: _Source, moov: _Box) -> tuple[int | None, int | None]:
    """The display size of the first video track; ValueError when there is none."""
    for trak in (box for box in _children(source, moov) if box.kind == b"trak"):
        children = {box.kind: box for box in _children(source, trak)}
        if b"tkhd" in children and b"mdia" in children and _handler(source, children[b"mdia"]) == b"vide":
            return _display_size(_content(source, children[b"tkhd"], 96))
    raise ValueError("no video track")


def _handler(source: _Source, mdia: _Box) -> bytes | None:
    hdlr = next((box for box in _children(source, mdia) if box.kind == b"hdlr"), None)
    return None if hdlr is None else _content(source, hdlr, 12)[8:12]


def _display_size(tkhd: bytes) -> tuple[int | None, int | None]:
    matrix = 52 if tkhd[0] == 1 else 40
    a, _, _, _, d = struct.unpack(">5i", tkhd[matrix : matrix + 20])
    width, height = (value >> 16 for value in struct.unpack(">II", tkhd[matrix + 36 : matrix + 44]))
    if a == 0 and d == 0:  # turned a quarter: how phones store a portrait video
        width, height = height, width
    return width or None, height or None


def _location_blanks(source: _Source, movie: _Movie) -> Iterator[Blank]:
    for box in movie.top:
        if box.kind == b"uuid" and source.read(box.at + 8, 16) == _XMP_UUID:
            yield from _xmp_blank(source, box)
    yield from _held_blanks(source, movie.moov)


def _held_blanks(source: _Source, parent: _Box) -> Iterator[Blank]:
    """The location boxes inside `parent` and, down the fixed paths of _HOLDERS, inside its children."""
    children = _children(source, parent)
    if parent.kind == b"meta":
        yield from _apple_blanks(source, children)
    for box in children:
        if parent.kind == b"udta" and box.kind == _XYZ:
            yield list(_text_blanks(_whole(source, box), box.start))
        elif parent.kind == b"udta" and box.kind == b"loci":
            yield [(box.at + 4, b"free"), (box.start, bytes(box.end - box.start))]
        elif parent.kind == b"udta" and box.kind == b"XMP_":
            yield from _xmp_blank(source, box)
        elif box.kind in _HOLDERS.get(parent.kind, set()):
            yield from _held_blanks(source, box)


def _text_blanks(text: bytes, start: int) -> Iterator[tuple[int, bytes]]:
    """QuickTime user-data text: entries of a 16-bit length, a language and the text. Each text becomes
    spaces; the lengths stay, so a reader still finds every entry."""
    offset = 0
    while offset + 4 <= len(text):
        (length,) = struct.unpack(">H", text[offset : offset + 2])
        length = min(length, len(text) - offset - 4)  # a text its box cuts short is blanked to the box's end
        if length:
            yield start + offset + 4, b" " * length
        offset += 4 + length


def _apple_blanks(source: _Source, meta: list[_Box]) -> Iterator[Blank]:
    """The values of an `ilst` whose key (in `keys`, by index) is a location, or whose type is ©xyz."""
    boxes = {box.kind: box for box in meta}
    if b"ilst" not in boxes:
        return
    names = _key_names(_whole(source, boxes[b"keys"])) if b"keys" in boxes else []
    for item in _boxes(source, boxes[b"ilst"].start, boxes[b"ilst"].end):
        index = int.from_bytes(item.kind, "big")
        if item.kind == _XYZ or (0 < index <= len(names) and names[index - 1].startswith(_APPLE_LOCATION)):
            blank = [
                _value_blank(source, data) for data in _boxes(source, item.start, item.end) if data.kind == b"data"
            ]
            if blank:
                yield blank


def _key_names(keys: bytes) -> list[bytes]:
    (count,), offset, names = struct.unpack(">I", keys[4:8]), 8, []
    for _ in range(count):
        (size,) = struct.unpack(">I", keys[offset : offset + 4])
        if size < 8 or offset + size > len(keys):
            raise ValueError("a key runs past its box")
        names.append(keys[offset + 8 : offset + size])
        offset += size
    return names


def _value_blank(source: _Source, data: _Box) -> tuple[int, bytes]:
    """A `data` box's value (after its type and locale) as spaces if it is UTF-8 text, else zeros."""
    if data.end - data.start < 8:
        raise ValueError("a data box too short")
    (kind,) = struct.unpack(">I", source.read(data.start, 4))
    return data.start + 8, (b" " if kind & 0xFFFFFF == 1 else b"\0") * (data.end - data.start - 8)


def _xmp_blank(source: _Source, box: _Box) -> Iterator[Blank]:
    packet = bytearray(_whole(source, box))
    if xmp.blank_location(packet):
        yield [(box.start, bytes(packet))]


# WebM (a Matroska profile).


class _Element(NamedTuple):
    id: int
    start: int
    end: int


def _webm(source: _Source) -> VideoInfo:
    top = _elements(source, 0, source.size)
    header = next(top)  # the EBML header: its magic was read
    if _value(source, _first_children(source, header).get(_DOCTYPE)).rstrip(b"\0") != b"webm":
        raise ValueError("not a WebM document")
    segment = next(top, None)
    if segment is None or segment.id != _SEGMENT:
        raise ValueError("no segment after the EBML header")
    for _ in top:  # whatever follows must be whole elements too
        pass
    info, tracks = _segment_heads(source, segment)
    return VideoInfo("video/webm", "webm", *_webm_video_size(source, tracks), _webm_duration(source, info))


def _elements(source: _Source, start: int, end: int) -> Iterator[_Element]:
    """Each element of [start, end), which they must fill exactly. An unknown size runs to the parent's end."""
    offset = start
    while offset < end:
        head = source.header(offset, end, 12)
        ident, id_end = _vint(head, 0, 4)
        written, size_end = _vint(head, id_end, 8)
        ones = (1 << 7 * (size_end - id_end)) - 1
        size = written & ones
        stop = end if size == ones else offset + size_end + size
        if stop > end:
            raise ValueError("an element runs past its parent")
        yield _Element(ident, offset + size_end, stop)
        offset = stop


def _vint(data: bytes, offset: int, longest: int) -> tuple[int, int]:
    """The EBML variable-length integer at `offset` as written (its length marker kept), and its end.
    One cut short by the end of its parent makes its element run past that end."""
    length = 9 - data[offset].bit_length()  # a zero first byte (length 9) is malformed
    if length > longest:
        raise ValueError("a malformed EBML integer")
    return int.from_bytes(data[offset : offset + length], "big"), offset + length


def _first_children(source: _Source, parent: _Element) -> dict[int, _Element]:
    children: dict[int, _Element] = {}
    for element in _elements(source, parent.start, parent.end):
        children.setdefault(element.id, element)
    return children


def _value(source: _Source, element: _Element | None) -> bytes:
    """A number's or a short string's bytes (empty when absent)."""
    if element is None:
        return b""
    if element.end - element.start > 64:
        raise ValueError("a value too long")
    return source.read(element.start, element.end - element.start)


def _segment_heads(source: _Source, segment: _Element) -> tuple[_Element | None, _Element]:
    """The segment's Info and Tracks, found before its first Cluster (one of unknown size cannot be skipped)."""
    info = None
    for element in _elements(source, segment.start, segment.end):
        if element.id == _INFO:
            info = element
        elif element.id == _TRACKS:
            return info, element
        elif element.id == _CLUSTER:
            break
    raise ValueError("no tracks before the first cluster")


def _webm_video_size(source: _Source, tracks: _Element) -> tuple[int | None, int | None]:
    for entry in _elements(source, tracks.start, tracks.end):
        fields = _first_children(source, entry) if entry.id == _TRACK_ENTRY else {}
        if int.from_bytes(_value(source, fields.get(_TRACK_TYPE)), "big") == _VIDEO_TRACK:
            video = fields.get(_VIDEO)
            sizes = {} if video is None else _first_children(source, video)
            width, height = (int.from_bytes(_value(source, sizes.get(i)), "big") for i in (_PIXEL_WIDTH, _PIXEL_HEIGHT))
            return width or None, height or None
    raise ValueError("no video track")


def _webm_duration(source: _Source, info: _Element | None) -> float | None:
    fields = {} if info is None else _first_children(source, info)
    duration = _value(source, fields.get(_DURATION))
    if len(duration) not in (4, 8):
        return None
    (value,) = struct.unpack(">f" if len(duration) == 4 else ">d", duration)
    scale = int.from_bytes(_value(source, fields.get(_TIMECODE_SCALE)), "big") or 1_000_000
    seconds: float = value * scale / 1e9
    return seconds if math.isfinite(seconds) and seconds > 0 else None
