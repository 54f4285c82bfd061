"""The guest page's own SHA-256 (sha256.js, minified as served), in Chromium, against known vectors and hashlib."""

import hashlib

import pytest

from uploads.guest_minify import served

pytestmark = pytest.mark.browser

# FIPS 180-2 examples, and the 56-byte message that needs a second padding block.
VECTORS = {
    "": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "abc": "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
    "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq": (
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
    ),
}
HASH_TEXT = "(text) => { const h = Sha256.create(); h.update(new TextEncoder().encode(text)); return h.digest(); }"
# The same bytes made on both sides: passing megabytes through Playwright would be slow.
PATTERN = "(size) => Sha256.ofBlob(new Blob([Uint8Array.from({ length: size }, (_, i) => (i * 7 + (i >> 8)) & 255)]))"


@pytest.fixture
def page(phone):
    phone.set_content("<html><body></body></html>")
    phone.add_script_tag(content=served("sha256.js").decode())
    return phone


@pytest.mark.parametrize("text", VECTORS)
def test_it_gives_the_standards_digests(page, text):
    assert page.evaluate(HASH_TEXT, text) == VECTORS[text]


def test_a_million_as_fed_in_uneven_pieces_give_the_standards_digest(page):
    digest = page.evaluate("""() => {
        const h = Sha256.create();
        const a = new Uint8Array(1000003).fill(97);
        for (let at = 0; at < 1000000; at += 997) h.update(a.subarray(at, Math.min(at + 997, 1000000)));
        return h.digest();
    }""")
    assert digest == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"


@pytest.mark.parametrize("size", [55, 64, 119, 4 * 1024 * 1024 + 3])
def test_a_blob_read_in_slices_hashes_as_hashlib_does(page, size):
    data = bytes((i * 7 + (i >> 8)) & 255 for i in range(size))
    assert page.evaluate(PATTERN, size) == hashlib.sha256(data).hexdigest()
