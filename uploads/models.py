"""Tables of the SQL quota store (uploads.stores.sql). Keyed by event slug, like DynamoDB's."""

from django.db import models


class DeviceQuota(models.Model):
    event_slug = models.CharField(max_length=50)
    device_id = models.CharField(max_length=36)
    count = models.PositiveIntegerField(default=0)
    limit_override = models.PositiveSmallIntegerField(null=True, blank=True)
    last_upload_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["event_slug", "device_id"], name="one_quota_per_device")]

    def __str__(self) -> str:
        return f"{self.event_slug}/{self.device_id}: {self.count}"


class UploadClaim(models.Model):
    """One photo (by content hash) a device sent to an event; `key` stays empty until it is stored."""

    event_slug = models.CharField(max_length=50)
    device_id = models.CharField(max_length=36)
    fingerprint = models.CharField(max_length=64)
    key = models.CharField(max_length=255, blank=True)
    claimed_at = models.DateTimeField()
    # The request holding the claim, where it will store the photo and who sent it (uploads.ports.Claim).
    token = models.CharField(max_length=32)
    target_key = models.CharField(max_length=255, blank=True)
    guest_name = models.CharField(max_length=80, blank=True)
    # Bytes the claim holds in its event's usage (with one photo); NULL holds nothing: a claim kept
    # after the organizer removed its photo and gave its usage back.
    size = models.PositiveIntegerField(null=True, blank=True)
    # A direct upload's claim is given up at this time (uploads.ports.Claim.expires_at); NULL: CLAIM_TTL
    # after `claimed_at`.
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["event_slug", "device_id", "fingerprint"], name="one_claim_per_photo")
        ]
        # The recovery pass looks for an event's unfinished claims.
        indexes = [models.Index(fields=["event_slug", "key", "claimed_at"], name="unfinished_claims")]

    def __str__(self) -> str:
        return f"{self.event_slug}/{self.device_id}/{self.fingerprint[:12]}"


class RateBucket(models.Model):
    """One client address's rate-limit buckets (uploads.ratelimit), shared by every server worker."""

    address = models.CharField(max_length=45, primary_key=True)
    uploads = models.FloatField()
    new_devices = models.FloatField()
    # Seconds since the epoch: the limiter's clock, which workers share.
    at = models.FloatField(db_index=True)

    def __str__(self) -> str:
        return f"{self.address}: {self.uploads:.0f} uploads, {self.new_devices:.0f} new devices"


class RateDevice(models.Model):
    """A device id a client address has used: it costs a new-device token once, not on every upload."""

    address = models.CharField(max_length=45)
    device_id = models.CharField(max_length=36)
    seen_at = models.FloatField(db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["address", "device_id"], name="one_rate_device_per_address")]

    def __str__(self) -> str:
        return f"{self.address}/{self.device_id}"


class EventQuota(models.Model):
    """What an event holds against its caps (uploads.ports.EventUsage): one row, changed in the same
    transaction as the claims and device counters it sums."""

    event_slug = models.CharField(max_length=50, primary_key=True)
    photos = models.PositiveIntegerField(default=0)
    bytes = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.event_slug}: {self.photos} photos, {self.bytes} bytes"
