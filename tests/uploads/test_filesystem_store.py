import pytest

from tests.uploads.contract_photos import PhotoStoreContract, stored_photo
from uploads.ports import KeyExists
from uploads.stores.filesystem import FileSystemPhotoStore


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
