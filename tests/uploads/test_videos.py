"""Videos are recognised from their headers alone and lose their location in place, byte for byte."""

import io
import struct
from pathlib import Path

import pytest

from tests.samples_video import (
    APPLE_LOCATION,
    APPLE_MAKE,
    EIFFEL,
    SAMPLES,
    apple_meta,
    box,
    element,
    ftyp,
    full_box,
    iphone_meta,
    iphone_udta,
    large,
    loci,
    mdat_header,
    mdia,
    moov,
    movie,
    mvhd,
    trak,
    uint,
    webm,
    without_location,
    write_movie,
    xyz,
)
from uploads.ports import UnsupportedMedia
from uploads.videos import MAX_HEADERS, MAX_READ, VideoInfo, blank_video_location, inspect_video

# The same whatever DATABASE_URL says: the PostgreSQL pass leaves it out.
pytestmark = pytest.mark.one_database


MB = 1024 * 1024


class CountingFile(io.FileIO):
    """An unbuffered file that counts what is read from it: every byte read is one the disk gave."""

    def __init__(self, path: Path, mode: str = "rb"):
        super().__init__(path, mode)
        self.reads = self.bytes_read = 0

    def read(self, size: int | None = -1) -> bytes:
        data = super().read(size)
        self.reads += 1
        self.bytes_read += len(data or b"")
        return data or b""


def inspect(tmp_path: Path, data: bytes) -> VideoInfo:
    path = tmp_path / "video"
    path.write_bytes(data)
    with CountingFile(path) as file:
        return inspect_video(file, len(data))


def blanked(tmp_path: Path, data: bytes) -> tuple[bytes, int]:
    """The file after blank_video_location, and how many locations it blanked."""
    path = tmp_path / "video"
    path.write_bytes(data)
    with CountingFile(path, "r+b") as file:
        count = blank_video_location(file, len(data))
    return path.read_bytes(), count


@pytest.mark.parametrize(
    "data, expected",
    [
        (movie(brand=b"mp42"), VideoInfo("video/mp4", "mp4", 1920, 1080, 12.5)),
        (movie(brand=b"isom"), VideoInfo("video/mp4", "mp4", 1920, 1080, 12.5)),
        (movie(brand=b"M4V "), VideoInfo("video/mp4", "mp4", 1920, 1080, 12.5)),
        (movie(brand=b"qt  "), VideoInfo("video/quicktime", "mov", 1920, 1080, 12.5)),
        (webm(), VideoInfo("video/webm", "webm", 640, 360, 2.5)),
    ],
    ids=["mp42", "isom", "m4v", "quicktime", "webm"],
)
def test_it_recognises_each_kind_of_video_with_its_size_and_duration(tmp_path, data, expected):
    assert inspect(tmp_path, data) == expected


def test_it_recognises_an_mp4_by_a_compatible_brand(tmp_path):
    data = ftyp(b"abcd", b"abcd", b"isom") + moov() + mdat_header(0)
    assert inspect(tmp_path, data).content_type == "video/mp4"


def test_it_gives_a_portrait_phone_video_its_turned_size(tmp_path):
    data = movie(movie_box=moov(trak(b"vide", 1920, 1080, rotated=True)))
    assert (inspect(tmp_path, data).width, inspect(tmp_path, data).height) == (1080, 1920)


def test_it_reads_the_size_and_duration_of_version_1_headers(tmp_path):
    data = movie(
        movie_box=moov(trak(b"soun", 0, 0), trak(b"vide", 3840, 2160), mvhd_box=mvhd(90_000, 2**33, version=1))
    )
    assert inspect(tmp_path, data) == VideoInfo("video/mp4", "mp4", 3840, 2160, 2**33 / 90_000)


def test_it_finds_the_movie_after_the_media_data(tmp_path):
    assert inspect(tmp_path, movie(moov_last=True)).width == 1920


def test_it_reads_a_64_bit_media_data_size(tmp_path):
    assert inspect(tmp_path, movie(large=True, moov_last=True)).height == 1080


def test_it_reads_a_movie_whose_boxes_have_64_bit_sizes(tmp_path):
    data = movie(movie_box=large(moov(large(trak()), extra=(large(iphone_udta()),))))
    assert inspect(tmp_path, data).width == 1920
    assert blanked(tmp_path, data) == (without_location(data), 1)


def test_a_movie_that_does_not_say_its_duration_has_none(tmp_path):
    assert inspect(tmp_path, movie(movie_box=moov(mvhd_box=mvhd(600, 0)))).duration is None
    assert inspect(tmp_path, webm(duration_ms=None)).duration is None


def test_it_accepts_user_data_ended_by_a_32_bit_zero_as_quicktime_writes_it(tmp_path):
    udta = box(b"udta", xyz(), bytes(4))
    assert blanked(tmp_path, movie(movie_box=moov(trak(), extra=(udta,))))[1] == 1


@pytest.mark.parametrize(
    "name, content_type",
    [("iphone-like.mov", "video/quicktime"), ("android-like.mp4", "video/mp4"), ("recorded.webm", "video/webm")],
)
def test_it_recognises_the_committed_samples(name, content_type):
    path = SAMPLES / name
    with open(path, "rb") as file:
        assert inspect_video(file, path.stat().st_size).content_type == content_type


@pytest.mark.parametrize(
    "name, expected",
    [
        ("chromium-recorded.mp4", VideoInfo("video/mp4", "mp4", 320, 240, 1188 / 1000)),
        ("chromium-recorded.webm", VideoInfo("video/webm", "webm", 320, 240, 1130.81298828125 / 1000)),
    ],
)
def test_it_recognises_what_a_real_encoder_wrote(name, expected):
    """Chromium's MediaRecorder: a fragmented MP4 (moov, then moof and mdat pairs, then mfra) and a WebM."""
    path = SAMPLES / name
    with open(path, "rb") as file:
        assert inspect_video(file, path.stat().st_size) == expected


def test_it_inspects_a_200_mb_video_with_its_movie_last_reading_under_a_megabyte(tmp_path):
    path = tmp_path / "long.mov"
    write_movie(path, mdat=200 * MB, brand=b"qt  ")
    size = path.stat().st_size
    assert size > 200 * MB
    with CountingFile(path) as file:
        assert inspect_video(file, size) == VideoInfo("video/quicktime", "mov", 1920, 1080, 12.5)
    assert file.bytes_read < MB
    with CountingFile(path, "r+b") as file:
        assert blank_video_location(file, size) == 3
    assert file.bytes_read < MB
    assert path.stat().st_size == size


# Blanking: the expected file is the original with exactly the location's bytes replaced.


def test_it_blanks_the_user_data_location_and_nothing_else(tmp_path):
    original = movie(movie_box=moov(trak(), extra=(iphone_udta(),)))
    after, count = blanked(tmp_path, original)
    assert count == 1
    assert after == without_location(original)
    assert b"Apple" in after


def test_it_blanks_every_language_of_a_user_data_location_keeping_their_lengths(tmp_path):
    english, french = struct.pack(">HH", len(EIFFEL), 0x15C7) + EIFFEL, struct.pack(">HH", 6, 0x1A41) + b"Paris!"
    original = movie(movie_box=moov(trak(), extra=(box(b"udta", box(b"\xa9xyz", english, french)),)))
    after, count = blanked(tmp_path, original)
    assert count == 1
    assert after == without_location(original).replace(b"Paris!", b" " * 6)


def test_it_refuses_a_location_box_too_large_to_search_whole(tmp_path):
    texts = [xyz(EIFFEL)[8:]] * (MAX_READ // len(xyz(EIFFEL)[8:]) + 1)  # the last one past the first MAX_READ bytes
    original = movie(movie_box=moov(trak(), extra=(box(b"udta", box(b"\xa9xyz", *texts)),)))
    with pytest.raises(UnsupportedMedia):
        blanked(tmp_path, original)
    assert (tmp_path / "video").read_bytes() == original


def test_it_blanks_a_location_in_a_tracks_user_data(tmp_path):
    original = movie(movie_box=moov(trak(b"vide", 1920, 1080, box(b"udta", xyz()))))
    after, count = blanked(tmp_path, original)
    assert (after, count) == (without_location(original), 1)


def test_it_turns_a_3gpp_location_into_free_space_of_the_same_length(tmp_path):
    place = loci()
    original = movie(brand=b"3gp4", movie_box=moov(trak(), extra=(box(b"udta", place),)))
    after, count = blanked(tmp_path, original)
    assert count == 1
    assert after == without_location(original)
    assert after.count(b"loci") == 0 and after.count(b"free") == 1


def test_it_blanks_every_apple_location_key_and_keeps_the_others(tmp_path):
    original = movie(brand=b"qt  ", movie_box=moov(trak(), extra=(iphone_meta(),)))
    after, count = blanked(tmp_path, original)
    assert count == 2
    assert after == without_location(original)
    assert APPLE_LOCATION.encode() in after  # the key stays: the structure is untouched


def test_it_zeroes_an_apple_location_value_that_is_not_text(tmp_path):
    value = struct.pack(">ff", 48.8584, 2.2945)
    original = movie(movie_box=moov(trak(), extra=(apple_meta({APPLE_LOCATION: value}, kind=23),)))
    after, count = blanked(tmp_path, original)
    assert (after, count) == (original.replace(value, bytes(8)), 1)


def test_it_blanks_an_itunes_style_location_item(tmp_path):
    item = box(b"\xa9xyz", box(b"data", struct.pack(">II", 1, 0), EIFFEL))
    meta = full_box(b"meta", box(b"hdlr", bytes(8), b"mdir", bytes(13)), box(b"ilst", item))
    original = movie(movie_box=moov(trak(), extra=(box(b"udta", meta),)))
    after, count = blanked(tmp_path, original)
    assert (after, count) == (without_location(original), 1)


XMP = (
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
    b'<rdf:Description xmlns:exif="http://ns.adobe.com/exif/1.0/" exif:GPSLatitude="48,51.5N"/>'
    b"</rdf:RDF></x:xmpmeta>"
)


@pytest.mark.parametrize(
    "original",
    [
        movie(movie_box=moov(trak(), extra=(box(b"udta", box(b"XMP_", XMP)),))),
        movie(movie_box=moov()) + box(b"uuid", bytes.fromhex("BE7ACFCB97A942E89C71999491E3AFAC"), XMP),
    ],
    ids=["quicktime-user-data", "mp4-uuid-box"],
)
def test_it_blanks_the_gps_of_an_xmp_packet(tmp_path, original):
    after, count = blanked(tmp_path, original)
    assert count == 1
    gps = b'exif:GPSLatitude="48,51.5N"'
    assert after == original.replace(gps, b" " * len(gps))


def test_it_leaves_a_video_without_a_location_byte_for_byte(tmp_path):
    original = movie(movie_box=moov(trak(), trak(b"soun", 0, 0), extra=(apple_meta({APPLE_MAKE: b"Apple"}),)))
    assert blanked(tmp_path, original) == (original, 0)


def test_a_webm_has_no_standard_location_to_blank(tmp_path):
    assert blanked(tmp_path, webm()) == (webm(), 0)


def test_it_writes_nothing_to_a_video_it_refuses(tmp_path):
    original = movie()[:-10]
    with pytest.raises(UnsupportedMedia):
        blanked(tmp_path, original)
    assert (tmp_path / "video").read_bytes() == original


# Hostile files: each refused by both functions after a bounded walk (reads counted, never timed).

TINY_BOXES = ftyp() + box(b"free") * 1_000_000 + moov()
NESTED = box(b"udta")
for _ in range(5_000):
    NESTED = box(b"trak", NESTED)
EBML_HEADER = element(0x1A45DFA3, element(0x4282, b"webm"))
HOSTILE = {
    "empty": b"",
    "text": b"this is not a video, only some text pretending",
    "jpeg-photo": (SAMPLES / "gps-orientation6.jpg").read_bytes(),
    "heic-photo": (SAMPLES / "iphone-like.heic").read_bytes(),
    "ftyp-only": ftyp(),
    "ftyp-too-short": box(b"ftyp", b"qt  ") + moov(),
    "moov-before-ftyp": moov() + ftyp(),
    "unknown-brand": movie(brand=b"abcd"),
    "audio-only": movie(movie_box=moov(trak(b"soun", 0, 0))),
    "no-movie-header": movie(movie_box=box(b"moov", trak())),
    "truncated-movie": movie(moov_last=True)[:-100],
    "box-smaller-than-its-header": ftyp() + struct.pack(">I4s", 4, b"free") + moov(),
    "garbage-after-the-last-box": movie() + b"garbage!" * 8,
    "64-bit-size-past-the-end": ftyp() + moov() + struct.pack(">I4sQ", 1, b"mdat", 2**62),
    "64-bit-size-wrapping-around": ftyp() + moov() + struct.pack(">I4sQ", 1, b"mdat", 2**64 - 1),
    "64-bit-size-smaller-than-its-header": ftyp() + struct.pack(">I4sQ", 1, b"free", 8) + moov(),
    "track-larger-than-its-movie": ftyp() + box(b"moov", mvhd(), struct.pack(">I", 4096) + trak()[4:]),
    "zero-size-box-mid-file": ftyp() + struct.pack(">I4s", 0, b"free") + moov(),
    "zero-size-box-before-the-track": ftyp() + box(b"moov", mvhd(), struct.pack(">I4s", 0, b"free"), trak()),
    "a-million-tiny-boxes": TINY_BOXES,
    "tracks-nested-5000-deep": ftyp() + box(b"moov", mvhd(), NESTED),
    "track-header-cut-short": ftyp() + moov(box(b"trak", full_box(b"tkhd", bytes(8)), mdia())),
    "webm-matroska-doctype": webm(doctype=b"matroska"),
    "webm-truncated-header": webm()[:20],
    "webm-zero-length-marker": EBML_HEADER + b"\x00" * 16,
    "webm-element-past-the-end": EBML_HEADER + bytes.fromhex("18538067") + (1 << 56 | 2**50).to_bytes(8, "big"),
    "webm-cluster-before-tracks": EBML_HEADER + element(0x18538067, element(0x1F43B675, bytes(8)), unknown_size=True),
    "webm-audio-only": EBML_HEADER
    + element(0x18538067, element(0x1654AE6B, element(0xAE, uint(0x83, 2))), unknown_size=True),
}


@pytest.mark.parametrize("data", HOSTILE.values(), ids=HOSTILE.keys())
def test_it_refuses_a_hostile_file_after_a_bounded_walk(tmp_path, data):
    path = tmp_path / "hostile"
    path.write_bytes(data)
    for mode, function in (("rb", inspect_video), ("r+b", blank_video_location)):
        with CountingFile(path, mode) as file, pytest.raises(UnsupportedMedia):
            function(file, len(data))
        assert file.reads <= MAX_HEADERS + 100 and file.bytes_read <= MB
    assert path.read_bytes() == data


def test_it_refuses_a_file_shorter_than_its_size(tmp_path):
    data = movie()
    path = tmp_path / "short"
    path.write_bytes(data)
    with CountingFile(path) as file, pytest.raises(UnsupportedMedia):
        inspect_video(file, len(data) + 100)
