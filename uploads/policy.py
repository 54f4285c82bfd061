"""What the upload core needs to know about an event, independent of where it is stored."""

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime


def hash_upload_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@dataclass(frozen=True)
class EventPolicy:
    slug: str
    name: str
    limit: int
    is_open: bool
    upload_key_sha256: str
    closes_at: datetime | None = None
    # Photos keep their GPS position only when the organizer asks for it.
    keep_location: bool = False

    def accepts_uploads(self, now: datetime) -> bool:
        return self.is_open and (self.closes_at is None or now < self.closes_at)

    def key_matches(self, key: str) -> bool:
        # Constant time, so response timing tells nothing about the key.
        return hmac.compare_digest(hash_upload_key(key), self.upload_key_sha256)
