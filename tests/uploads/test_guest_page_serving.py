import pytest

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
    html = b"".join(client.get("/guest/").streaming_content).decode()
    assert "<script>" not in html and "<style" not in html and " style=" not in html
