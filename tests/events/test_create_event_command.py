import json
from io import StringIO
from urllib.parse import parse_qs, urlparse

import pytest
from django.core.management import CommandError, call_command

from events.models import Event


def create_event(*args: str) -> dict:
    out = StringIO()
    call_command("create_event", *args, stdout=out)
    return json.loads(out.getvalue())


def test_it_prints_the_event_as_json_with_a_working_guest_url(alice, settings):
    settings.PUBLIC_BASE_URL = "http://192.168.1.20:8000"
    printed = create_event("--owner", "alice", "--name", "Ana & Ben", "--limit", "15")
    event = Event.objects.get()
    assert printed | {"upload_key": "?"} == {
        "slug": "ana-ben",
        "name": "Ana & Ben",
        "limit": 15,
        "open": True,
        "upload_key": "?",
        "guest_url": printed["guest_url"],
    }
    url = urlparse(printed["guest_url"])
    assert (url.scheme, url.netloc, url.path) == ("http", "192.168.1.20:8000", "/guest/")
    assert parse_qs(url.query) == {"event": ["ana-ben"], "key": [event.upload_key]}
    assert printed["upload_key"] == event.upload_key


def test_the_upload_key_carries_at_least_128_random_bits(alice):
    keys = {create_event("--owner", "alice", "--name", f"Party {n}")["upload_key"] for n in range(5)}
    assert len(keys) == 5
    assert all(len(key) >= 22 for key in keys)  # 22 URL-safe base64 characters = 132 bits


def test_a_repeated_name_gets_a_distinct_slug(alice):
    first = create_event("--owner", "alice", "--name", "Ana & Ben")
    second = create_event("--owner", "alice", "--name", "Ana & Ben")
    assert (first["slug"], second["slug"]) == ("ana-ben", "ana-ben-2")


def test_an_explicit_slug_is_used(alice):
    assert create_event("--owner", "alice", "--name", "X", "--slug", "summer-2026")["slug"] == "summer-2026"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--owner", "nobody", "--name", "X"], "No user 'nobody'"),
        (["--owner", "alice", "--name", "X", "--slug", "Bad Slug"], "slug"),
        (["--owner", "alice", "--name", "X", "--slug", "../up"], "slug"),
        (["--owner", "alice", "--name", "X", "--limit", "0"], "upload_limit"),
        (["--owner", "alice", "--name", "X", "--limit", "1001"], "upload_limit"),
    ],
)
def test_it_refuses_bad_input_with_a_clear_message(alice, args, message):
    with pytest.raises(CommandError, match=message):
        create_event(*args)
    assert not Event.objects.exists()
