"""The guest page as served is its sources minified (uploads/guest_minify.py): smaller, and the same program.

Each script is parsed, source and minified, by tree-sitter's JavaScript grammar (independent of rjsmin):
both trees must be the same once comments are left out, leaf text included, so a template literal or a
regex literal that lost a `//`, or a line break that automatic semicolon insertion needed, shows here.
The Chromium tests of the page (tests/guest_frontend/*_browser.py) then run the minified files themselves.
"""

import json
import re
from html.parser import HTMLParser

import pytest
import tree_sitter_javascript
from tree_sitter import Language, Node, Parser

from uploads.guest_minify import PAGE, minified, served
from uploads.guest_page import GUEST_FILES

pytestmark = pytest.mark.one_database

JAVASCRIPT = Parser(Language(tree_sitter_javascript.language()))
SCRIPTS = sorted(name for name in GUEST_FILES if name.endswith(".js"))
JSON_FILES = sorted(name for name in GUEST_FILES if name.endswith((".json", ".webmanifest")))


def syntax(code: bytes) -> list[tuple]:
    """The parse tree without its comments, node by node: depth, type, children, and a leaf's text."""
    nodes: list[tuple] = []

    def walk(node: Node, depth: int) -> None:
        children = [child for child in node.children if child.type != "comment"]
        nodes.append((depth, node.type, len(children), None if children else node.text))
        for child in children:
            walk(child, depth + 1)

    tree = JAVASCRIPT.parse(code)
    assert not tree.root_node.has_error
    walk(tree.root_node, 0)
    return nodes


def comments(code: bytes) -> list[bytes]:
    found, todo = [], [JAVASCRIPT.parse(code).root_node]
    while todo:
        node = todo.pop()
        found += [node.text] if node.type == "comment" else []
        todo += node.children
    return found


@pytest.mark.parametrize("name", SCRIPTS)
def test_every_minified_script_parses_to_the_same_program_as_its_source(name):
    assert syntax(served(name)) == syntax((PAGE / name).read_bytes())


def test_the_comparison_tells_a_line_break_that_ends_a_statement_from_none():
    # `return` then a line break returns nothing: a minifier that joined the lines would change that.
    assert syntax(b"function f() { return\nx }") != syntax(b"function f() { return x }")
    assert syntax(b"a = `x // ${b} /* c */`") != syntax(b"a = `x ${b}`")


@pytest.mark.parametrize("name", [*SCRIPTS, "style.css", "index.html"])
def test_every_script_the_style_and_the_page_are_served_smaller(name):
    assert len(served(name)) < len((PAGE / name).read_bytes())


@pytest.mark.parametrize("name", SCRIPTS)
def test_no_script_is_served_with_a_comment(name):
    assert comments((PAGE / name).read_bytes()), "every script explains itself: the check would be empty"
    assert comments(served(name)) == []


def test_the_style_is_served_without_comments_and_with_every_rule():
    source, css = (PAGE / "style.css").read_text(), served("style.css").decode()
    assert "/*" in source and "/*" not in css
    assert css.count("{") == re.sub(r"/\*.*?\*/", "", source, flags=re.DOTALL).count("{")


@pytest.mark.parametrize("name", JSON_FILES)
def test_catalogs_and_the_manifest_are_served_as_compact_json_with_the_same_content(name):
    assert json.loads(served(name)) == json.loads((PAGE / name).read_bytes())
    assert b"\n" not in served(name) and b"\\u" not in served(name)


class Events(HTMLParser):
    """What a browser builds from the page: tags, attributes and text, white space runs as one space."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.events: list[tuple] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.events.append(("start", tag, attrs))

    def handle_endtag(self, tag):
        self.events.append(("end", tag))

    def handle_data(self, data):
        self.events.append(("text", re.sub(r"\s+", " ", data)))


def test_the_page_keeps_every_element_attribute_and_word():
    source = (PAGE / "index.html").read_text()
    # Only where white space is never significant is collapsing it safe.
    assert [tag for tag in ["<pre", "<textarea", "<script>", "<style"] if tag in source] == []
    assert Events(served("index.html").decode()).events == Events(source).events


def test_images_and_icons_pass_through_unchanged():
    assert served("icon-192.png") == (PAGE / "icon-192.png").read_bytes()
    assert minified("favicon.ico", b"\x00\x01") == b"\x00\x01"
