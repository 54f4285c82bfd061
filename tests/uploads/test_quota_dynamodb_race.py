"""The event cap on DynamoDB when reservations race: threads, each with its own client, send their
transactions at once to moto served over HTTP (moto's in-process mock is not thread-safe; the server
answers one request at a time, as one DynamoDB item serialises the writes it receives)."""

import threading
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import boto3
import pytest

from tests.aws import REGION, moto_endpoint
from uploads.aws.dynamodb import ATTRIBUTE_DEFINITIONS, KEY_SCHEMA, DynamoDBStore
from uploads.policy import Limits
from uploads.ports import Claim, EventFull, EventUsage

pytestmark = pytest.mark.one_database

TABLE = "RaceCounts"
EVENT = "race"
RACERS = 8
ATTEMPTS_EACH = 8
EVENT_CAP = 13
SIZE = 1_000


@pytest.fixture
def new_client():
    with moto_endpoint() as endpoint:

        def client():
            credentials = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
            return boto3.client("dynamodb", endpoint_url=endpoint, region_name=REGION, **credentials)

        client().create_table(
            TableName=TABLE,
            KeySchema=KEY_SCHEMA,
            AttributeDefinitions=ATTRIBUTE_DEFINITIONS,
            BillingMode="PAY_PER_REQUEST",
        )
        yield client


def test_threads_minting_a_device_id_per_photo_cannot_exceed_the_event_cap(new_client):
    limits = Limits(3, EVENT_CAP, 10**12)
    start = threading.Barrier(RACERS)

    def racer(n: int) -> Counter:
        store = DynamoDBStore(new_client(), TABLE)
        outcomes: Counter[str] = Counter()
        start.wait()
        for attempt in range(ATTEMPTS_EACH):
            # Every photo from a "new phone": only the event cap can stop it.
            device, fingerprint = str(uuid.uuid4()), f"{n:032x}{attempt:032x}"
            claim = Claim(EVENT, device, fingerprint, datetime.now(UTC), f"{n}-{attempt}", size=SIZE)
            try:
                store.reserve(claim, limits)
            except EventFull:
                outcomes["event_full"] += 1
            else:
                outcomes["accepted"] += 1
        return outcomes

    with ThreadPoolExecutor(RACERS) as pool:
        totals = sum(pool.map(racer, range(RACERS)), Counter())
    assert totals == Counter(accepted=EVENT_CAP, event_full=RACERS * ATTEMPTS_EACH - EVENT_CAP)
    assert DynamoDBStore(new_client(), TABLE).event_usage(EVENT) == EventUsage(EVENT_CAP, EVENT_CAP * SIZE)
