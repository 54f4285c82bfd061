"""What the upload core needs to know about an event, independent of where it is stored."""

import hashlib
import hmac
from dataclasses import dataclass


def hash_upload_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@dataclass(frozen=True)
class EventPolicy:
    slug: str
    name: str
    limit: int
    is_open: bool
    upload_key_sha256: str

    def key_matches(self, key: str) -> bool:
        # Constant time, so response timing tells nothing about the key.
        return hmac.compare_digest(hash_upload_key(key), self.upload_key_sha256)
