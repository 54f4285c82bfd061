import re
from datetime import UTC, datetime, timedelta, timezone

import pytest

from uploads.naming import GUEST_FOLDER_MAX, clean_guest_name, guest_folder, storage_key

# The same whatever DATABASE_URL says (or it sets its own): the PostgreSQL pass leaves it out.
pytestmark = pytest.mark.one_database

HOSTILE_NAMES = [
    "../../etc/passwd",
    "..",
    ".hidden",
    "a/b\\c",
    "C:\\Windows\\system32",
    "name\x00with\x07controls\n\r",
    "\u202eevil\u202c",
    "x" * 10_000,
    "🎉🎉",
    "   ",
    "/",
]


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_a_hostile_guest_name_becomes_a_safe_folder(name):
    folder = guest_folder(name)
    assert folder
    assert "/" not in folder and "\\" not in folder and ".." not in folder
    assert not folder.startswith(".")
    assert len(folder) <= GUEST_FOLDER_MAX
    assert all(ch.isalnum() or ch == "-" for ch in folder)


@pytest.mark.parametrize(
    ("name", "folder"),
    [
        ("Ana & Ben", "Ana-Ben"),
        ("José Müller", "José-Müller"),
        ("王小明", "王小明"),
        ("Dr. Smith", "Dr-Smith"),
        ("🎉🎉", "guest"),
        ("../../etc/passwd", "etc-passwd"),
        ("ｆｕｌｌ　ｗｉｄｔｈ", "full-width"),
    ],
)
def test_the_folder_keeps_letters_and_digits_from_any_script(name, folder):
    assert guest_folder(name) == folder


def test_a_long_name_is_cut_without_a_trailing_hyphen():
    assert guest_folder("a" * 39 + " b") == "a" * 39


def test_the_display_name_loses_control_and_bidi_characters_but_keeps_emoji():
    assert clean_guest_name("  Carla\x00 \u202e🎉\n  Ruiz ") == "Carla 🎉 Ruiz"


def test_the_key_is_event_guest_utc_stamp_and_uuid():
    at = datetime(2026, 6, 20, 14, 30, 5, tzinfo=timezone(timedelta(hours=2)))
    key = storage_key("ana-ben", "Carla", at, "jpg")
    assert re.fullmatch(r"ana-ben/Carla/20260620T123005Z_[0-9a-f]{32}\.jpg", key)


def test_two_keys_made_in_the_same_second_differ():
    at = datetime(2026, 6, 20, tzinfo=UTC)
    assert storage_key("e", "g", at, "jpg") != storage_key("e", "g", at, "jpg")
