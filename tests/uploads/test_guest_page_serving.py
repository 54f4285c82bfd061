import os

import pytest

from uploads.guest_minify import served
from uploads.guest_page import GUEST_FILES

# The same whatever DATABASE_URL says: the PostgreSQL pass leaves it out.
pytestmark = pytest.mark.one_database


def test_the_guest_page_is_served_with_a_strict_content_security_policy(client):
    response = client.get("/guest/", {"event": "ana-ben", "key": "k"})
    assert response.status_code == 200
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response["Referrer-Policy"] == "no-referrer"
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(
    ("name", "content_type"),
    [
        ("app.js", "javascript"),
        ("style.css", "text/css"),
        ("manifest.webmanifest", "application/manifest+json"),
        ("icon-512.png", "image/png"),
        ("favicon.ico", "image/x-icon"),
    ],
)
def test_its_assets_are_served_with_their_types(client, name, content_type):
    response = client.get(f"/guest/{name}")
    assert response.status_code == 200
    assert content_type in response["Content-Type"]


@pytest.mark.parametrize("name", ["settings.py", "..%2Fmanage.py", "missing.js", "make_icons.py"])
def test_nothing_else_is_served_from_there(client, name):
    assert client.get(f"/guest/{name}").status_code == 404


def test_the_page_loads_no_inline_script_or_style(client):
    html = client.get("/guest/").content.decode()
    assert "<script>" not in html and "<style" not in html and " style=" not in html


@pytest.mark.parametrize("name", sorted(GUEST_FILES))
def test_every_file_is_served_as_the_minifier_makes_it_with_its_length(client, name):
    response = client.get(f"/guest/{name}")
    assert response.content == served(name)
    assert response["Content-Length"] == str(len(served(name)))


def test_a_phone_that_has_the_file_revalidates_it_for_a_304_without_body(client):
    first = client.get("/guest/app.js")
    again = client.get("/guest/app.js", headers={"If-None-Match": first["ETag"]})
    assert (again.status_code, again.content, again["ETag"]) == (304, b"", first["ETag"])
    assert again["Cache-Control"] == "no-cache"


def test_a_file_edited_while_the_server_runs_is_served_anew(client, tmp_path, monkeypatch):
    # GIVEN a page folder whose app.js was served once
    monkeypatch.setattr("uploads.guest_minify.PAGE", tmp_path)
    script = tmp_path / "app.js"
    script.write_text("// first\nconst a = 1;\n")
    assert client.get("/guest/app.js").content == b"const a=1;"
    # WHEN it is edited (a later modification time) THEN the next request gets the new version
    script.write_text("const b = 2;\n")
    os.utime(script, ns=(script.stat().st_atime_ns, script.stat().st_mtime_ns + 1_000_000_000))
    assert client.get("/guest/app.js").content == b"const b=2;"
