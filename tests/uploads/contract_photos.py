"""The PhotoStore contract: each adapter's test module subclasses this and provides `store` and `read`."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from uploads.ports import KeyExists, StoredPhoto


def stored_photo(key: str = "ana-ben/Carla/20260620T120000Z_1.jpg", **changes) -> StoredPhoto:
    fields: dict[str, Any] = {
        "event": "ana-ben",
        "device": "6f1c1e0a-1b8e-4d84-9d8a-2f1f3f3c0001",
        "guest_name": "Carla Ruiz 🎉",
        "key": key,
        "content_type": "image/jpeg",
        "size": 5,
        "width": 4,
        "height": 3,
        "sha256": "a" * 64,
        "uploaded_at": datetime(2026, 6, 20, 12, tzinfo=UTC),
    }
    return StoredPhoto(**(fields | changes))


class PhotoStoreContract:
    def test_it_stores_the_bytes_under_the_key(self, store, read):
        store.put(stored_photo(), b"photo")
        assert read(stored_photo().key) == b"photo"

    def test_it_never_overwrites(self, store, read):
        store.put(stored_photo(), b"first")
        with pytest.raises(KeyExists):
            store.put(stored_photo(), b"second")
        assert read(stored_photo().key) == b"first"

    def test_delete_removes_the_photo_and_tolerates_a_missing_one(self, store, read):
        store.put(stored_photo(), b"photo")
        store.delete(stored_photo().key)
        store.delete(stored_photo().key)
        assert read(stored_photo().key) is None

    def test_it_says_whether_a_photo_exists_and_reads_it_back(self, store):
        assert not store.exists(stored_photo().key)
        store.put(stored_photo(), b"photo")
        assert store.exists(stored_photo().key)
        assert store.read(stored_photo().key) == b"photo"

    def test_deleting_a_prefix_removes_everything_under_it_and_nothing_else(self, store, read):
        keys = ["ana-ben/Carla/1.jpg", "ana-ben/José/2.jpg", "thumbs/ana-ben/Carla/1.jpg.webp", "ana-ben-2/Carla/3.jpg"]
        for key in keys:
            store.put(stored_photo(key), b"x")
        assert store.delete_prefix("ana-ben/") == 2
        assert [read(key) for key in keys] == [None, None, b"x", b"x"]
        assert store.delete_prefix("ana-ben/") == 0

    def test_a_finished_put_leaves_nothing_for_the_sweep_to_remove(self, store, read):
        store.put(stored_photo(), b"photo")
        later = datetime.now(UTC) + timedelta(hours=1)
        assert store.remove_partial("ana-ben/", later) == 0
        assert read(stored_photo().key) == b"photo"

    def test_keys_lists_the_stored_objects_under_a_prefix_only(self, store):
        keys = ["ana-ben/Carla/1.jpg", "ana-ben/José/2.jpg", "thumbs/ana-ben/Carla/1.jpg.webp", "ana-ben-2/Carla/3.jpg"]
        for key in keys:
            store.put(stored_photo(key), b"x")
        assert sorted(store.keys("ana-ben/")) == ["ana-ben/Carla/1.jpg", "ana-ben/José/2.jpg"]
        assert list(store.keys("nobody/")) == []
