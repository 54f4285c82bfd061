"""Videos crafted box by box (no ffmpeg here): MP4 and QuickTime the way phones write them, and a WebM.

Only what uploads/videos.py reads is real (boxes, headers, metadata); the media data is zeros. Real
encoders' files come from Chromium's MediaRecorder (H.264 in MP4, VP8 in WebM: 320x240, about 1.2 s).
`python -m tests.samples_video` rewrites the samples committed under tests/samples/.
"""

import base64
import struct
from pathlib import Path

from playwright.sync_api import sync_playwright

from tests.browser import CHROMIUM, CHROMIUM_ARGS

EIFFEL = b"+48.8584+002.2945/"
EIFFEL_APPLE = b"+48.8584+002.2945+035.000/"
APPLE_ACCURACY = b"14.084"
APPLE_LOCATION = "com.apple.quicktime.location.ISO6709"
# What an iPhone writes next to its location (metadata a test expects to be left alone).
APPLE_MAKE = "com.apple.quicktime.make"
SAMPLES = Path(__file__).parent / "samples"


def box(kind: bytes, *content: bytes) -> bytes:
    payload = b"".join(content)
    return struct.pack(">I4s", 8 + len(payload), kind) + payload


def large(box_bytes: bytes) -> bytes:
    """The same box with a 64-bit size, as some writers give every box."""
    return struct.pack(">I4sQ", 1, box_bytes[4:8], len(box_bytes) + 8) + box_bytes[8:]


def full_box(kind: bytes, *content: bytes, version: int = 0) -> bytes:
    return box(kind, struct.pack(">I", version << 24), *content)


def ftyp(major: bytes = b"isom", *compatible: bytes) -> bytes:
    return box(b"ftyp", major, struct.pack(">I", 512), *(compatible or (major,)))


def mvhd(timescale: int = 600, duration: int = 7_500, version: int = 0) -> bytes:
    times = (
        struct.pack(">QQIQ", 1, 2, timescale, duration) if version else struct.pack(">IIII", 1, 2, timescale, duration)
    )
    rest = struct.pack(">IH10x", 0x10000, 0x100) + _matrix() + bytes(24) + struct.pack(">I", 3)
    return full_box(b"mvhd", times, rest, version=version)


def _matrix(rotated: bool = False) -> bytes:
    # 16.16 a, b, c, d; 2.30 u, v, w: a quarter turn is a = d = 0, b = 1, c = -1.
    a, b, c, d = (0, 0x10000, -0x10000, 0) if rotated else (0x10000, 0, 0, 0x10000)
    return struct.pack(">9i", a, b, 0, c, d, 0, 0, 0, 0x40000000)


def tkhd(width: int, height: int, *, rotated: bool = False, version: int = 0) -> bytes:
    times = struct.pack(">QQIIQ", 1, 2, 1, 0, 7_500) if version else struct.pack(">IIIII", 1, 2, 1, 0, 7_500)
    layout = bytes(8) + struct.pack(">hhh2x", 0, 0, 0) + _matrix(rotated)
    return full_box(b"tkhd", times, layout, struct.pack(">II", width << 16, height << 16), version=version)


def hdlr(handler: bytes, name: bytes = b"") -> bytes:
    return full_box(b"hdlr", b"mhlr" if handler != b"mdta" else bytes(4), handler, bytes(12), name + b"\0")


def mdia(handler: bytes = b"vide") -> bytes:
    return box(b"mdia", full_box(b"mdhd", bytes(20)), hdlr(handler), box(b"minf"))


def trak(
    handler: bytes = b"vide", width: int = 1920, height: int = 1080, *extra: bytes, rotated: bool = False
) -> bytes:
    return box(b"trak", tkhd(width, height, rotated=rotated), mdia(handler), *extra)


def xyz(text: bytes = EIFFEL) -> bytes:
    """QuickTime user data text: its length, its language, the text."""
    return box(b"\xa9xyz", struct.pack(">HH", len(text), 0x15C7), text)


def loci(name: bytes = b"Tour Eiffel") -> bytes:
    """3GPP location: language, name, role, longitude, latitude, altitude (16.16), body, notes."""
    place = struct.pack(">Biii", 0, int(2.2945 * 65536), int(48.8584 * 65536), 35 << 16)
    return full_box(b"loci", struct.pack(">H", 0x15C7), name + b"\0", place, b"Earth\0", b"\0")


def apple_meta(values: dict[str, bytes], kind: int = 1) -> bytes:
    """QuickTime metadata (no version and flags on its meta): named keys, values by key index, each of
    type `kind` (1: UTF-8 text, 23: 32-bit floats)."""
    keys = b"".join(box(b"mdta", name.encode()) for name in values)
    items = b"".join(
        box(struct.pack(">I", index), box(b"data", struct.pack(">II", kind, 0), value))
        for index, value in enumerate(values.values(), start=1)
    )
    return box(b"meta", hdlr(b"mdta"), full_box(b"keys", struct.pack(">I", len(values)), keys), box(b"ilst", items))


def without_location(video: bytes) -> bytes:
    """What blanking should make of a video built here: its known location values as spaces, its `loci`
    a `free` box of zeros, and not one other byte changed (the oracle for the tests' diffs)."""
    for text in (EIFFEL, EIFFEL_APPLE, APPLE_ACCURACY):
        video = video.replace(text, b" " * len(text))
    place = loci()
    return video.replace(place, place[:4] + b"free" + bytes(len(place) - 8))


def iphone_udta() -> bytes:
    return box(b"udta", xyz(), box(b"\xa9mak", struct.pack(">HH", 5, 0x15C7), b"Apple"))


def iphone_meta() -> bytes:
    return apple_meta(
        {
            APPLE_LOCATION: EIFFEL_APPLE,
            "com.apple.quicktime.location.accuracy.horizontal": APPLE_ACCURACY,
            APPLE_MAKE: b"Apple",
        }
    )


def moov(*tracks: bytes, mvhd_box: bytes | None = None, extra: tuple[bytes, ...] = ()) -> bytes:
    return box(b"moov", mvhd_box or mvhd(), *(tracks or (trak(),)), *extra)


def mdat_header(size: int, *, large: bool = False) -> bytes:
    """The header of an `mdat` holding `size` bytes: a 64-bit size when `large` (or needed)."""
    if large or size + 8 > 0xFFFFFFFF:
        return struct.pack(">I4sQ", 1, b"mdat", size + 16)
    return struct.pack(">I4s", size + 8, b"mdat")


def movie(
    *,
    brand: bytes = b"isom",
    movie_box: bytes | None = None,
    mdat: int = 64,
    moov_last: bool = False,
    large: bool = False,
) -> bytes:
    """A whole file in memory; `mdat` bytes of zeros for the media."""
    head, media = ftyp(brand), mdat_header(mdat, large=large) + bytes(mdat)
    movie_box = movie_box or moov(trak(), trak(b"soun", 0, 0), extra=(iphone_udta(), iphone_meta()))
    return head + (media + movie_box if moov_last else movie_box + media)


def write_movie(path: Path, *, mdat: int, brand: bytes = b"isom", large: bool = True) -> None:
    """A file whose `mdat` of `mdat` bytes is skipped by a seek (sparse: no memory, little disk), its moov last."""
    with open(path, "wb") as file:
        file.write(ftyp(brand) + mdat_header(mdat, large=large))
        file.seek(mdat, 1)
        file.write(moov(trak(), extra=(iphone_udta(), iphone_meta())))


def element(ident: int, *content: bytes, unknown_size: bool = False) -> bytes:
    """A Matroska element: its id (length marker kept), an 8-byte size, its content."""
    payload = b"".join(content)
    size = 0x01FFFFFFFFFFFFFF if unknown_size else (1 << 56) | len(payload)
    return ident.to_bytes((ident.bit_length() + 7) // 8, "big") + size.to_bytes(8, "big") + payload


def uint(ident: int, value: int) -> bytes:
    return element(ident, value.to_bytes(max(1, (value.bit_length() + 7) // 8), "big"))


def webm(
    *, doctype: bytes = b"webm", width: int = 640, height: int = 360, duration_ms: float | None = 2_500.0
) -> bytes:
    """What a browser's MediaRecorder writes: a segment of unknown size, info, one video track, a cluster."""
    header = element(0x1A45DFA3, uint(0x4286, 1), uint(0x42F7, 1), element(0x4282, doctype), uint(0x4287, 4))
    duration = () if duration_ms is None else (element(0x4489, struct.pack(">d", duration_ms)),)
    info = element(0x1549A966, uint(0x2AD7B1, 1_000_000), *duration, element(0x4D80, b"photoshare-tests"))
    video = element(0xE0, uint(0xB0, width), uint(0xBA, height))
    tracks = element(0x1654AE6B, element(0xAE, uint(0xD7, 1), uint(0x83, 1), element(0x86, b"V_VP8"), video))
    cluster = element(0x1F43B675, uint(0xE7, 0), element(0xA3, bytes(32)), unknown_size=True)
    return header + element(0x18538067, info, tracks, cluster, unknown_size=True)


def with_movie_boxes(recording: bytes, *extra: bytes) -> bytes:
    """A fragmented recording (as MediaRecorder writes it) with `extra` boxes at the end of its moov.
    What follows the moov moves, which its fragments allow (their offsets count from their own moof);
    the trailing `mfra`, an optional index of absolute offsets, is dropped."""
    offset, boxes = 0, []
    while offset < len(recording):  # top-level boxes of 32-bit sizes, as MediaRecorder writes them
        (size,) = struct.unpack(">I", recording[offset : offset + 4])
        boxes.append(recording[offset : offset + size])
        offset += size
    return b"".join(box(b"moov", b[8:], *extra) if b[4:8] == b"moov" else b for b in boxes if b[4:8] != b"mfra")


# Draws a changing colour on a canvas and records it for `seconds`: the file MediaRecorder makes.
_RECORD = """async ([mime, seconds]) => {
  const canvas = Object.assign(document.createElement("canvas"), {width: 320, height: 240});
  const recorder = new MediaRecorder(canvas.captureStream(30), {mimeType: mime});
  const chunks = [], stopped = new Promise(resolve => (recorder.onstop = resolve));
  recorder.ondataavailable = event => chunks.push(event.data);
  recorder.start();
  for (let frame = 0; frame < seconds * 30; frame++) {
    canvas.getContext("2d").fillStyle = `hsl(${frame * 10}, 80%, 50%)`;
    canvas.getContext("2d").fillRect(0, 0, 320, 240);
    await new Promise(resolve => setTimeout(resolve, 33));
  }
  recorder.stop();
  await stopped;
  const bytes = new Uint8Array(await new Blob(chunks).arrayBuffer());
  return btoa(Array.from(bytes, byte => String.fromCharCode(byte)).join(""));
}"""


def record_in_chromium(mime: str, seconds: float = 1.2) -> bytes:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page()
        recording = base64.b64decode(page.evaluate(_RECORD, [mime, seconds]))
        browser.close()
    return recording


def write_samples() -> None:
    (SAMPLES / "iphone-like.mov").write_bytes(movie(brand=b"qt  ", moov_last=True, mdat=1024))
    (SAMPLES / "android-like.mp4").write_bytes(movie(brand=b"mp42", mdat=1024))
    (SAMPLES / "recorded.webm").write_bytes(webm())
    (SAMPLES / "chromium-recorded.mp4").write_bytes(record_in_chromium("video/mp4;codecs=avc1"))
    (SAMPLES / "chromium-recorded.webm").write_bytes(record_in_chromium("video/webm;codecs=vp8"))


if __name__ == "__main__":
    write_samples()
