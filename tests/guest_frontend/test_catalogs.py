"""The guest page's catalogs: English (built into i18n.js) and one file per other language, all saying
the same things, and every word the page shows comes from them."""

import json
import re

import pytest
from django.conf import settings

from uploads import http
from uploads.guest_page import GUEST_FILES
from uploads.policy import GUEST_LANGUAGES

pytestmark = pytest.mark.one_database

PAGE = settings.BASE_DIR / "guest_frontend"
I18N = (PAGE / "i18n.js").read_text()
ENGLISH = json.loads(re.search(r"/\* catalog \*/ (\{.*?\}) /\* end \*/", I18N, re.S).group(1))
OTHERS = [code for code in GUEST_LANGUAGES if code != "en"]
# Every script of the page, a new one included (make_icons.py is no part of it).
SCRIPTS = sorted(PAGE.glob("*.js"))


def catalog(code: str) -> dict:
    return json.loads((PAGE / f"i18n-{code}.json").read_text())


def forms(entry: str | dict) -> list[str]:
    return list(entry.values()) if isinstance(entry, dict) else [entry]


def placeholders(entry: str | dict) -> set[str]:
    return {name for text in forms(entry) for name in re.findall(r"\{(\w+)\}", text)}


def test_the_page_speaks_the_languages_the_site_lists():
    assert [code for code, _ in settings.LANGUAGES] == list(GUEST_LANGUAGES)
    assert json.loads(re.search(r"const SUPPORTED = (\[.*?\]);", I18N).group(1)) == list(GUEST_LANGUAGES)
    assert {f"i18n-{code}.json" for code in OTHERS} <= set(GUEST_FILES)


@pytest.mark.parametrize("code", OTHERS)
def test_each_catalog_says_everything_english_does_with_the_same_placeholders(code):
    translated = catalog(code)
    assert set(translated) == set(ENGLISH)
    for key, entry in translated.items():
        assert placeholders(entry) == placeholders(ENGLISH[key]), key
        # A plural entry falls back to "other" for the forms it does not name (e.g. "many").
        assert not isinstance(entry, dict) or "other" in entry, key
        assert all(text.strip() for text in forms(entry)), key


def test_the_english_catalog_holds_exactly_the_keys_the_page_asks_for():
    html = (PAGE / "index.html").read_text()
    keys = set(re.findall(r'data-i18n="([\w.]+)"', html))
    keys |= {key for pairs in re.findall(r'data-i18n-attr="([^"]+)"', html) for key in re.findall(r"=([\w.]+)", pairs)}
    for script in SCRIPTS:
        source = script.read_text()
        keys |= set(re.findall(r'\bt\(\s*"([\w.]+)"', source))
        keys |= {key for pair in re.findall(r'\bt\([^"\n]*\? "([\w.]+)" : "([\w.]+)"', source) for key in pair}
    # Keys built from a kind of files (photos, videos, mixed) or an answer's code.
    keys |= {f"{stem}.{kind}" for stem in ["review.upload", "choose.partial"] for kind in ["photos", "videos", "mixed"]}
    # My uploads: a tile's state, and the question and answer of a delete by the event's setting.
    keys |= {f"mine.state.{state}" for state in ["queued", "uploading", "uploaded", "waiting", "hidden"]}
    keys |= {f"mine.{what}.{setting}" for what in ["ask", "deleted"] for setting in ["refund", "keep_slot"]}
    # The server's answers are shown by their code (error.<code>): only codes the API answers.
    codes = {code for _, _, code in http._STATUSES} | {"generic", "open"}
    keys |= {key for key in ENGLISH if key.startswith("error.") and key.removeprefix("error.") in codes}
    assert keys == set(ENGLISH)


def test_no_script_writes_english_words_of_its_own():
    for script in [script for script in SCRIPTS if script.name != "i18n.js"]:
        code = "\n".join(line for line in script.read_text().splitlines() if not line.strip().startswith("//"))
        # A sentence in quotes or backticks (a capital, then words): it belongs in the catalog.
        assert not re.findall(r"[\"'`][A-Z][a-z]+ [a-z]+[^\"'`]*[\"'`]", code), script.name
