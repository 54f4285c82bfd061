"""The guest function never outlives its AWS calls: an attempt that could not end before the function
does is not sent, and the time kept back always gives the slot back (uploads/aws/budget.py)."""

from types import SimpleNamespace

import pytest
from botocore.exceptions import ReadTimeoutError

from tests import guest_lambda as guest
from tests.conftest import jpeg_bytes
from uploads import lambda_handler
from uploads.aws import budget, clients

# The guest function's AWS calls only: the PostgreSQL pass leaves it out.
pytestmark = pytest.mark.one_database

FUNCTION_TIMEOUT_MS = 28_000


class Clock:
    """budget's monotonic time, moved on by the attempts that are sent."""

    def __init__(self):
        self.now = 1000.0

    def monotonic(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch) -> Clock:
    clock = Clock()
    monkeypatch.setattr(budget, "time", SimpleNamespace(monotonic=clock.monotonic))
    return clock


@pytest.fixture
def sent(guest_lambda) -> list[str]:
    """The attempts the guest's clients really send, in order (a refused one never reaches here)."""
    attempts: list[str] = []
    for client in (clients.guest_dynamodb(), clients.guest_s3()):
        client.meta.events.register("before-send", lambda event_name, **kw: attempts.append(event_name.split(".")[-1]))
    return attempts


def slow_failing_puts(clock: Clock, seconds: float) -> None:
    """Each PutObject attempt waits `seconds` for an answer that never comes (a retry is worth it)."""

    def time_out(request, event_name, **kwargs) -> None:
        if event_name.endswith(".PutObject"):
            clock.now += seconds
            raise ReadTimeoutError(endpoint_url=request.url)

    # On "before-send" itself, as budget's check: a more specific event's handlers would run before it.
    clients.guest_s3().meta.events.register("before-send", time_out)


def claims_left(store) -> list[dict]:
    answer = store.client.query(
        TableName=store.table,
        KeyConditionExpression="EventName = :e AND begins_with(DeviceID, :c)",
        ExpressionAttributeValues={":e": {"S": "ana-ben"}, ":c": {"S": "#claim#"}},
    )
    return answer["Items"]


def test_with_no_time_for_the_photo_it_answers_503_without_trying_and_gives_the_slot_back(guest_lambda, sent):
    # GIVEN time for DynamoDB's 3 s attempts, not for S3's 6 s one, once the reserve is kept back
    remaining = budget.RESPONSE_MARGIN + budget.UNDO_RESERVE + 4.5
    # WHEN a photo arrives
    status, body, headers = guest.call(guest.upload_event(), guest.FakeContext(int(remaining * 1000)))
    # THEN it is refused as "try again", the photo store was never asked, and nothing is held
    assert (status, body["status"], headers["Retry-After"]) == (503, "unavailable", "10")
    assert "PutObject" not in sent and sent[-2:] == ["DeleteObject", "TransactWriteItems"]
    assert guest_lambda.usage("ana-ben", guest.PHONE).count == 0
    assert claims_left(guest_lambda) == []
    # AND the same photo sent again with time enough is stored, not answered 409
    status, body, _ = guest.call(guest.upload_event())
    assert (status, body["count"], body["duplicate"]) == (200, 1, False)


def test_retries_are_sent_only_while_one_more_attempt_fits(guest_lambda, sent, clock):
    # GIVEN S3 times out after 10 s on each attempt: 28 - 1 - 9 = 18 s hold one retry, not two
    slow_failing_puts(clock, seconds=10)
    status, body, _ = guest.call(guest.upload_event(), guest.FakeContext(FUNCTION_TIMEOUT_MS))
    assert (status, body["status"]) == (503, "unavailable")
    assert sent.count("PutObject") == 2
    assert guest_lambda.usage("ana-ben", guest.PHONE).count == 0


def test_the_slot_is_given_back_when_only_the_reserve_is_left(guest_lambda, sent, clock):
    # GIVEN one PutObject attempt that uses up all the time but the reserve (16 of 18 s)
    slow_failing_puts(clock, seconds=16)
    status, _, _ = guest.call(guest.upload_event(), guest.FakeContext(FUNCTION_TIMEOUT_MS))
    # THEN not even a 3 s attempt fits outside the reserve, yet the undo's two are sent
    assert status == 503
    assert sent[-3:] == ["PutObject", "DeleteObject", "TransactWriteItems"]
    assert guest_lambda.usage("ana-ben", guest.PHONE).count == 0
    assert claims_left(guest_lambda) == []


def test_with_the_whole_budget_every_call_is_sent_once(guest_lambda, sent):
    status, body, _ = guest.call(guest.upload_event(image=jpeg_bytes(3)), guest.FakeContext(FUNCTION_TIMEOUT_MS))
    assert (status, body["count"]) == (200, 1)
    assert sent == ["GetItem", "TransactWriteItems", "GetItem", "PutObject", "UpdateItem"]


def test_the_dashboard_clients_know_no_deadline(guest_lambda):
    with budget.invocation(remaining_ms=0):
        assert clients.dynamodb().describe_table(TableName=guest_lambda.table)["Table"]["TableName"]
        with pytest.raises(budget.OutOfTime):
            clients.guest_dynamodb().describe_table(TableName=guest_lambda.table)


def test_an_upload_whose_every_call_takes_its_whole_timeout_still_fits(guest_lambda, sent, clock):
    # GIVEN each attempt answers just before its timeouts run out: 4 x 3 s DynamoDB + 6 s S3 = 18 s,
    # all that 28 s leave once the answer's 1 s and the undo's 9 s are kept back
    def slow(request, event_name, **kwargs) -> None:
        clock.now += budget.attempt_seconds(budget.S3 if ".s3." in event_name else budget.DYNAMODB)

    for client in (clients.guest_dynamodb(), clients.guest_s3()):
        client.meta.events.register("before-send", slow)
    status, _, _ = guest.call(guest.upload_event(), guest.FakeContext(FUNCTION_TIMEOUT_MS))
    assert status == 200
    assert clock.now - 1000.0 == FUNCTION_TIMEOUT_MS / 1000 - budget.RESPONSE_MARGIN - budget.UNDO_RESERVE


def test_called_without_a_context_as_scripts_do_nothing_is_refused(guest_lambda, sent):
    response = lambda_handler.handler(guest.upload_event(), None)
    assert response["statusCode"] == 200
