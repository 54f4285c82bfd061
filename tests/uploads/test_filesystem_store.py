import os
from datetime import UTC, datetime, timedelta

import pytest

from tests.uploads.contract_photos import PhotoStoreContract, stored_photo
from uploads.ports import KeyExists
from uploads.stores.filesystem import PARTIAL_PREFIX, FileSystemPhotoStore

# The same whatever DATABASE_URL says: the PostgreSQL pass leaves it out.
pytestmark = pytest.mark.one_database


class TestFileSystemPhotoStore(PhotoStoreContract):
    @pytest.fixture
    def store(self, tmp_path):
        return FileSystemPhotoStore(tmp_path)

    @pytest.fixture
    def read(self, tmp_path):
        def read(key):
            path = tmp_path / key
            return path.read_bytes() if path.exists() else None

        return read


def test_it_leaves_no_temporary_file_behind(tmp_path):
    store = FileSystemPhotoStore(tmp_path)
    store.put(stored_photo("e/g/1.jpg"), b"first")
    with pytest.raises(KeyExists):
        store.put(stored_photo("e/g/1.jpg"), b"second")
    assert [p.name for p in (tmp_path / "e/g").iterdir()] == ["1.jpg"]


@pytest.mark.parametrize("key", ["../escape.jpg", "/etc/passwd", "e/../../x.jpg", "e/./x.jpg", "e\\..\\x.jpg", ""])
def test_it_refuses_keys_that_could_leave_its_folder(tmp_path, key):
    with pytest.raises(ValueError, match="unsafe"):
        FileSystemPhotoStore(tmp_path / "root").put(stored_photo(key), b"x")
    assert not (tmp_path / "escape.jpg").exists()


def test_the_sweep_removes_only_partial_writes_older_than_its_cutoff(tmp_path):
    # GIVEN one write a killed request left an hour ago, one still being written, and a stored photo
    store = FileSystemPhotoStore(tmp_path)
    store.put(stored_photo("e/g/1.jpg"), b"whole")
    old, fresh = tmp_path / "e/g" / f"{PARTIAL_PREFIX}old", tmp_path / "e/g" / f"{PARTIAL_PREFIX}fresh"
    old.write_bytes(b"hal")
    fresh.write_bytes(b"hal")
    an_hour_ago = (datetime.now(UTC) - timedelta(hours=1)).timestamp()
    os.utime(old, (an_hour_ago, an_hour_ago))
    # WHEN the sweep runs with a cutoff of ten minutes ago
    removed = store.remove_partial("e/", datetime.now(UTC) - timedelta(minutes=10))
    # THEN only the old one is gone
    assert removed == 1
    assert sorted(p.name for p in (tmp_path / "e/g").iterdir()) == [f"{PARTIAL_PREFIX}fresh", "1.jpg"]
    assert store.remove_partial("other-event/", datetime.now(UTC)) == 0


def test_a_write_still_under_way_is_not_listed_as_a_stored_photo(tmp_path):
    store = FileSystemPhotoStore(tmp_path)
    store.put(stored_photo("e/g/1.jpg"), b"whole")
    (tmp_path / "e/g" / f"{PARTIAL_PREFIX}abc").write_bytes(b"half")
    assert list(store.keys("e/")) == ["e/g/1.jpg"]
