"""Remove where a photo was taken from its XMP packets, in place, keeping everything else.

Each removed property is overwritten with spaces: the packet keeps its length (no offset in the file
moves, nothing is recompressed) and stays well-formed XML, since whitespace may stand between
attributes and between elements. Pure Python, like uploads/exif.py, for the guest Lambda.
"""

import re

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
_PACKET = re.compile(rb"<x:xmpmeta\b.*?</x:xmpmeta\s*>", re.DOTALL)
_NAMESPACE = re.compile(rb"""xmlns:([\w.-]+)\s*=\s*["']([^"']*)["']""")


def blank_location(photo: bytearray, start: int = 0, end: int | None = None) -> bool:
    """Blank the location properties of each XMP packet inside photo[start:end]; True if any was found."""
    found = False
    for packet in list(_PACKET.finditer(photo, start, len(photo) if end is None else end)):
        for pattern in _location_patterns(packet.group()):
            for match in list(pattern.finditer(photo, packet.start(), packet.end())):
                photo[match.start() : match.end()] = b" " * (match.end() - match.start())
                found = True
    return found


def _location_patterns(packet: bytes) -> list[re.Pattern[bytes]]:
    """For each prefix the packet binds to a location namespace: its properties as an element (with
    everything inside it) or as an attribute."""
    patterns = []
    for prefix, namespace in _NAMESPACE.findall(packet):
        names = LOCATION_PROPERTIES.get(namespace.decode("ascii", "replace"))
        if names:
            name = re.escape(prefix) + b":(?:" + names.encode() + b")\\b"
            element = b"<(" + name + b")[^>]*?(?:/>|>.*?</\\1\\s*>)"
            attribute = b"\\s" + name + b"\\s*=\\s*(?:\"[^\"]*\"|'[^']*')"
            patterns.append(re.compile(element + b"|" + attribute, re.DOTALL))
    return patterns
