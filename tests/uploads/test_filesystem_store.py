import pytest

from uploads.ports import KeyExists
from uploads.stores.filesystem import FileSystemPhotoStore


def test_it_stores_bytes_under_the_key(tmp_path):
    FileSystemPhotoStore(tmp_path).put("ana-ben/Carla/1.jpg", b"photo", "image/jpeg")
    assert (tmp_path / "ana-ben" / "Carla" / "1.jpg").read_bytes() == b"photo"


def test_it_never_overwrites_and_leaves_no_temporary_file(tmp_path):
    store = FileSystemPhotoStore(tmp_path)
    store.put("e/g/1.jpg", b"first", "image/jpeg")
    with pytest.raises(KeyExists):
        store.put("e/g/1.jpg", b"second", "image/jpeg")
    assert (tmp_path / "e/g/1.jpg").read_bytes() == b"first"
    assert [p.name for p in (tmp_path / "e/g").iterdir()] == ["1.jpg"]


@pytest.mark.parametrize("key", ["../escape.jpg", "/etc/passwd", "e/../../x.jpg", "e/./x.jpg", "e\\..\\x.jpg", ""])
def test_it_refuses_keys_that_could_leave_its_folder(tmp_path, key):
    with pytest.raises(ValueError, match="unsafe"):
        FileSystemPhotoStore(tmp_path / "root").put(key, b"x", "image/jpeg")
    assert not (tmp_path / "escape.jpg").exists()


def test_delete_removes_the_file_and_tolerates_a_missing_one(tmp_path):
    store = FileSystemPhotoStore(tmp_path)
    store.put("e/g/1.jpg", b"x", "image/jpeg")
    store.delete("e/g/1.jpg")
    store.delete("e/g/1.jpg")
    assert not (tmp_path / "e/g/1.jpg").exists()
