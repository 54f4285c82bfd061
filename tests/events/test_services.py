import json

from events.services import event_create, event_rotate_key
from tests.conftest import upload_body


def test_a_name_without_letters_still_gets_a_slug(alice):
    assert event_create(owner=alice, name="🎉🎉").slug == "event"


def test_rotating_the_key_locks_out_old_links(client, wedding, device, photos_dir):
    old_key = wedding.upload_key
    event_rotate_key(event=wedding)
    assert wedding.upload_key != old_key
    stale = upload_body(wedding, device=device, uploadKey=old_key)
    assert client.post("/api/upload", json.dumps(stale), content_type="application/json").status_code == 403
    fresh = upload_body(wedding, device=device)
    assert client.post("/api/upload", json.dumps(fresh), content_type="application/json").status_code == 200
