"""The table card's accent colour: `#rrggbb`, dark enough that it reads against white paper.

The rule is WCAG 2's for normal text: a contrast ratio of at least 4.5:1 with white. The card prints the
name and the address in the accent on white, and the welcome line in white on the accent, so one ratio
covers both.
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

DEFAULT_ACCENT = "#1f4e79"
MIN_CONTRAST = 4.5
_HEX = re.compile(r"#[0-9a-fA-F]{6}")


def _linear(channel: int) -> float:
    value = channel / 255
    return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4


def contrast_with_white(colour: str) -> float:
    """WCAG 2's contrast ratio of `#rrggbb` with white, 1 (white itself) to 21 (black)."""
    red, green, blue = (_linear(int(colour[i : i + 2], 16)) for i in (1, 3, 5))
    luminance = 0.2126 * red + 0.7152 * green + 0.0722 * blue
    return 1.05 / (luminance + 0.05)


def css_colour(colour: str) -> str:
    """The colour as the card's style sheet may print it: a row saved without validation gets the default."""
    return colour if _HEX.fullmatch(colour) else DEFAULT_ACCENT


def readable_accent(colour: str) -> None:
    if not _HEX.fullmatch(colour):
        raise ValidationError(
            _("Use a colour written as #rrggbb, e.g. %(example)s."), params={"example": DEFAULT_ACCENT}
        )
    ratio = contrast_with_white(colour)
    if ratio < MIN_CONTRAST:
        raise ValidationError(
            _(
                "Too light to read on white paper (contrast %(ratio).1f:1, at least %(minimum).1f:1): "
                "pick a darker colour."
            ),
            params={"ratio": ratio, "minimum": MIN_CONTRAST},
        )
