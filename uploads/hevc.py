"""The picture size an HEIF image's HEVC stream declares, which is what its decoder allocates.

A HEIF file states its size twice: the `ispe` property (what Pillow reports) and the sequence
parameter set in the `hvcC` configuration (what libde265 decodes, before libheif crops it to `ispe`).
A file whose `ispe` is small but whose stream is huge would pass a pixel cap read from `ispe` alone.
"""

import struct
from collections.abc import Iterator

_SPS = 33  # HEVC NAL unit type of a sequence parameter set
# Enough of an SPS to reach its picture size, whatever its sub-layers hold.
_SPS_PREFIX = 256


def picture_sizes(hvcc: bytes) -> Iterator[tuple[int, int]]:
    """(width, height) of each sequence parameter set in an HEVCDecoderConfigurationRecord."""
    pos = 23
    for _ in range(hvcc[22]):
        nal_type, count = hvcc[pos] & 0x3F, struct.unpack(">H", hvcc[pos + 1 : pos + 3])[0]
        pos += 3
        for _ in range(count):
            (length,) = struct.unpack(">H", hvcc[pos : pos + 2])
            if nal_type == _SPS:
                yield _sps_picture_size(hvcc[pos + 2 : pos + 2 + length])
            pos += 2 + length


def _sps_picture_size(nal: bytes) -> tuple[int, int]:
    # Emulation-prevention bytes (00 00 03) are not part of the syntax the fields are read from.
    bits = _Bits(nal[:_SPS_PREFIX].replace(b"\x00\x00\x03", b"\x00\x00"))
    bits.skip(16 + 4)  # NAL header, sps_video_parameter_set_id
    sub_layers = bits.read(3)
    bits.skip(1 + 96)  # temporal_id_nesting_flag, the general profile, tier and level
    present = [(bits.read(1), bits.read(1)) for _ in range(sub_layers)]
    if sub_layers:
        bits.skip(2 * (8 - sub_layers))
    for profile, level in present:
        bits.skip(88 * profile + 8 * level)
    bits.golomb()  # sps_seq_parameter_set_id
    if bits.golomb() == 3:  # chroma_format_idc 4:4:4 carries separate_colour_plane_flag
        bits.skip(1)
    return bits.golomb(), bits.golomb()


class _Bits:
    """A big-endian bit reader over a short buffer."""

    def __init__(self, data: bytes):
        self.value, self.left = int.from_bytes(data, "big"), 8 * len(data)

    def read(self, count: int) -> int:
        if count > self.left:
            raise ValueError("the parameter set ends early")
        self.left -= count
        return (self.value >> self.left) & ((1 << count) - 1)

    def skip(self, count: int) -> None:
        self.read(count)

    def golomb(self) -> int:
        """An unsigned Exp-Golomb code, ue(v)."""
        zeros = 0
        while not self.read(1):
            zeros += 1
            if zeros > 31:
                raise ValueError("Exp-Golomb code too long")
        return (1 << zeros) - 1 + self.read(zeros)
