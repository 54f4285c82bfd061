"""The dashboard's catalogs (locale/<code>/LC_MESSAGES): every .mo file is its .po file compiled, every
string is translated in every language, makemessages finds no marked string the catalogs lack, and the
dashboard's templates show no text outside {% translate %} / {% blocktranslate %}."""

import os
import re
import shutil
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.management import call_command
from django.template.base import Lexer, TokenType

from events.management.commands.update_translations import MAKEMESSAGES_OPTIONS, translated_languages

pytestmark = pytest.mark.one_database

LANGUAGES = translated_languages()
TEMPLATES = settings.BASE_DIR / "events" / "templates"
# Words a page may show untranslated: the product's name.
NAMES = {"photoshare"}
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def catalog(code: str, suffix: str = "po") -> Path:
    return settings.BASE_DIR / "locale" / code / "LC_MESSAGES" / f"django.{suffix}"


def translations(entries) -> dict:
    return {(e.msgctxt, e.msgid): e.msgstr_plural or e.msgstr for e in entries if e.msgid}


@pytest.mark.parametrize("code", LANGUAGES)
def test_every_mo_file_holds_exactly_what_its_po_file_says(code):
    po, mo = polib.pofile(catalog(code)), polib.mofile(catalog(code, "mo"))
    assert translations(mo) == translations(po.translated_entries())
    assert mo.metadata["Plural-Forms"] == po.metadata["Plural-Forms"]


@pytest.mark.parametrize("code", LANGUAGES)
def test_every_string_is_translated_with_the_same_placeholders(code):
    po = polib.pofile(catalog(code))
    assert po.untranslated_entries() == [] and po.fuzzy_entries() == [] and po.obsolete_entries() == []
    for entry in po:
        said = list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]
        for text in said:
            assert set(PLACEHOLDER.findall(text)) == set(PLACEHOLDER.findall(entry.msgid)), entry.msgid


@pytest.fixture
def copy_of_the_sources(tmp_path, monkeypatch, settings):
    """makemessages writes into the catalogs it finds: it runs on a copy, from the copy's folder."""
    if not shutil.which("xgettext") and not os.environ.get("CI"):
        pytest.skip("GNU gettext is not installed here (.ci/run installs it)")
    for folder in ("events", "photoshare_site", "locale"):
        shutil.copytree(settings.BASE_DIR / folder, tmp_path / folder, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.chdir(tmp_path)
    settings.LOCALE_PATHS = []
    return tmp_path


def test_makemessages_finds_no_string_that_a_catalog_lacks(copy_of_the_sources):
    call_command("makemessages", locale=LANGUAGES, verbosity=0, **MAKEMESSAGES_OPTIONS)
    for code in LANGUAGES:
        gathered = polib.pofile(copy_of_the_sources / "locale" / code / "LC_MESSAGES" / "django.po")
        assert [e.msgid for e in gathered.untranslated_entries() + gathered.fuzzy_entries()] == [], code
        assert translations(gathered) == translations(polib.pofile(catalog(code))), code


def visible_text(source: str) -> str:
    """The template's text outside translation tags and HTML tags, plus its human-read attributes.
    Every template tag or variable stands as one "\0", so a tag they cut stays one tag."""
    kept, depth = [], 0
    for token in Lexer(source).tokenize():
        if token.token_type == TokenType.BLOCK:
            name = token.split_contents()[0]
            depth += name == "blocktranslate"
            depth -= name == "endblocktranslate"
        kept.append(token.contents if token.token_type == TokenType.TEXT and not depth else "\0")
    # A <button>'s value goes to the server, never to the eye (its label is its content).
    page = re.sub(r'(<button\b[^>]*?)\svalue="[^"]*"', r"\1", "".join(kept))
    attributes = re.findall(r'\b(?:title|alt|placeholder|aria-label|value)="([^"]*)"', page)
    return " ".join([*attributes, re.sub(r"<[^>]*>", " ", page)])


def dashboard_templates() -> list[Path]:
    return sorted(p for p in TEMPLATES.rglob("*") if p.suffix in {".html", ".txt"})


@pytest.mark.parametrize("template", dashboard_templates(), ids=lambda p: str(p.relative_to(TEMPLATES)))
def test_the_dashboard_templates_show_no_text_outside_translation_tags(template):
    words = set(re.findall(r"[^\W\d_]{2,}", visible_text(template.read_text()))) - NAMES
    assert words == set()


def test_the_check_ignores_what_a_button_sends_but_not_what_it_shows():
    assert visible_text('<button name="action" value="renew">{% translate "New link" %}</button>').split() == ["\0"]
    assert visible_text('<button value="renew">New link</button>').split() == ["New", "link"]


def test_the_check_finds_words_left_outside_translation_tags():
    untranslated = '<p title="Tip">Hello {{ name }}</p><input value="{% translate "Save" %}"> {% translate "Hi" %}'
    assert set(re.findall(r"[^\W\d_]{2,}", visible_text(untranslated))) == {"Tip", "Hello"}
