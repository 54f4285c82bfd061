"""Quota store on Django's database (SQLite locally, PostgreSQL on AWS)."""

from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import F, Q, QuerySet, Value
from django.db.models.functions import Coalesce

from uploads.models import DeviceQuota, UploadClaim
from uploads.ports import (
    Claim,
    ClaimLost,
    ClaimPending,
    DeviceUsage,
    LimitReached,
    Reservation,
    UploadInProgress,
)


def _usage(row: DeviceQuota) -> DeviceUsage:
    return DeviceUsage(row.device_id, row.count, row.limit_override, row.last_upload_at)


class SqlQuotaStore:
    def reserve(self, claim: Claim, event_limit: int) -> Reservation:
        with transaction.atomic():
            if self._new_claim(claim):
                return self._spend_slot(claim, event_limit)
            existing = self._claims(claim).get()
            if not existing.key:
                raise ClaimPending(_held(existing))
            return self._reservation(claim, event_limit, stored_key=existing.key)

    def take_over(self, held: Claim, claim: Claim, event_limit: int) -> Reservation:
        # Conditional, so of two retries racing for a dead request's claim only one takes it.
        taken = self._claims(held).filter(token=held.token, key="", claimed_at=held.at)
        if not taken.update(claimed_at=claim.at, token=claim.token, target_key=claim.key, guest_name=claim.guest_name):
            raise UploadInProgress()
        return self._reservation(claim, event_limit)

    def _reservation(self, claim: Claim, event_limit: int, stored_key: str | None = None) -> Reservation:
        usage = self.usage(claim.event, claim.device)
        return Reservation(claim, usage.count, usage.limit(event_limit), stored_key)

    def _new_claim(self, claim: Claim) -> bool:
        try:
            with transaction.atomic():
                UploadClaim.objects.create(
                    event_slug=claim.event,
                    device_id=claim.device,
                    fingerprint=claim.fingerprint,
                    claimed_at=claim.at,
                    token=claim.token,
                    target_key=claim.key,
                    guest_name=claim.guest_name,
                )
        except IntegrityError:
            return False
        return True

    def _spend_slot(self, claim: Claim, event_limit: int) -> Reservation:
        DeviceQuota.objects.bulk_create(
            [DeviceQuota(event_slug=claim.event, device_id=claim.device)], ignore_conflicts=True
        )
        # One conditional UPDATE: the database, not this process, decides whether a slot is left.
        spent = DeviceQuota.objects.filter(
            Q(count__lt=Coalesce(F("limit_override"), Value(event_limit))),
            event_slug=claim.event,
            device_id=claim.device,
        ).update(count=F("count") + 1, last_upload_at=claim.at)
        row = self._row(claim.event, claim.device)
        limit = _usage(row).limit(event_limit)
        if not spent:
            # Raising inside the atomic block also rolls back the claim just made.
            raise LimitReached(row.count, limit)
        return Reservation(claim, row.count, limit)

    def complete(self, claim: Claim, key: str) -> None:
        mine = self._claims(claim).filter(Q(key="") | Q(key=key), token=claim.token)
        if not mine.update(key=key):
            raise ClaimLost()

    def release(self, claim: Claim) -> None:
        self._forget(self._claims(claim).filter(token=claim.token), claim.event, claim.device)

    def release_pending(self, claim: Claim) -> None:
        self._forget(self._claims(claim).filter(token=claim.token, key=""), claim.event, claim.device)

    def pending_claims(self, event: str, older_than: datetime) -> list[Claim]:
        rows = UploadClaim.objects.filter(event_slug=event, key="", claimed_at__lt=older_than)
        return [_held(row) for row in rows]

    def purge_event(self, event: str) -> None:
        with transaction.atomic():
            UploadClaim.objects.filter(event_slug=event).delete()
            DeviceQuota.objects.filter(event_slug=event).delete()

    def refund(self, event: str, device: str, fingerprint: str) -> None:
        claims = UploadClaim.objects.filter(event_slug=event, device_id=device, fingerprint=fingerprint)
        self._forget(claims, event, device)

    @staticmethod
    def _forget(claims: QuerySet[UploadClaim], event: str, device: str) -> None:
        """Delete the claim and, if there was one, give its slot back: both or neither."""
        with transaction.atomic():
            if claims.delete()[0]:
                DeviceQuota.objects.filter(event_slug=event, device_id=device, count__gt=0).update(count=F("count") - 1)

    def usage(self, event: str, device: str) -> DeviceUsage:
        row = DeviceQuota.objects.filter(event_slug=event, device_id=device).first()
        return _usage(row) if row else DeviceUsage(device, 0, None, None)

    def reset(self, event: str, device: str) -> None:
        DeviceQuota.objects.filter(event_slug=event, device_id=device).update(count=0)

    def set_device_limit(self, event: str, device: str, limit: int | None) -> None:
        DeviceQuota.objects.update_or_create(event_slug=event, device_id=device, defaults={"limit_override": limit})

    def devices(self, event: str) -> list[DeviceUsage]:
        rows = DeviceQuota.objects.filter(event_slug=event).order_by(F("last_upload_at").desc(nulls_last=True))
        return [_usage(row) for row in rows]

    @staticmethod
    def _row(event: str, device: str) -> DeviceQuota:
        return DeviceQuota.objects.get(event_slug=event, device_id=device)

    @staticmethod
    def _claims(claim: Claim) -> QuerySet[UploadClaim]:
        return UploadClaim.objects.filter(event_slug=claim.event, device_id=claim.device, fingerprint=claim.fingerprint)


def _held(row: UploadClaim) -> Claim:
    return Claim(
        row.event_slug, row.device_id, row.fingerprint, row.claimed_at, row.token, row.target_key, row.guest_name
    )
