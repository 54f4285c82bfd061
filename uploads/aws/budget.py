"""The guest function's time budget: every AWS attempt ends before the function does, with time kept
to give a held slot back.

Lambda kills a function at its timeout, whatever it is doing. Killed between reserving a slot and
completing it, the function would leave its claim held, and the same photo would answer 409 until
CLAIM_TTL passes. So the handler sets a deadline from the invocation's remaining time, and an attempt
(a first try or a retry) is sent only if its timeouts can run out before the deadline, less the
reserve; giving the slot back may spend the reserve.

Worst case, the guest function's timeout being 28 s (API Gateway's integration gives up at 29 s):
  one DynamoDB attempt     connect 1 s + read 2 s                       =  3 s
  one S3 attempt           connect 1 s + read 5 s                       =  6 s
  reserve                  one S3 DeleteObject + one DynamoDB release   =  9 s
  margin                   shape and return the answer                  =  1 s
Every attempt of the upload itself ends by 28 - 1 - 9 = 18 s, however long it waits; the undo's two
attempts end by 18 + 6 + 3 = 27 s; the answer leaves by 28 s. Retries (standard mode, at most 3
attempts, with backoff) are sent only while one more attempt still fits; one that does not is refused
with OutOfTime, which the stores answer as 503 "unavailable", nothing counted.

The timeouts bound each wait on the network, not a whole transfer: the largest body, a 4.4 MB photo,
takes well under a second to reach S3 from a function in the same region.
"""

import functools
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from botocore.config import Config
from botocore.exceptions import BotoCoreError

_RETRIES = {"mode": "standard", "max_attempts": 3}
DYNAMODB = Config(connect_timeout=1, read_timeout=2, retries=_RETRIES)
S3 = Config(connect_timeout=1, read_timeout=5, retries=_RETRIES)
RESPONSE_MARGIN = 1.0


def attempt_seconds(config: Config) -> float:
    """The longest one attempt can take before its timeouts give up."""
    return float(config.connect_timeout + config.read_timeout)


# Giving a slot back: delete the photo that may have landed, then one release transaction.
UNDO_RESERVE = attempt_seconds(S3) + attempt_seconds(DYNAMODB)

_deadline: ContextVar[float | None] = ContextVar("deadline", default=None)
_kept_back: ContextVar[float] = ContextVar("kept_back", default=UNDO_RESERVE)


class OutOfTime(BotoCoreError):
    fmt = "No time for another {operation} attempt: it may take {needed:.1f} s, {left:.1f} s are left."


@contextmanager
def invocation(remaining_ms: int | None) -> Iterator[None]:
    """One invocation of the guest function, `remaining_ms` before Lambda stops it (None: no limit)."""
    deadline = None if remaining_ms is None else time.monotonic() + remaining_ms / 1000 - RESPONSE_MARGIN
    token = _deadline.set(deadline)
    try:
        yield
    finally:
        _deadline.reset(token)


@contextmanager
def spending_the_reserve() -> Iterator[None]:
    """Giving a slot back may use the time kept back for it."""
    token = _kept_back.set(0.0)
    try:
        yield
    finally:
        _kept_back.reset(token)


def watch(client: Any) -> Any:
    """Refuse, before it is sent, any attempt of `client` that could not end in time (outside an
    invocation nothing is refused)."""
    needed = attempt_seconds(client.meta.config)
    # First: a handler that answers (moto in the tests) must not see a refused attempt.
    client.meta.events.register_first("before-send", functools.partial(_refuse_if_late, needed=needed))
    return client


def _refuse_if_late(needed: float, event_name: str, **kwargs: object) -> None:
    deadline = _deadline.get()
    if deadline is None:
        return
    left = deadline - time.monotonic() - _kept_back.get()
    if needed > left:
        raise OutOfTime(operation=event_name.rsplit(".", 1)[-1], needed=needed, left=max(left, 0.0))
