"""Work a request starts but must not wait for (mail): done once the response is on its way.

Locally the worker does it right after sending the response (Django's `request_finished`, sent when the
server closes the response), so the answer takes the same time whatever the work is. On Lambda the
process freezes once the response is returned: the function invokes itself instead, as for ZIP exports.
"""

import logging
import threading

from django.core.signals import request_finished
from django.dispatch import receiver

from uploads.aws import background

log = logging.getLogger(__name__)
_pending = threading.local()


def run_after_response(payload: dict[str, object]) -> None:
    """Run `{"command": "module.function", ...}` (the function is called with the payload) out of band."""
    if background.on_lambda():
        background.start(payload)
    else:
        _pending.__dict__.setdefault("payloads", []).append(payload)


@receiver(request_finished, dispatch_uid="events.after_response")
def _run_pending(**kwargs) -> None:
    payloads, _pending.payloads = _pending.__dict__.get("payloads", []), []
    for payload in payloads:
        try:
            background.run(payload)
        except Exception:
            # The response is gone: the log is the only place left to say so.
            log.exception("work after the response failed: %s", payload["command"])
