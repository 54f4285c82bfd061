"""Draws the guest page's home-screen icons and the favicon (the dashboard's too) with Pillow.

Run `.venv/bin/python guest_frontend/make_icons.py` after changing the design; the PNG and ICO files it
writes are committed, so neither deploys nor the page depend on this script.
"""

from pathlib import Path

from PIL import Image, ImageDraw

HERE = Path(__file__).resolve().parent
NAVY, WHITE, PEACH = "#1d3557", "#ffffff", "#ffd6a5"


def icon(edge: int) -> Image.Image:
    """A camera on a navy square; the camera stays inside the middle 80 %, Android's maskable safe zone."""
    image = Image.new("RGB", (edge, edge), NAVY)
    draw = ImageDraw.Draw(image)
    u = edge / 100
    draw.rounded_rectangle((18 * u, 32 * u, 82 * u, 76 * u), radius=8 * u, fill=WHITE)
    draw.rectangle((38 * u, 24 * u, 62 * u, 34 * u), fill=WHITE)
    draw.ellipse((35 * u, 39 * u, 65 * u, 69 * u), fill=NAVY)
    draw.ellipse((42 * u, 46 * u, 58 * u, 62 * u), fill=PEACH)
    return image


def main() -> None:
    for edge in (192, 512):
        icon(edge).save(HERE / f"icon-{edge}.png", optimize=True)
    favicon = icon(64)
    favicon.save(HERE / "favicon.ico", sizes=[(16, 16), (32, 32), (48, 48)])
    dashboard = HERE.parent / "events" / "static" / "events" / "favicon.ico"
    favicon.save(dashboard, sizes=[(16, 16), (32, 32), (48, 48)])


if __name__ == "__main__":
    main()
