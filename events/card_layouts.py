"""The table card's print layouts: the sheet the browser prints on, and how many cards it holds.

Each is a named page of its paper's size in events/static/events/card.css (`@page a6` ...); the browser
prints the page, so no PDF library. A6 is a quarter of A4; on Letter the quarter is 4.25 by 5.5 inches.
"""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Layout:
    label: Promise
    cards: int


CARD_LAYOUTS = {
    "a6": Layout(_("One A6 card"), 1),
    "a5": Layout(_("One A5 card"), 1),
    "a4": Layout(_("Four A6 cards on an A4 sheet"), 4),
    "letter": Layout(_("Four cards on a US Letter sheet"), 4),
}
DEFAULT_LAYOUT = "a6"
