"""GPS positions are removed from stored photos by default, without recompressing anything."""

import io
import json
from xml.parsers import expat

import pillow_heif
import pytest
from PIL import Image
from PIL.PngImagePlugin import PngInfo

from tests.conftest import SAMPLES, upload_body
from uploads.exif import GPS_IFD_TAG, strip_location
from uploads.xmp import blank_location

# The same whatever DATABASE_URL says (or it sets its own): the PostgreSQL pass leaves it out.
pytestmark = pytest.mark.one_database

pillow_heif.register_heif_opener()
SAMPLE = (SAMPLES / "gps-orientation6.jpg").read_bytes()


def exif_of(data: bytes) -> Image.Exif:
    return Image.open(io.BytesIO(data)).getexif()


def with_gps(fmt: str) -> bytes:
    """A photo in `fmt` carrying the sample's EXIF, GPS included."""
    buffer = io.BytesIO()
    Image.effect_noise((64, 48), 40).convert("RGB").save(buffer, fmt, exif=exif_of(SAMPLE).tobytes())
    return buffer.getvalue()


def test_the_sample_has_a_gps_position_to_remove():
    assert exif_of(SAMPLE).get_ifd(GPS_IFD_TAG)


def test_the_jpeg_loses_its_location_and_nothing_else():
    stripped = strip_location(SAMPLE, "jpg")
    assert dict(exif_of(stripped).get_ifd(GPS_IFD_TAG)) == {}
    assert exif_of(stripped)[0x0112] == 6  # orientation kept
    assert exif_of(stripped)[0x010F] == exif_of(SAMPLE)[0x010F]  # camera make kept
    assert len(stripped) == len(SAMPLE)
    # Only bytes inside the EXIF segment changed: the compressed image is byte-identical.
    changed = [i for i, (a, b) in enumerate(zip(SAMPLE, stripped, strict=True)) if a != b]
    app1 = SAMPLE.index(b"Exif\x00\x00") - 4  # the FFE1 marker, then the segment's length
    app1_end = app1 + 2 + int.from_bytes(SAMPLE[app1 + 2 : app1 + 4], "big")
    assert changed and max(changed) < app1_end
    assert Image.open(io.BytesIO(stripped)).tobytes() == Image.open(io.BytesIO(SAMPLE)).tobytes()


@pytest.mark.parametrize(("fmt", "extension"), [("WEBP", "webp"), ("PNG", "png"), ("HEIF", "heic")])
def test_other_formats_lose_their_location_too(fmt, extension):
    original = with_gps(fmt)
    assert exif_of(original).get_ifd(GPS_IFD_TAG)
    stripped = strip_location(original, extension)
    assert dict(exif_of(stripped).get_ifd(GPS_IFD_TAG)) == {}
    assert Image.open(io.BytesIO(stripped)).tobytes() == Image.open(io.BytesIO(original)).tobytes()


@pytest.mark.parametrize("name", ["plain.png", "plain.webp", "iphone-like.heic"])
def test_a_photo_without_a_location_is_left_as_it_is(name):
    data = (SAMPLES / name).read_bytes()
    assert strip_location(data, name.rsplit(".", 1)[1]) == data


def test_a_malformed_gps_pointer_is_left_alone():
    broken = bytearray(SAMPLE)
    tag = SAMPLE.index(b"\x88\x25") if b"\x88\x25" in SAMPLE else SAMPLE.index(b"\x25\x88")
    broken[tag + 8 : tag + 12] = b"\xff\xff\xff\xf0"  # points far past the end
    assert strip_location(bytes(broken), "jpg") == bytes(broken)


def test_uploads_are_stored_without_location_unless_the_event_keeps_it(client, wedding, device, photos_dir):
    def upload(seed_name: str) -> bytes:
        body = upload_body(wedding, device=device, photo=SAMPLE, name=seed_name)
        key = client.post("/api/upload", json.dumps(body), content_type="application/json").json()["key"]
        return (photos_dir / key).read_bytes()

    assert dict(exif_of(upload("Carla")).get_ifd(GPS_IFD_TAG)) == {}
    wedding.keep_location = True
    wedding.save()
    client.post(
        "/api/upload",
        json.dumps(upload_body(wedding, device="00000000-0000-4000-8000-000000000001", photo=SAMPLE)),
        content_type="application/json",
    )
    kept = next(p for p in photos_dir.rglob("*.jpg") if "thumbs" not in p.parts and p.read_bytes() == SAMPLE)
    assert exif_of(kept.read_bytes()).get_ifd(GPS_IFD_TAG)


XMP = b"""<?xpacket begin="\xef\xbb\xbf" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/"
  xmlns:exif="http://ns.adobe.com/exif/1.0/" xmlns:photoshop="http://ns.adobe.com/photoshop/1.0/"
  xmlns:Iptc4xmpExt="http://iptc.org/std/Iptc4xmpExt/2008-02-29/"
  exif:GPSLatitude="48,51.4933N" exif:GPSLongitude="2,17.6700E" exif:ExposureTime="1/60" photoshop:City="Paris">
 <dc:title><rdf:Alt><rdf:li xml:lang="x-default">Ana and Ben's first dance</rdf:li></rdf:Alt></dc:title>
 <exif:GPSAltitude>3500/100</exif:GPSAltitude>
 <exif:GPSAltitudeRef>0</exif:GPSAltitudeRef>
 <Iptc4xmpExt:LocationCreated rdf:parseType="Resource">
  <Iptc4xmpExt:Sublocation>Trocadero gardens</Iptc4xmpExt:Sublocation>
 </Iptc4xmpExt:LocationCreated>
</rdf:Description></rdf:RDF></x:xmpmeta>
<?xpacket end="w"?>"""
WHERE = [b"48,51.4933N", b"2,17.6700E", b"3500/100", b"GPSAltitudeRef", b"Paris", b"Trocadero"]


def with_xmp(fmt: str, xmp: bytes = XMP) -> bytes:
    """A photo in `fmt` with the sample's EXIF (orientation 6, GPS) and an XMP packet that says where."""
    image, buffer = Image.effect_noise((64, 48), 40).convert("RGB"), io.BytesIO()
    exif = exif_of(SAMPLE).tobytes()
    if fmt == "PNG":
        info = PngInfo()
        info.add_itxt("XML:com.adobe.xmp", xmp.decode())
        image.save(buffer, fmt, exif=exif, pnginfo=info)
    else:
        image.save(buffer, fmt, exif=exif, xmp=xmp)
    return buffer.getvalue()


def xmp_of(data: bytes) -> bytes:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image.info["xmp"] if "xmp" in image.info else image.info["XML:com.adobe.xmp"].encode()


@pytest.mark.parametrize(("fmt", "extension"), [("JPEG", "jpg"), ("PNG", "png"), ("WEBP", "webp"), ("HEIF", "heic")])
def test_the_location_in_xmp_is_removed_and_the_rest_kept(fmt, extension):
    original = with_xmp(fmt)
    assert all(place in xmp_of(original) for place in WHERE)
    stripped = strip_location(original, extension)
    kept = xmp_of(stripped)
    assert not [place for place in WHERE if place in stripped]
    assert b"Ana and Ben's first dance" in kept and b'exif:ExposureTime="1/60"' in kept
    # THEN the packet is still well-formed XML of the same length, and the EXIF orientation is kept
    expat.ParserCreate().Parse(kept[kept.index(b"<x:xmpmeta") : kept.index(b"</x:xmpmeta>") + 12], True)
    assert len(kept) == len(xmp_of(original)) and len(stripped) == len(original)
    assert exif_of(stripped)[0x0112] == exif_of(original)[0x0112]  # HEIF: 1 (pillow-heif wrote irot)
    assert Image.open(io.BytesIO(stripped)).tobytes() == Image.open(io.BytesIO(original)).tobytes()


def test_an_xmp_property_under_any_prefix_is_recognised_by_its_namespace():
    renamed = XMP.replace(b"xmlns:exif=", b"xmlns:e=").replace(b"exif:", b"e:")
    stripped = strip_location(with_xmp("JPEG", renamed), "jpg")
    assert b"48,51.4933N" not in stripped and b'e:ExposureTime="1/60"' in stripped


def test_a_compressed_xmp_chunk_in_a_png_is_removed_whole():
    image, info, buffer = Image.new("RGB", (8, 8)), PngInfo(), io.BytesIO()
    info.add_itxt("XML:com.adobe.xmp", XMP.decode(), zip=True)
    image.save(buffer, "PNG", pnginfo=info)
    stripped = strip_location(buffer.getvalue(), "png")
    assert b"XML:com.adobe.xmp" not in stripped
    assert Image.open(io.BytesIO(stripped)).tobytes() == image.tobytes()


def test_the_xmp_location_is_kept_when_the_event_keeps_it(client, wedding, device, photos_dir):
    wedding.keep_location = True
    wedding.save()
    photo = with_xmp("JPEG")
    body = upload_body(wedding, device=device, photo=photo)
    key = client.post("/api/upload", json.dumps(body), content_type="application/json").json()["key"]
    assert (photos_dir / key).read_bytes() == photo


def test_an_upload_loses_the_location_in_its_xmp(client, wedding, device, photos_dir):
    body = upload_body(wedding, device=device, photo=with_xmp("JPEG"))
    key = client.post("/api/upload", json.dumps(body), content_type="application/json").json()["key"]
    stored = (photos_dir / key).read_bytes()
    assert b"48,51.4933N" not in stored and b"Ana and Ben's first dance" in stored


def test_a_malformed_packet_still_loses_its_location():
    # An element never closed, and an attribute whose quote never closes: both go, the title stays.
    broken = XMP.replace(b"</exif:GPSAltitude>", b"").replace(b'"2,17.6700E"', b'"2,17.6700E')
    packet = bytearray(broken)
    assert blank_location(packet)
    assert b"3500/100" not in packet and b"2,17.6700E" not in packet and b"first dance" in packet
