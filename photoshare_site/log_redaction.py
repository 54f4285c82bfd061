"""Upload keys stay out of logs. The guest page's URL carries the key in its query string
(/guest/?event=...&key=...), and so does the page's call to /api/events/<slug>?key=...; an access log
line holding it would hand the key to whoever reads the logs. Likewise the signature of a direct
upload's local PUT URL (sig=...), which lets whoever holds it send that upload's bytes until it expires.

Used by the access log of `manage.py serve` (photoshare_site/gunicorn_conf.py) and by runserver's
`django.server` log (LOGGING in settings). Plain Python: the dashboard's Lambda has no gunicorn.
"""

import logging
import re

REDACTED = "[redacted]"
# key=, uploadKey= and sig= as query parameters (any case), in a URL or a bare query string, up to the
# next parameter or the end of the URL.
_KEY_PARAMETER = re.compile(r"(?i)((?:^|[?&;])(?:(?:upload_?)?key|sig)=)[^&;#\s\"']*")


def redact(text: str) -> str:
    return _KEY_PARAMETER.sub(rf"\g<1>{REDACTED}", text)


class RedactUploadKeys(logging.Filter):
    """A logging filter: the record's message and its arguments, with upload keys replaced."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(redact(arg) if isinstance(arg, str) else arg for arg in record.args)
        return True
