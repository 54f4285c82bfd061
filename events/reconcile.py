"""Reconciliation: what the dashboard's database says against what the stores hold, event by event.
`manage.py reconcile` reports each difference (drift) and, with --fix, repairs it; on AWS a daily
schedule reports without repairing (zappa_settings.json `events`).

The checks, in the order they run (each repair lands before the next check reads):
- policy: the guest path's copy of the event's policy (DynamoDB on AWS) is the row's. Locally the
  guest path reads the row itself, so there is nothing to compare.
- object without record: a photo in the event's folder the gallery does not list (an S3 event that
  never arrived). Repaired by indexing it through the recorder, approved as the event's moderation says.
- record without object: a gallery entry whose photo is gone. Repaired by removing it as the organizer
  would (photo_delete, keeping its claim), so the event gets its usage back.
- counter above its claims: a device charged more photos than it has claims, so it is refused slots it
  never used. Repaired by setting the count to its claims. A count below them is what a reset leaves.
- usage: the event's photos and bytes against its caps differ from what its claims hold.
Thumbnails, ZIP exports and staged uploads have lifecycles of their own and are not looked at.
"""

import logging
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, fields

from events.models import Event, Photo
from events.recorder import photo_record
from events.selectors import event_policy
from events.services import photo_delete, photo_thumbnail_ensure
from photoshare_site import wiring
from uploads.ports import Claim, DeviceUsage, EventUsage, HeldClaim, PolicySource, QuotaStore

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Drift:
    """One difference found: `kind` names the check, `detail` says it in words; `repair` undoes it."""

    event: str
    kind: str
    detail: str
    repair: Callable[[], object] = field(compare=False, repr=False)

    def __str__(self) -> str:
        return f"{self.event}: {self.kind}: {self.detail}"


@dataclass
class Reconciliation:
    events: int = 0
    found: list[Drift] = field(default_factory=list)
    # The drifts whose repair raised: still there, the next run finds them again.
    unrepaired: list[Drift] = field(default_factory=list)
    compared_policies: bool = False

    def kinds(self) -> Counter[str]:
        return Counter(drift.kind for drift in self.found)

    def summary(self, *, fixed: bool) -> str:
        policies = "policies compared" if self.compared_policies else "policies not compared: guests read the database"
        checked = f"{self.events} event{'s' * (self.events != 1)} checked ({policies})"
        if not self.found:
            return f"No drift: {checked}."
        kinds = ", ".join(f"{count} {kind}" for kind, count in sorted(self.kinds().items()))
        if not fixed:
            return f"Drift in {checked}: {kinds}. Run with --fix to repair it."
        repaired = len(self.found) - len(self.unrepaired)
        return f"Drift in {checked}: {kinds}. {repaired} repaired, {len(self.unrepaired)} not."


def reconcile(*, fix: bool, report: Callable[[Drift, str], None] = lambda drift, outcome: None) -> Reconciliation:
    """Check every event; with `fix`, repair each drift as it is found. `report` hears each drift with
    what became of it ("found", "repaired" or "not repaired: <error>")."""
    mirrored = wiring.mirrored_policies()
    done = Reconciliation(compared_policies=mirrored is not None)
    for event in Event.objects.order_by("pk"):
        done.events += 1
        for check in _checks(mirrored):
            for drift in check(event):
                done.found.append(drift)
                report(drift, _repair(drift, done) if fix else "found")
    return done


def _repair(drift: Drift, done: Reconciliation) -> str:
    try:
        drift.repair()
    except Exception as error:
        # One drift the stores cannot repair now must not stop the others'.
        log.exception("could not repair %s", drift)
        done.unrepaired.append(drift)
        return f"not repaired: {type(error).__name__}"
    return "repaired"


def _checks(mirrored: PolicySource | None) -> list[Callable[[Event], Iterator[Drift]]]:
    quota = wiring.quota_store()
    checks = [_stored_photos, lambda event: _counters(event, quota)]
    return ([lambda event: _policy(event, mirrored)] if mirrored else []) + checks


def _policy(event: Event, mirrored: PolicySource) -> Iterator[Drift]:
    wanted, found = event_policy(event), mirrored.get(event.slug)
    if found == wanted:
        return
    if found is None:
        detail = "the guest path has no copy of its policy"
    else:
        # Field names only: the upload key's hash is no business of a log.
        differ = [f.name for f in fields(wanted) if getattr(found, f.name) != getattr(wanted, f.name)]
        detail = f"the guest path's copy of its policy differs in {', '.join(differ)}"
    yield Drift(event.slug, "policy", detail, lambda: wiring.policy_mirror().put_policy(wanted))


def _stored_photos(event: Event) -> Iterator[Drift]:
    stored = set(wiring.photo_store().keys(f"{event.slug}/"))
    records = {photo.key: photo for photo in Photo.objects.filter(event=event).select_related("event")}
    sent: dict[str, Claim] = {}
    if stored - records.keys():
        # Locally only a claim says who sent a file: by the key it was stored, or meant to be, under.
        sent = {held.stored_key or held.claim.key: held.claim for held in wiring.quota_store().claims(event.slug)}
    for key in sorted(stored - records.keys()):
        yield Drift(event.slug, "object without record", key, lambda key=key: _index(key, sent.get(key)))
    for key in sorted(records.keys() - stored):
        photo = records[key]
        yield Drift(
            event.slug, "record without object", key, lambda photo=photo: photo_delete(photo=photo, refund=False)
        )


def _index(key: str, claim: Claim | None) -> None:
    stored = wiring.stored_photo(key, claim)
    if stored is None:
        raise LookupError(f"no claim says who sent {key}")
    photo_thumbnail_ensure(photo=photo_record(stored=stored))


def _counters(event: Event, quota: QuotaStore) -> Iterator[Drift]:
    # Counters before claims: an upload reserving in between adds a claim, never a count, so it cannot
    # pass for a counter above its claims.
    devices, usage = list(_devices(quota, event.slug)), quota.event_usage(event.slug)
    claims = quota.claims(event.slug)
    per_device = Counter(held.claim.device for held in claims)
    for device in devices:
        held = per_device[device.device]
        if device.count > held:
            detail = f"device {device.device} counts {device.count} photos, its claims {held}"
            yield Drift(
                event.slug, "counter above its claims", detail, _set_count(quota, event.slug, device.device, held)
            )
    wanted = _usage(claims)
    if usage != wanted:
        detail = f"usage {usage.photos} photos / {usage.bytes} bytes, its claims hold {wanted.photos} / {wanted.bytes}"
        yield Drift(event.slug, "usage", detail, lambda: quota.set_event_usage(event.slug, wanted))


def _set_count(quota: QuotaStore, event: str, device: str, count: int) -> Callable[[], None]:
    return lambda: quota.set_count(event, device, count)


def _usage(claims: list[HeldClaim]) -> EventUsage:
    holding = [held.claim.size for held in claims if held.holds_usage]
    return EventUsage(len(holding), sum(holding))


def _devices(quota: QuotaStore, event: str) -> Iterator[DeviceUsage]:
    page = quota.devices_page(event)
    yield from page.devices
    while page.next is not None:
        page = quota.devices_page(event, after=page.next)
        yield from page.devices


def report_drift(event: dict, context: object = None) -> dict[str, int]:
    """The daily schedule on AWS: report, never repair (a repair is the operator's call, made with
    `manage.py reconcile --fix`); returns how many drifts of each kind."""
    done = reconcile(fix=False, report=lambda drift, outcome: log.warning("drift: %s", drift))
    log.info(done.summary(fixed=False))
    return dict(done.kinds())
