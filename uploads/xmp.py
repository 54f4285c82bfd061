"""Remove where a photo was taken from its XMP packets, in place, keeping everything else.

Each removed property is overwritten with spaces: the packet keeps its length (no offset in the file
moves, nothing is recompressed) and stays well-formed XML, since whitespace may stand between
attributes and between elements. Pure Python, like uploads/exif.py, for the guest Lambda.

Packets come from guests, so every step is one linear pass: a tag cannot run past the next `<`, and
an element's closing tag is paired on a stack, never searched for.
"""

import re
from collections.abc import Iterator

# Per namespace, the properties that say where: any prefix bound to the namespace is recognised.
LOCATION_PROPERTIES = {
    # exif:GPSLatitude, GPSLongitude, GPSAltitude, GPSTimeStamp, GPSImgDirection, ... (every GPS* tag)
    "http://ns.adobe.com/exif/1.0/": "GPS\\w*",
    # exifEX:GPSHPositioningError and any other GPS* of the CIPA namespace
    "http://cipa.jp/exif/1.0/": "GPS\\w*",
    "http://ns.adobe.com/photoshop/1.0/": "City|State|Country",
    "http://iptc.org/std/Iptc4xmpCore/1.0/xmlns/": "Location|CountryCode",
    # structures holding a place's names and its GPS position
    "http://iptc.org/std/Iptc4xmpExt/2008-02-29/": "LocationCreated|LocationShown",
}
_NAMESPACE = re.compile(rb"""xmlns:([\w.-]+)\s*=\s*["']([^"'<>]*)["']""")
_TAG = re.compile(rb"<(/?)([\w.-]+):([\w.-]+)([^<>]*)>")
# An unclosed quote ends the tag's attributes rather than being looked for again.
_ATTRIBUTE = re.compile(rb"""\s([\w.-]+):([\w.-]+)\s*=\s*(?:"[^"]*"?|'[^']*'?)""")

Places = dict[bytes, re.Pattern[bytes]]


def blank_location(photo: bytearray, start: int = 0, end: int | None = None) -> bool:
    """Blank the location properties of each XMP packet inside photo[start:end]; True if any was found."""
    end = len(photo) if end is None else end
    found = False
    while (begin := photo.find(b"<x:xmpmeta", start, end)) != -1:
        start = photo.find(b"</x:xmpmeta", begin, end)
        if start == -1:
            break
        packet = bytes(photo[begin:start])
        for first, last in _merged(_location_spans(packet, _places(packet))):
            photo[begin + first : begin + last] = b" " * (last - first)
            found = True
    return found


def _merged(spans: Iterator[tuple[int, int]]) -> Iterator[tuple[int, int]]:
    """Adjacent spans as one: a packet of a million properties is blanked in a few writes."""
    first = last = -1
    for start, end in spans:
        if start > last:
            if last > first:
                yield first, last
            first = start
        last = end
    if last > first:
        yield first, last


def _places(packet: bytes) -> Places:
    """The packet's prefixes bound to a location namespace, each with its location properties' names."""
    places = {}
    for prefix, namespace in _NAMESPACE.findall(packet):
        names = LOCATION_PROPERTIES.get(namespace.decode("ascii", "replace"))
        if names:
            places[prefix] = re.compile(names.encode())
    return places


def _location_spans(packet: bytes, places: Places) -> Iterator[tuple[int, int]]:
    """Where the location properties are: whole elements (with what they hold) and attributes."""
    if not places:
        return
    tags = list(_TAG.finditer(packet))
    closes = _closing_tags(tags)
    inside_until = 0
    for n, tag in enumerate(tags):
        opening, prefix, name, rest = not tag[1], tag[2], tag[3], tag[4]
        if not opening or tag.start() < inside_until:
            continue
        if _is_place(places, prefix, name):
            # Unclosed (malformed): its start tag and the text after it go.
            inside_until = tags[closes[n]].end() if n in closes else _next_start(tags, n, len(packet))
            yield tag.start(), inside_until
            continue
        for attribute in _ATTRIBUTE.finditer(rest):
            if _is_place(places, attribute[1], attribute[2]):
                yield tag.start(4) + attribute.start(), tag.start(4) + attribute.end()


def _closing_tags(tags: list[re.Match[bytes]]) -> dict[int, int]:
    """For each opening tag's index, its closing tag's index (self-closing tags close themselves)."""
    closes, open_tags = {}, dict[bytes, list[int]]()
    for n, tag in enumerate(tags):
        qualified = tag[2] + b":" + tag[3]
        if tag[1]:
            if open_tags.get(qualified):
                closes[open_tags[qualified].pop()] = n
        elif tag[4].endswith(b"/"):
            closes[n] = n
        else:
            open_tags.setdefault(qualified, []).append(n)
    return closes


def _is_place(places: Places, prefix: bytes, name: bytes) -> bool:
    names = places.get(prefix)
    return names is not None and names.fullmatch(name) is not None


def _next_start(tags: list[re.Match[bytes]], n: int, default: int) -> int:
    return tags[n + 1].start() if n + 1 < len(tags) else default
