"""The QuotaStore contract: every adapter's test module subclasses this and provides `store`.

Nothing here knows which store it is talking to.
"""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from uploads.policy import Limits
from uploads.ports import (
    CLAIM_TTL,
    Claim,
    ClaimLost,
    ClaimPending,
    EventFull,
    EventUsage,
    LimitReached,
    UploadInProgress,
)

EVENT = "ana-ben"
OTHER_EVENT = "office-party"
PHONE = "6f1c1e0a-1b8e-4d84-9d8a-2f1f3f3c0001"
OTHER_PHONE = "6f1c1e0a-1b8e-4d84-9d8a-2f1f3f3c0002"
T0 = datetime(2026, 6, 20, 18, 0, tzinfo=UTC)
SIZE = 1_000


def claim(
    n: int, *, event: str = EVENT, device: str = PHONE, at: datetime = T0, token: str = "first", size: int = SIZE
) -> Claim:
    key = f"{event}/Carla/{token}-{n}.jpg"
    return Claim(event, device, f"{n:064x}", at, token, key=key, guest_name="Carla", size=size)


def limits(device: int, *, photos: int = 1_000, size: int = 1_000 * SIZE) -> Limits:
    """The device's limit, and event caps the tests reach only when they say so."""
    return Limits(device, photos, size)


def fill(store, count: int, *, event: str = EVENT, device: str = PHONE, limit: int = 10) -> None:
    for n in range(count):
        photo = claim(n, event=event, device=device)
        store.reserve(photo, limits(limit))
        store.complete(photo, f"{event}/k{n}")


class DeviceQuotaContract:
    """Every store keeps each device within its limit and spends nothing twice for one photo."""

    def test_first_reservation_counts_one(self, store):
        reservation = store.reserve(claim(1), limits(10))
        assert (reservation.count, reservation.limit, reservation.stored_key) == (1, 10, None)

    def test_an_unseen_device_has_used_nothing(self, store):
        usage = store.usage(EVENT, PHONE)
        assert (usage.count, usage.limit_override) == (0, None)

    def test_it_stops_exactly_at_the_limit(self, store):
        fill(store, 3, limit=3)
        with pytest.raises(LimitReached) as raised:
            store.reserve(claim(99), limits(3))
        assert (raised.value.count, raised.value.limit) == (3, 3)
        assert store.usage(EVENT, PHONE).count == 3

    def test_a_refused_reservation_leaves_no_claim_behind(self, store):
        fill(store, 1, limit=1)
        with pytest.raises(LimitReached):
            store.reserve(claim(5), limits(1))
        store.reset(EVENT, PHONE)
        assert store.reserve(claim(5), limits(1)).count == 1

    def test_devices_and_events_have_separate_counters(self, store):
        fill(store, 2, limit=2)
        assert store.reserve(claim(1, device=OTHER_PHONE), limits(2)).count == 1
        assert store.reserve(claim(1, event=OTHER_EVENT), limits(2)).count == 1

    def test_a_device_override_above_the_event_limit_allows_more(self, store):
        fill(store, 2, limit=2)
        store.set_device_limit(EVENT, PHONE, 4)
        assert store.reserve(claim(50), limits(2)).count == 3
        assert store.reserve(claim(51), limits(2)).limit == 4

    def test_a_device_override_below_the_event_limit_allows_less(self, store):
        store.set_device_limit(EVENT, PHONE, 1)
        fill(store, 1)
        with pytest.raises(LimitReached) as raised:
            store.reserve(claim(50), limits(10))
        assert raised.value.limit == 1

    def test_clearing_the_override_restores_the_event_limit(self, store):
        store.set_device_limit(EVENT, PHONE, 1)
        store.set_device_limit(EVENT, PHONE, None)
        fill(store, 2, limit=2)
        assert store.usage(EVENT, PHONE).limit_override is None

    def test_release_gives_the_slot_back(self, store):
        fill(store, 2, limit=3)
        store.release(store.reserve(claim(7), limits(3)).claim)
        assert store.usage(EVENT, PHONE).count == 2
        assert store.reserve(claim(7), limits(3)).count == 3

    def test_releasing_after_a_reset_still_forgets_the_claim(self, store):
        store.reserve(claim(7), limits(3))
        store.reset(EVENT, PHONE)
        store.release(claim(7))
        assert store.reserve(claim(7), limits(3)).count == 1

    def test_resetting_a_device_the_event_never_saw_creates_nothing(self, store):
        store.reset(EVENT, PHONE)
        assert store.devices_page(EVENT).devices == []

    def test_reset_starts_the_device_again_and_keeps_its_override(self, store):
        store.set_device_limit(EVENT, PHONE, 2)
        fill(store, 2)
        store.reset(EVENT, PHONE)
        usage = store.usage(EVENT, PHONE)
        assert (usage.count, usage.limit_override) == (0, 2)
        assert store.reserve(claim(40), limits(10)).count == 1

    def test_the_same_photo_again_returns_its_key_without_spending_a_slot(self, store):
        store.reserve(claim(1), limits(3))
        store.complete(claim(1), "ana-ben/first.jpg")
        again = store.reserve(claim(1, at=T0 + timedelta(seconds=5)), limits(3))
        assert (again.count, again.stored_key) == (1, "ana-ben/first.jpg")

    def test_the_same_photo_at_the_limit_still_returns_its_key(self, store):
        fill(store, 2, limit=2)
        again = store.reserve(claim(1), limits(2))
        assert (again.count, again.stored_key) == (2, "ana-ben/k1")

    def test_the_same_photo_still_unfinished_is_handed_back_with_its_target(self, store):
        store.reserve(claim(1), limits(3))
        with pytest.raises(ClaimPending) as pending:
            store.reserve(claim(1, at=T0 + timedelta(seconds=30), token="retry"), limits(3))
        assert pending.value.held == claim(1)
        assert store.usage(EVENT, PHONE).count == 1

    def test_a_retry_takes_over_an_unfinished_claim_with_the_slot_it_holds(self, store):
        store.reserve(claim(1), limits(3))
        retry = claim(1, at=T0 + CLAIM_TTL + timedelta(seconds=1), token="retry")
        taken = store.take_over(claim(1), retry, limits(3))
        assert (taken.count, taken.limit, taken.stored_key) == (1, 3, None)
        with pytest.raises(ClaimPending) as pending:
            store.reserve(claim(1, token="third"), limits(3))
        assert pending.value.held == retry
        assert store.usage(EVENT, PHONE).count == 1

    def test_of_two_retries_only_one_takes_the_claim_over(self, store):
        store.reserve(claim(1), limits(3))
        store.take_over(claim(1), claim(1, token="retry"), limits(3))
        with pytest.raises(UploadInProgress):
            store.take_over(claim(1), claim(1, token="other"), limits(3))

    def test_a_finished_claim_cannot_be_taken_over(self, store):
        store.reserve(claim(1), limits(3))
        store.complete(claim(1), "ana-ben/first.jpg")
        with pytest.raises(UploadInProgress):
            store.take_over(claim(1), claim(1, token="retry"), limits(3))

    def test_the_request_that_lost_its_claim_can_neither_complete_nor_release_it(self, store):
        store.reserve(claim(1), limits(3))
        retry = claim(1, at=T0 + CLAIM_TTL + timedelta(seconds=1), token="retry")
        store.take_over(claim(1), retry, limits(3))
        with pytest.raises(ClaimLost):
            store.complete(claim(1), "ana-ben/zombie.jpg")
        store.release(claim(1))
        assert store.usage(EVENT, PHONE).count == 1
        store.complete(retry, "ana-ben/retry.jpg")
        assert store.reserve(claim(1, token="third"), limits(3)).stored_key == "ana-ben/retry.jpg"

    def test_completing_twice_with_the_same_key_is_harmless(self, store):
        store.reserve(claim(1), limits(3))
        store.complete(claim(1), "ana-ben/1.jpg")
        store.complete(claim(1), "ana-ben/1.jpg")
        with pytest.raises(ClaimLost):
            store.complete(claim(1), "ana-ben/other.jpg")
        assert store.reserve(claim(1, token="again"), limits(3)).stored_key == "ana-ben/1.jpg"

    def test_releasing_with_another_token_touches_nothing(self, store):
        store.reserve(claim(1), limits(3))
        store.release(claim(1, token="someone-else"))
        assert store.usage(EVENT, PHONE).count == 1
        with pytest.raises(ClaimPending):
            store.reserve(claim(1, token="someone-else"), limits(3))

    def test_unfinished_claims_older_than_a_moment_are_listed_with_their_target(self, store):
        store.reserve(claim(1), limits(3))
        fill(store, 1, device=OTHER_PHONE)
        store.reserve(claim(2, at=T0 + timedelta(minutes=5)), limits(3))
        store.reserve(claim(3, event=OTHER_EVENT), limits(3))
        assert store.pending_claims(EVENT, T0 + CLAIM_TTL + timedelta(minutes=1)) == [claim(1)]

    def test_an_unfinished_claim_is_not_listed_before_its_request_could_have_died(self, store):
        store.reserve(claim(1), limits(3))
        assert store.pending_claims(EVENT, T0 + CLAIM_TTL - timedelta(seconds=1)) == []

    def test_a_direct_claim_is_listed_once_its_own_expiry_passed_not_before(self, store):
        direct = replace(claim(1), expires_at=T0 + timedelta(minutes=16))
        store.reserve(direct, limits(3))
        assert store.pending_claims(EVENT, T0 + timedelta(minutes=15)) == []
        assert store.pending_claims(EVENT, T0 + timedelta(minutes=17)) == [direct]

    def test_a_direct_claim_with_a_short_life_is_listed_before_claim_ttl(self, store):
        direct = replace(claim(1), expires_at=T0 + timedelta(seconds=5))
        store.reserve(direct, limits(3))
        assert store.pending_claims(EVENT, T0 + timedelta(seconds=6)) == [direct]

    def test_expired_claims_of_one_device_are_listed_without_the_others(self, store):
        expiry = T0 + timedelta(seconds=5)
        mine = replace(claim(1), expires_at=expiry)
        store.reserve(mine, limits(3))
        store.reserve(replace(claim(2, device=OTHER_PHONE), expires_at=expiry), limits(3))
        assert store.pending_claims(EVENT, T0 + timedelta(minutes=1), device=PHONE) == [mine]

    def test_a_completed_direct_claim_is_never_listed(self, store):
        direct = replace(claim(1), expires_at=T0 + timedelta(seconds=5))
        store.reserve(direct, limits(3))
        store.complete(direct, "ana-ben/1.mp4")
        assert store.pending_claims(EVENT, T0 + timedelta(minutes=1)) == []

    def test_a_take_over_carries_the_new_claims_expiry(self, store):
        store.reserve(claim(1), limits(3))
        retry = replace(claim(1, token="retry", at=T0 + CLAIM_TTL), expires_at=T0 + timedelta(hours=1))
        store.take_over(claim(1), retry, limits(3))
        assert store.pending_claims(EVENT, T0 + timedelta(minutes=30)) == []
        assert store.lookup(EVENT, PHONE, retry.fingerprint) == (retry, None)

    def test_a_lookup_finds_no_claim_where_none_was_made(self, store):
        assert store.lookup(EVENT, PHONE, claim(1).fingerprint) is None

    def test_a_lookup_finds_an_unfinished_claim_with_its_expiry_and_then_its_stored_key(self, store):
        direct = replace(claim(1), expires_at=T0 + timedelta(minutes=16))
        store.reserve(direct, limits(3))
        assert store.lookup(EVENT, PHONE, direct.fingerprint) == (direct, None)
        store.complete(direct, "ana-ben/1.jpg")
        assert store.lookup(EVENT, PHONE, direct.fingerprint) == (direct, "ana-ben/1.jpg")
        assert store.lookup(EVENT, OTHER_PHONE, direct.fingerprint) is None

    def test_releasing_a_pending_claim_spares_one_that_finished(self, store):
        fill(store, 1)
        store.release_pending(claim(0))
        store.reserve(claim(1), limits(3))
        store.release_pending(claim(1))
        assert store.usage(EVENT, PHONE).count == 1
        assert store.reserve(claim(0, token="again"), limits(3)).stored_key == "ana-ben/k0"
        assert store.reserve(claim(1, token="again"), limits(3)).stored_key is None

    def test_purging_an_event_forgets_its_counters_limits_and_claims(self, store):
        fill(store, 2)
        store.set_device_limit(EVENT, OTHER_PHONE, 5)
        fill(store, 1, event=OTHER_EVENT)
        store.purge_event(EVENT)
        assert store.devices_page(EVENT).devices == []
        assert store.reserve(claim(1), limits(3)).stored_key is None
        assert store.usage(OTHER_EVENT, PHONE).count == 1

    def test_releasing_a_reservation_that_never_happened_changes_nothing(self, store):
        fill(store, 2)
        store.release(claim(99))
        assert store.usage(EVENT, PHONE).count == 2

    def test_releasing_a_completed_claim_gives_its_slot_back(self, store):
        store.reserve(claim(1), limits(3))
        store.complete(claim(1), "ana-ben/1.jpg")
        store.release(claim(1))
        assert store.usage(EVENT, PHONE).count == 0

    def test_a_refund_forgets_a_stored_photo_and_gives_its_slot_back(self, store):
        fill(store, 2)
        store.refund(EVENT, PHONE, claim(1).fingerprint)
        assert store.usage(EVENT, PHONE).count == 1
        assert store.reserve(claim(1, token="again"), limits(3)).stored_key is None

    def test_devices_lists_each_device_of_one_event(self, store):
        fill(store, 2)
        fill(store, 1, device=OTHER_PHONE)
        fill(store, 1, event=OTHER_EVENT)
        counts = {usage.device: usage.count for usage in store.devices_page(EVENT).devices}
        assert counts == {PHONE: 2, OTHER_PHONE: 1}
        assert (store.device_count(EVENT), store.device_count("no-such-event")) == (2, 0)

    def test_a_device_with_only_an_override_is_listed(self, store):
        store.set_device_limit(EVENT, PHONE, 15)
        [usage] = store.devices_page(EVENT).devices
        assert (usage.device, usage.count, usage.limit_override) == (PHONE, 0, 15)

    def test_250_devices_come_in_3_pages_of_at_most_100_in_device_order(self, store):
        # Created out of order, with claims in the same partition: pages hold devices only, sorted.
        phones = [f"00000000-0000-4000-8000-{n:012d}" for n in range(250)]
        for phone in reversed(phones):
            store.set_device_limit(EVENT, phone, None)
        fill(store, 1, device=phones[7])
        first = store.devices_page(EVENT)
        second = store.devices_page(EVENT, after=first.next)
        third = store.devices_page(EVENT, after=second.next)
        assert [len(page.devices) for page in (first, second, third)] == [100, 100, 50]
        assert [u.device for page in (first, second, third) for u in page.devices] == phones
        assert (first.previous, third.next) == (None, None)
        assert store.device_count(EVENT) == 250

    def test_stepping_back_gives_the_same_pages(self, store):
        phones = [f"00000000-0000-4000-8000-{n:012d}" for n in range(7)]
        for phone in phones:
            store.set_device_limit(EVENT, phone, None)
        pages = [store.devices_page(EVENT, size=3)]
        while pages[-1].next:
            pages.append(store.devices_page(EVENT, after=pages[-1].next, size=3))
        back = [pages[-1]]
        while back[-1].previous:
            back.append(store.devices_page(EVENT, before=back[-1].previous, size=3))
        assert [p.devices for p in reversed(back)] == [p.devices for p in pages]
        assert [[u.device for u in p.devices] for p in pages] == [phones[0:3], phones[3:6], phones[6:]]
        assert [p.next for p in reversed(back)] == [p.next for p in pages]


def phones(n: int) -> list[str]:
    """Device ids as a client minting them would send: a new one for every photo."""
    return [f"6f1c1e0a-1b8e-4d84-9d8a-{k:012x}" for k in range(100, 100 + n)]


class EventCapsContract:
    """Every store keeps an event within its caps on photos and bytes, whatever device ids arrive."""

    def test_an_event_takes_no_more_photos_than_its_cap_from_any_number_of_devices(self, store):
        for n, phone in enumerate(phones(3)):
            store.reserve(claim(n, device=phone), limits(3, photos=3))
        with pytest.raises(EventFull):
            store.reserve(claim(9, device=phones(4)[3]), limits(3, photos=3))
        assert store.event_usage(EVENT) == EventUsage(3, 3 * SIZE)
        assert store.devices_page(EVENT).devices[0].count == 1 and len(store.devices_page(EVENT).devices) == 3

    def test_an_event_takes_no_more_bytes_than_its_cap(self, store):
        store.reserve(claim(1, size=600), limits(3, size=1_000))
        with pytest.raises(EventFull):
            store.reserve(claim(2, size=401), limits(3, size=1_000))
        assert store.reserve(claim(3, size=400), limits(3, size=1_000)).count == 2
        assert store.event_usage(EVENT) == EventUsage(2, 1_000)

    def test_a_photo_larger_than_the_whole_byte_cap_is_refused_on_an_empty_event(self, store):
        with pytest.raises(EventFull):
            store.reserve(claim(1, size=1_001), limits(3, size=1_000))
        assert store.event_usage(EVENT) == EventUsage()
        assert store.devices_page(EVENT).devices == []

    def test_a_full_event_leaves_no_claim_and_spends_no_slot(self, store):
        store.reserve(claim(1, device=OTHER_PHONE), limits(3, photos=1))
        with pytest.raises(EventFull):
            store.reserve(claim(2), limits(3, photos=1))
        assert store.usage(EVENT, PHONE).count == 0
        assert store.reserve(claim(2), limits(3, photos=2)).stored_key is None

    def test_the_device_limit_is_checked_before_the_event_has_room(self, store):
        fill(store, 2, limit=2)
        with pytest.raises(LimitReached):
            store.reserve(claim(5), limits(2, photos=2))
        assert store.event_usage(EVENT) == EventUsage(2, 2 * SIZE)

    def test_a_duplicate_resend_costs_nothing_even_on_a_full_event(self, store):
        fill(store, 2, limit=3)
        again = store.reserve(claim(1, token="again"), limits(3, photos=2))
        assert again.stored_key == f"{EVENT}/k1"
        assert store.event_usage(EVENT) == EventUsage(2, 2 * SIZE)

    def test_release_and_release_pending_give_the_photo_and_its_bytes_back(self, store):
        store.reserve(claim(1, size=300), limits(3))
        store.reserve(claim(2, size=500), limits(3))
        store.release(claim(1, size=300))
        store.release_pending(claim(2))
        assert store.event_usage(EVENT) == EventUsage(0, 0)
        store.release(claim(1, size=300))
        assert store.event_usage(EVENT) == EventUsage(0, 0)

    def test_a_refund_gives_the_photo_and_its_bytes_back_once(self, store):
        fill(store, 2)
        store.refund(EVENT, PHONE, claim(1).fingerprint)
        store.refund(EVENT, PHONE, claim(1).fingerprint)
        assert store.event_usage(EVENT) == EventUsage(1, SIZE)

    def test_a_removed_photo_gives_its_usage_back_once_and_stays_already_uploaded(self, store):
        fill(store, 2)
        store.give_back(EVENT, PHONE, claim(1).fingerprint)
        store.give_back(EVENT, PHONE, claim(1).fingerprint)
        assert store.event_usage(EVENT) == EventUsage(1, SIZE)
        assert store.reserve(claim(1, token="again"), limits(3)).stored_key == f"{EVENT}/k1"
        assert store.usage(EVENT, PHONE).count == 2

    def test_refunding_a_photo_whose_usage_was_given_back_gives_only_the_slot(self, store):
        fill(store, 2)
        store.give_back(EVENT, PHONE, claim(1).fingerprint)
        store.refund(EVENT, PHONE, claim(1).fingerprint)
        assert store.event_usage(EVENT) == EventUsage(1, SIZE)
        assert store.usage(EVENT, PHONE).count == 1

    def test_a_taken_over_claim_keeps_the_usage_it_held(self, store):
        store.reserve(claim(1), limits(3))
        retry = claim(1, at=T0 + CLAIM_TTL + timedelta(seconds=1), token="retry")
        taken = store.take_over(claim(1), retry, limits(3, photos=1))
        assert store.event_usage(EVENT) == EventUsage(1, SIZE)
        store.release(taken.claim)
        assert store.event_usage(EVENT) == EventUsage(0, 0)

    def test_resetting_a_device_leaves_the_event_usage_as_it_is(self, store):
        fill(store, 2)
        store.reset(EVENT, PHONE)
        assert store.event_usage(EVENT) == EventUsage(2, 2 * SIZE)

    def test_purging_an_event_empties_its_usage_and_spares_other_events(self, store):
        fill(store, 2)
        fill(store, 1, event=OTHER_EVENT)
        store.purge_event(EVENT)
        assert store.event_usage(EVENT) == EventUsage()
        assert store.event_usage(OTHER_EVENT) == EventUsage(1, SIZE)


class ReconciliationContract:
    """What events/reconcile.py reads to check an event's counters, and writes to repair them."""

    def test_claims_lists_every_claim_of_the_event_with_its_state(self, store):
        fill(store, 2)
        store.reserve(claim(5, device=OTHER_PHONE), limits(3))
        store.give_back(EVENT, PHONE, claim(1).fingerprint)
        fill(store, 1, event=OTHER_EVENT)
        held = {
            (h.claim.device, h.claim.fingerprint): (h.stored_key, h.holds_usage, h.claim.size)
            for h in store.claims(EVENT)
        }
        assert held == {
            (PHONE, claim(0).fingerprint): (f"{EVENT}/k0", True, SIZE),
            (PHONE, claim(1).fingerprint): (f"{EVENT}/k1", False, 0),
            (OTHER_PHONE, claim(5).fingerprint): (None, True, SIZE),
        }

    def test_an_event_without_claims_lists_none(self, store):
        assert store.claims(EVENT) == []

    def test_set_count_changes_a_seen_device_and_keeps_its_override(self, store):
        fill(store, 3)
        store.set_device_limit(EVENT, PHONE, 7)
        store.set_count(EVENT, PHONE, 1)
        assert (store.usage(EVENT, PHONE).count, store.usage(EVENT, PHONE).limit_override) == (1, 7)

    def test_set_count_never_creates_a_device(self, store):
        store.set_count(EVENT, PHONE, 2)
        assert store.device_count(EVENT) == 0

    def test_set_event_usage_replaces_what_the_event_holds(self, store):
        fill(store, 2)
        store.set_event_usage(EVENT, EventUsage(5, 7))
        assert store.event_usage(EVENT) == EventUsage(5, 7)
        store.set_event_usage(OTHER_EVENT, EventUsage(1, 2))
        assert store.event_usage(OTHER_EVENT) == EventUsage(1, 2)


class QuotaStoreContract(DeviceQuotaContract, EventCapsContract, ReconciliationContract):
    """The whole contract, which every store's test module subclasses."""
