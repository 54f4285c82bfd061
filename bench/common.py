"""What every benchmark shares: a result row, and timing that takes the best of several runs."""

import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class Row:
    id: str
    what: str
    ours: float
    baseline: float
    unit: str
    goal: str
    ok: bool

    @property
    def ratio(self) -> float:
        return self.ours / self.baseline if self.baseline else float("inf")


def best_of(runs: int, action: Callable[[], object]) -> float:
    """Seconds of the fastest of `runs` runs: the least disturbed by the rest of a shared machine."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return min(times)


def numbered(jpeg: bytes, n: int) -> bytes:
    """The same JPEG made a different photo by a comment segment holding `n`, right after its start
    marker: bytes after the end marker would not do, since uploads cut them off."""
    comment = b"\xff\xfe" + (2 + 4).to_bytes(2, "big") + n.to_bytes(4, "big")
    return jpeg[:2] + comment + jpeg[2:]
