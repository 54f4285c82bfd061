"""DynamoDB's capacity rules, as AWS documents them, applied to items seen before and after a request.

Item size: each attribute's name in UTF-8 plus its value (a string's UTF-8 bytes, a number's
(significant digits + 1) / 2 + 1 bytes, 1 byte for a boolean). A write costs 1 unit per KB
(rounded up) of the larger of the item before and after it, at least 1; an item written inside
TransactWriteItems costs twice that. A strongly consistent read costs 1 unit per 4 KB (rounded up), a
query 1 per 4 KB of all the items it returns together.
"""

import math
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

Item = dict[str, Any]
WRITE_UNIT = 1024
READ_UNIT = 4096
TRANSACTION_FACTOR = 2


def number_size(text: str) -> int:
    digits = Decimal(text).normalize().as_tuple().digits
    return min((len(digits) + 1) // 2 + 1, 21)


def value_size(value: Item) -> int:
    ((kind, content),) = value.items()
    if kind == "S":
        return len(content.encode())
    if kind == "N":
        return number_size(content)
    if kind in {"BOOL", "NULL"}:
        return 1
    raise ValueError(f"no size rule here for {kind}: the table holds S, N and BOOL only")


def item_size(item: Item | None) -> int:
    return sum(len(name.encode()) + value_size(value) for name, value in (item or {}).items())


@dataclass(frozen=True)
class Write:
    """One item one request wrote: which of the event's items, its size before and after."""

    kind: str
    before: int
    after: int
    transactional: bool

    @property
    def units(self) -> int:
        units = max(1, math.ceil(max(self.before, self.after) / WRITE_UNIT))
        return units * (TRANSACTION_FACTOR if self.transactional else 1)


@dataclass(frozen=True)
class Request:
    """One DynamoDB call: the items it wrote, and what it read (kinds of items, their bytes together)."""

    operation: str
    writes: tuple[Write, ...] = ()
    read_kinds: tuple[str, ...] = ()
    read_bytes: int = 0

    @property
    def write_units(self) -> int:
        return sum(write.units for write in self.writes)

    @property
    def read_units(self) -> int:
        if self.operation not in {"GetItem", "Query"}:
            return 0
        return max(1, math.ceil(self.read_bytes / READ_UNIT))
