"""The dashboard function's scheduled work (zappa_settings.json `events`, an EventBridge rule).

Zappa's handler sets Django up on a cold start (the stage has `django_settings`) and then calls the
function with the rule's event and the Lambda context.
"""

import logging
from dataclasses import asdict

from events.services import events_retention_sweep, uploads_recover

log = logging.getLogger(__name__)


def recover_uploads_everywhere(event: dict, context: object = None) -> dict[str, dict]:
    """Every few minutes: finish or release the uploads whose guest function timed out or was killed."""
    done = {slug: asdict(recovered) for slug, recovered in uploads_recover().items()}
    for slug, recovered in done.items():
        log.info("recovered uploads of %s: %s", slug, recovered)
    return done


def purge_expired_everywhere(event: dict, context: object = None) -> dict[str, list[str]]:
    """Every hour: warn the owners of events deleted in a week, and delete those whose retention ran out."""
    done = asdict(events_retention_sweep())
    log.info("retention: %s", done)
    return done
