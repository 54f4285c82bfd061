"""Quota store and event-policy source on one DynamoDB table (PK EventName, SK DeviceID).

Items in an event's partition:
  <device uuid>                      counter: UploadCount, optional DeviceLimit, LastUploadAt
  #policy                            the event's policy, mirrored from the dashboard on every save
  #usage                             what the event holds against its caps: Photos, Bytes
  #claim#<device>#<sha256>           one photo a device sent: ClaimedAt, Token, TargetKey, GuestName,
                                     Bytes (what it holds in #usage, with one photo; absent once given back),
                                     StoredKey once stored, ExpiresAt for a direct upload's claim
Sort keys starting with "#" can never be a device id (a UUID), and sort below every one: a device
listing reads the key range above them.
"""

import random
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from uploads.policy import DEFAULT_MAX_VIDEO_BYTES, EventPolicy, Limits
from uploads.ports import (
    CLAIM_TTL,
    DEVICE_PAGE_SIZE,
    Claim,
    ClaimLost,
    ClaimPending,
    DevicePage,
    DeviceUsage,
    EventFull,
    EventUsage,
    HeldClaim,
    LimitReached,
    QuotaUnavailable,
    Reservation,
    UploadInProgress,
)

# A DynamoDB item or key in the low-level client's form: {"Name": {"S": "value"}, ...}.
Item = dict[str, Any]

KEY_SCHEMA = [
    {"AttributeName": "EventName", "KeyType": "HASH"},
    {"AttributeName": "DeviceID", "KeyType": "RANGE"},
]
ATTRIBUTE_DEFINITIONS = [
    {"AttributeName": "EventName", "AttributeType": "S"},
    {"AttributeName": "DeviceID", "AttributeType": "S"},
]
POLICY_KEY = "#policy"
USAGE_KEY = "#usage"
CLAIM_PREFIX = "#claim#"
# Every reserved sort key starts with "#", which sorts below "$", and every device id (a UUID) above
# it: a key condition from here reads devices only, so a Limit counts devices only.
DEVICES_FROM = "$"
_DEVICES = "EventName = :event AND DeviceID > :from"
# Errors that mean "busy or away, try later"; state is unchanged when they are raised.
_TRANSIENT = {
    "ProvisionedThroughputExceededException",
    "ThrottlingException",
    "RequestLimitExceeded",
    "InternalServerError",
    "ServiceUnavailable",
    "TransactionConflictException",
    "ResourceNotFoundException",
}
_SPEND = (
    "attribute_not_exists(DeviceID)"
    " OR (attribute_not_exists(DeviceLimit) AND UploadCount < :max)"
    " OR UploadCount < DeviceLimit"
)
# Seconds (at most) before trying a reservation again that met another on the event's #usage item.
_CONFLICT_WAITS = (0.02, 0.06)
# `:room` is the byte cap less the photo's size: the sum is never computed in a condition.
_FILL = "Photos < :photos AND Bytes <= :room"


def _stamp(at: datetime) -> str:
    # Fixed-width UTC, so string comparison in a condition orders by time.
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _parse_stamp(stamp: str) -> datetime:
    return datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)


def _held(item: Item) -> Claim:
    """The claim an item records (sort key `#claim#<device>#<sha256>`)."""
    device, fingerprint = item["DeviceID"]["S"].removeprefix(CLAIM_PREFIX).split("#")
    return Claim(
        item["EventName"]["S"],
        device,
        fingerprint,
        _parse_stamp(item["ClaimedAt"]["S"]),
        item["Token"]["S"],
        key=item.get("TargetKey", {}).get("S", ""),
        guest_name=item.get("GuestName", {}).get("S", ""),
        size=_size(item) or 0,
        expires_at=_parse_stamp(item["ExpiresAt"]["S"]) if "ExpiresAt" in item else None,
    )


def _size(claim: Item) -> int | None:
    """The bytes a claim holds in the event's usage (with one photo); None when it holds nothing."""
    return int(claim["Bytes"]["N"]) if "Bytes" in claim else None


def _usage(device: str, item: Item | None) -> DeviceUsage:
    item = item or {}
    limit = item.get("DeviceLimit")
    last = item.get("LastUploadAt")
    return DeviceUsage(
        device=device,
        count=int(item.get("UploadCount", {"N": "0"})["N"]),
        limit_override=int(limit["N"]) if limit else None,
        last_upload_at=_parse_stamp(last["S"]) if last else None,
    )


def _code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


class _Conflict(QuotaUnavailable):
    """A transaction met another on one of its items and was cancelled: nothing was written."""


@contextmanager
def _transient_as_unavailable() -> Iterator[None]:
    try:
        yield
    except BotoCoreError:
        raise QuotaUnavailable() from None
    except ClientError as error:
        reasons = {r.get("Code") for r in error.response.get("CancellationReasons", [])}
        if "TransactionConflict" in reasons:
            raise _Conflict() from None
        if _code(error) in _TRANSIENT or "ThrottlingError" in reasons:
            raise QuotaUnavailable() from None
        raise


class DynamoDBStore:
    def __init__(self, client: Any, table: str):
        self.client = client
        self.table = table

    def _key(self, event: str, sort_key: str) -> Item:
        return {"EventName": {"S": event}, "DeviceID": {"S": sort_key}}

    def _claim_key(self, claim: Claim) -> Item:
        return self._key(claim.event, f"{CLAIM_PREFIX}{claim.device}#{claim.fingerprint}")

    def _get(self, key: Item) -> Item | None:
        with _transient_as_unavailable():
            item: Item | None = self.client.get_item(TableName=self.table, Key=key, ConsistentRead=True).get("Item")
            return item

    # --- QuotaStore -----------------------------------------------------------------------
    def reserve(self, claim: Claim, limits: Limits) -> Reservation:
        # Every reservation of an event writes its #usage item, and DynamoDB cancels a transaction that
        # meets another on an item instead of queueing it: at a rush, try again after a few milliseconds
        # (nothing was written) rather than send the guest a 503. Each attempt still fits the time budget.
        for wait in _CONFLICT_WAITS:
            try:
                return self._reserve_once(claim, limits)
            except _Conflict:
                time.sleep(random.uniform(wait / 2, wait))  # noqa: S311 (jitter, not a secret)
        return self._reserve_once(claim, limits)

    def _reserve_once(self, claim: Claim, limits: Limits) -> Reservation:
        try:
            with _transient_as_unavailable():
                counter = self._claim_and_spend(claim, limits)
        except ClientError as error:
            claim_failed, spend_failed, full = [r.get("Code") == "ConditionalCheckFailed" for r in _reasons(error)]
            if claim_failed:
                return self._existing_claim(claim, limits.device)
            if spend_failed:
                usage = self.usage(claim.event, claim.device)
                raise LimitReached(usage.count, usage.limit(limits.device)) from None
            if full:
                raise EventFull() from None
            raise
        usage = _usage(claim.device, counter)
        return Reservation(claim, usage.count, usage.limit(limits.device))

    def _claim_and_spend(self, claim: Claim, limits: Limits) -> Item:
        # One transaction: the claim exists exactly when its slot is spent and the event holds its
        # photo, so two identical requests racing spend one slot, and a refused one leaves nothing.
        self.client.transact_write_items(
            TransactItems=[
                {
                    "Put": {
                        "TableName": self.table,
                        "Item": self._claim_key(claim) | self._claim_fields(claim),
                        "ConditionExpression": "attribute_not_exists(DeviceID)",
                    }
                },
                {
                    "Update": {
                        "TableName": self.table,
                        "Key": self._key(claim.event, claim.device),
                        "UpdateExpression": "ADD UploadCount :one SET LastUploadAt = :at",
                        "ConditionExpression": _SPEND,
                        "ExpressionAttributeValues": {
                            ":one": {"N": "1"},
                            ":max": {"N": str(limits.device)},
                            ":at": {"S": _stamp(claim.at)},
                        },
                    }
                },
                {"Update": self._fill(claim, limits)},
            ]
        )
        # Transactions return no item; read our own write back for the new count.
        return self._get(self._key(claim.event, claim.device)) or {}

    def _fill(self, claim: Claim, limits: Limits) -> Item:
        """The event's usage grows by the photo while both caps hold: one item per event, so no two
        reservations can both take its last room."""
        condition = _FILL
        if limits.photos >= 1 and claim.size <= limits.bytes:
            # The event's first photo finds no item, which only a photo that fits the caps may create.
            condition = f"attribute_not_exists(Photos) OR ({_FILL})"
        return {
            "TableName": self.table,
            "Key": self._key(claim.event, USAGE_KEY),
            "UpdateExpression": "ADD Photos :one, Bytes :size",
            "ConditionExpression": condition,
            "ExpressionAttributeValues": {
                ":one": {"N": "1"},
                ":size": {"N": str(claim.size)},
                ":photos": {"N": str(limits.photos)},
                ":room": {"N": str(limits.bytes - claim.size)},
            },
        }

    @staticmethod
    def _claim_fields(claim: Claim) -> Item:
        expiry = {"ExpiresAt": {"S": _stamp(claim.expires_at)}} if claim.expires_at else {}
        return {
            "ClaimedAt": {"S": _stamp(claim.at)},
            "Token": {"S": claim.token},
            "TargetKey": {"S": claim.key},
            "GuestName": {"S": claim.guest_name},
            "Bytes": {"N": str(claim.size)},
        } | expiry

    def _existing_claim(self, claim: Claim, event_limit: int) -> Reservation:
        existing = self._get(self._claim_key(claim))
        if existing is None:
            # Released between our write and this read: its request is finishing; retry shortly.
            raise UploadInProgress()
        stored_key = existing.get("StoredKey", {}).get("S")
        if not stored_key:
            raise ClaimPending(_held(existing))
        usage = self.usage(claim.event, claim.device)
        return Reservation(claim, usage.count, usage.limit(event_limit), stored_key)

    def take_over(self, held: Claim, claim: Claim, limits: Limits) -> Reservation:
        fields = self._claim_fields(claim)
        update = "SET ClaimedAt = :at, #token = :new, TargetKey = :key, GuestName = :name"
        values = {":at": fields["ClaimedAt"], ":new": fields["Token"], ":key": fields["TargetKey"]}
        values |= {":name": fields["GuestName"]}
        if "ExpiresAt" in fields:
            update, values = f"{update}, ExpiresAt = :expires", values | {":expires": fields["ExpiresAt"]}
        else:
            update += " REMOVE ExpiresAt"
        if not self._update_claim(
            held, update=update, condition="#token = :token AND attribute_not_exists(StoredKey)", values=values
        ):
            raise UploadInProgress()
        usage = self.usage(claim.event, claim.device)
        # The claim keeps the size its usage holds, so whoever gives it back gives back what was added.
        return Reservation(replace(claim, size=held.size), usage.count, usage.limit(limits.device))

    def complete(self, claim: Claim, key: str) -> None:
        if not self._update_claim(
            claim,
            update="SET StoredKey = :key",
            condition="#token = :token AND (attribute_not_exists(StoredKey) OR StoredKey = :key)",
            values={":key": {"S": key}},
        ):
            raise ClaimLost()

    def _update_claim(self, claim: Claim, *, update: str, condition: str, values: Item) -> bool:
        """One conditional write to the claim item (`:token` is this claim's); False if the condition failed."""
        try:
            with _transient_as_unavailable():
                self.client.update_item(
                    TableName=self.table,
                    Key=self._claim_key(claim),
                    UpdateExpression=update,
                    ConditionExpression=condition,
                    ExpressionAttributeNames={"#token": "Token"},
                    ExpressionAttributeValues=values | {":token": {"S": claim.token}},
                )
        except ClientError as error:
            if _code(error) == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def release(self, claim: Claim) -> None:
        # The request's own claim, as it made it: no read first (the guest function's undo has one
        # DynamoDB attempt kept for it). If its size differs, nothing changes and the sweep settles it.
        self._forget(self._claim_key(claim), claim.event, claim.device, token=claim.token, size=claim.size)

    def release_pending(self, claim: Claim) -> None:
        self._forget_as_found(self._claim_key(claim), claim.event, claim.device, token=claim.token, pending=True)

    def refund(self, event: str, device: str, fingerprint: str) -> None:
        self._forget_as_found(self._key(event, f"{CLAIM_PREFIX}{device}#{fingerprint}"), event, device, token=None)

    def _forget_as_found(
        self, claim_key: Item, event: str, device: str, token: str | None, pending: bool = False
    ) -> None:
        """Forget the claim (held by `token`, or by anyone; only if unfinished when `pending`) as it is
        read; read again if it changed in between (say, its usage was given back meanwhile)."""
        for _ in range(3):
            item = self._get(claim_key)
            if item is None or (token and item["Token"]["S"] != token) or (pending and "StoredKey" in item):
                return
            if self._forget(claim_key, event, device, token=item["Token"]["S"], size=_size(item), pending=pending):
                return

    def _forget(
        self, claim_key: Item, event: str, device: str, *, token: str, size: int | None, pending: bool = False
    ) -> bool:
        """Delete the claim if it is still held by `token`, holding `size` bytes (None: nothing), and
        unfinished when `pending`; give its slot and its usage back with it, all or nothing. False
        when the claim is not so."""
        condition = "#token = :token AND " + ("Bytes = :size" if size is not None else "attribute_not_exists(Bytes)")
        values = {":token": {"S": token}} | ({":size": {"N": str(size)}} if size is not None else {})
        if pending:
            condition += " AND attribute_not_exists(StoredKey)"
        delete = {
            "TableName": self.table,
            "Key": claim_key,
            "ConditionExpression": condition,
            "ExpressionAttributeNames": {"#token": "Token"},
            "ExpressionAttributeValues": values,
        }
        usage = [self._usage_back(event, size)] if size is not None else []
        slot = {
            "Update": {
                "TableName": self.table,
                "Key": self._key(event, device),
                "UpdateExpression": "ADD UploadCount :minus",
                "ConditionExpression": "UploadCount > :zero",
                "ExpressionAttributeValues": {":minus": {"N": "-1"}, ":zero": {"N": "0"}},
            }
        }
        try:
            self._transact([{"Delete": delete}, slot, *usage])
        except ClientError as error:
            claim_changed, count_zero, *_ = [r.get("Code") == "ConditionalCheckFailed" for r in _reasons(error)]
            if claim_changed or not count_zero:
                return False
            # The count was reset meanwhile: no slot to give back, but the claim and its usage must go,
            # on the same condition.
            try:
                self._transact([{"Delete": delete}, *usage])
            except ClientError as error:
                _cancelled(error)
                return False
        return True

    def give_back(self, event: str, device: str, fingerprint: str) -> None:
        key = self._key(event, f"{CLAIM_PREFIX}{device}#{fingerprint}")
        item = self._get(key)
        size = _size(item) if item else None
        if size is None:
            return
        # On the condition that the claim still holds it: of two give-backs racing, one gives.
        forget_size = {
            "TableName": self.table,
            "Key": key,
            "UpdateExpression": "REMOVE Bytes",
            "ConditionExpression": "Bytes = :size",
            "ExpressionAttributeValues": {":size": {"N": str(size)}},
        }
        try:
            self._transact([{"Update": forget_size}, self._usage_back(event, size)])
        except ClientError as error:
            _cancelled(error)

    def _usage_back(self, event: str, size: int) -> Item:
        # Unconditional: the claim's own condition, in the same transaction, decides whether it runs.
        return {
            "Update": {
                "TableName": self.table,
                "Key": self._key(event, USAGE_KEY),
                "UpdateExpression": "ADD Photos :minus, Bytes :size",
                "ExpressionAttributeValues": {":minus": {"N": "-1"}, ":size": {"N": str(-size)}},
            }
        }

    def _transact(self, items: list[Item]) -> None:
        with _transient_as_unavailable():
            self.client.transact_write_items(TransactItems=items)

    def event_usage(self, event: str) -> EventUsage:
        item = self._get(self._key(event, USAGE_KEY)) or {}
        return EventUsage(int(item.get("Photos", {"N": "0"})["N"]), int(item.get("Bytes", {"N": "0"})["N"]))

    def usage(self, event: str, device: str) -> DeviceUsage:
        return _usage(device, self._get(self._key(event, device)))

    def reset(self, event: str, device: str) -> None:
        self.set_count(event, device, 0)

    def set_count(self, event: str, device: str, count: int) -> None:
        # Only a device the event has seen: setting an unknown one must not create it.
        try:
            with _transient_as_unavailable():
                self.client.update_item(
                    TableName=self.table,
                    Key=self._key(event, device),
                    UpdateExpression="SET UploadCount = :count",
                    ConditionExpression="attribute_exists(DeviceID)",
                    ExpressionAttributeValues={":count": {"N": str(count)}},
                )
        except ClientError as error:
            if _code(error) != "ConditionalCheckFailedException":
                raise

    def claims(self, event: str) -> list[HeldClaim]:
        items = self._query(
            "EventName = :event AND begins_with(DeviceID, :claims)",
            {":event": {"S": event}, ":claims": {"S": CLAIM_PREFIX}},
        )
        return [HeldClaim(_held(item), item.get("StoredKey", {}).get("S"), "Bytes" in item) for item in items]

    def set_event_usage(self, event: str, usage: EventUsage) -> None:
        with _transient_as_unavailable():
            self.client.put_item(
                TableName=self.table,
                Item=self._key(event, USAGE_KEY)
                | {"Photos": {"N": str(usage.photos)}, "Bytes": {"N": str(usage.bytes)}},
            )

    def set_device_limit(self, event: str, device: str, limit: int | None) -> None:
        if limit is None:
            expression, values = "SET UploadCount = if_not_exists(UploadCount, :zero) REMOVE DeviceLimit", {}
        else:
            expression = "SET UploadCount = if_not_exists(UploadCount, :zero), DeviceLimit = :limit"
            values = {":limit": {"N": str(limit)}}
        self._update_counter(event, device, expression, values | {":zero": {"N": "0"}})

    def _update_counter(self, event: str, device: str, expression: str, values: Item) -> None:
        with _transient_as_unavailable():
            self.client.update_item(
                TableName=self.table,
                Key=self._key(event, device),
                UpdateExpression=expression,
                ExpressionAttributeValues=values,
            )

    def devices_page(
        self, event: str, *, after: str | None = None, before: str | None = None, size: int = DEVICE_PAGE_SIZE
    ) -> DevicePage:
        # One Query of size + 1 items in sort-key order from the cursor: a page reads only its own items.
        cursor = before if before is not None else after
        options: Item = {"Limit": size + 1, "ScanIndexForward": before is None}
        # A cursor outside the devices' range (none a DevicePage gives) starts from that end instead.
        if cursor is not None and cursor > DEVICES_FROM:
            options["ExclusiveStartKey"] = self._key(event, cursor)
        with _transient_as_unavailable():
            items = self.client.query(
                TableName=self.table,
                KeyConditionExpression=_DEVICES,
                ExpressionAttributeValues=self._devices_of(event),
                ConsistentRead=True,
                **options,
            )["Items"]
        rows = [_usage(item["DeviceID"]["S"], item) for item in items]
        return DevicePage.read(rows, size, after=after, before=before)

    def device_count(self, event: str) -> int:
        pages = self.client.get_paginator("query").paginate(
            TableName=self.table,
            KeyConditionExpression=_DEVICES,
            ExpressionAttributeValues=self._devices_of(event),
            Select="COUNT",
        )
        with _transient_as_unavailable():
            return sum(page["Count"] for page in pages)

    @staticmethod
    def _devices_of(event: str) -> Item:
        return {":event": {"S": event}, ":from": {"S": DEVICES_FROM}}

    def pending_claims(self, event: str, now: datetime, device: str | None = None) -> list[Claim]:
        # Stamps are fixed-width UTC: string order is time order.
        prefix = CLAIM_PREFIX if device is None else f"{CLAIM_PREFIX}{device}#"
        cutoffs = {":cutoff": {"S": _stamp(now - CLAIM_TTL)}, ":now": {"S": _stamp(now)}}
        items = self._query(
            "EventName = :event AND begins_with(DeviceID, :claims)",
            {":event": {"S": event}, ":claims": {"S": prefix}} | cutoffs,
            FilterExpression="attribute_not_exists(StoredKey)"
            " AND ((attribute_not_exists(ExpiresAt) AND ClaimedAt < :cutoff) OR ExpiresAt < :now)",
        )
        return [_held(item) for item in items]

    def lookup(self, event: str, device: str, fingerprint: str) -> tuple[Claim, str | None] | None:
        item = self._get(self._key(event, f"{CLAIM_PREFIX}{device}#{fingerprint}"))
        return None if item is None else (_held(item), item.get("StoredKey", {}).get("S"))

    def purge_event(self, event: str) -> None:
        """Every item of the event's partition (counters, claims, usage, policy), 25 per batch."""
        keys = self._query("EventName = :event", {":event": {"S": event}}, ProjectionExpression="EventName, DeviceID")
        for start in range(0, len(keys), 25):
            requests = [{"DeleteRequest": {"Key": key}} for key in keys[start : start + 25]]
            while requests:
                with _transient_as_unavailable():
                    answer = self.client.batch_write_item(RequestItems={self.table: requests})
                # Throttled items come back unprocessed: send them again.
                requests = answer.get("UnprocessedItems", {}).get(self.table, [])

    def _query(self, condition: str, values: Item, **options: str) -> list[Item]:
        pages = self.client.get_paginator("query").paginate(
            TableName=self.table,
            KeyConditionExpression=condition,
            ExpressionAttributeValues=values,
            ConsistentRead=True,
            **options,
        )
        with _transient_as_unavailable():
            return [item for page in pages for item in page["Items"]]

    # --- event policy (PolicySource and its writer) ----------------------------------------
    def get(self, slug: str) -> EventPolicy | None:
        item = self._get(self._key(slug, POLICY_KEY))
        if item is None:
            return None
        return EventPolicy(
            slug=slug,
            name=item["Name"]["S"],
            limit=int(item["UploadLimit"]["N"]),
            is_open=item["IsOpen"]["BOOL"],
            upload_key_sha256=item["UploadKeySha256"]["S"],
            closes_at=datetime.fromisoformat(item["ClosesAt"]["S"]) if "ClosesAt" in item else None,
            keep_location=item.get("KeepLocation", {}).get("BOOL", False),
            max_photos=int(item["MaxPhotos"]["N"]) if "MaxPhotos" in item else None,
            max_bytes=int(item["MaxBytes"]["N"]) if "MaxBytes" in item else None,
            allow_videos=item.get("AllowVideos", {}).get("BOOL", True),
            max_video_bytes=int(item["MaxVideoBytes"]["N"]) if "MaxVideoBytes" in item else DEFAULT_MAX_VIDEO_BYTES,
            quality=item.get("Quality", {}).get("S", "original"),
            # Mirrored before events chose a language: each phone's own.
            language=item.get("Language", {}).get("S", ""),
        )

    def put_policy(self, policy: EventPolicy) -> None:
        with _transient_as_unavailable():
            self.client.put_item(
                TableName=self.table,
                Item=self._key(policy.slug, POLICY_KEY)
                | {
                    "Name": {"S": policy.name},
                    "UploadLimit": {"N": str(policy.limit)},
                    "IsOpen": {"BOOL": policy.is_open},
                    "UploadKeySha256": {"S": policy.upload_key_sha256},
                    "KeepLocation": {"BOOL": policy.keep_location},
                    "MaxPhotos": {"N": str(policy.limits.photos)},
                    "MaxBytes": {"N": str(policy.limits.bytes)},
                    "AllowVideos": {"BOOL": policy.allow_videos},
                    "MaxVideoBytes": {"N": str(policy.max_video_bytes)},
                    "Quality": {"S": policy.quality},
                    "Language": {"S": policy.language},
                }
                | ({"ClosesAt": {"S": policy.closes_at.isoformat()}} if policy.closes_at else {}),
            )

    def delete_policy(self, slug: str) -> None:
        with _transient_as_unavailable():
            self.client.delete_item(TableName=self.table, Key=self._key(slug, POLICY_KEY))


def _cancelled(error: ClientError) -> None:
    """A transaction's condition failed: nothing was written, and that is an answer. Raise anything else."""
    _reasons(error)


def _reasons(error: ClientError) -> list[Item]:
    if _code(error) != "TransactionCanceledException":
        raise error
    reasons: list[Item] = error.response.get("CancellationReasons", [])
    return reasons
