"""Draw psoas's wordmark, icon sprite and app icons into src/psoas/web/static/ (run once after
changing a shape; the files are committed, so nothing is drawn at run time).

    .venv/bin/python tools/make_icons.py

The letters are DejaVu Sans Bold (shipped with matplotlib) turned into paths, so the wordmark
looks the same everywhere without a web font. The PNG icons and the favicon are the SVG icon
rasterised by Chromium (/usr/bin/chromium, through Playwright) and packed by Pillow.
"""

from __future__ import annotations

import io
from pathlib import Path

from matplotlib.font_manager import FontProperties
from matplotlib.path import Path as MPath
from matplotlib.textpath import TextPath
from PIL import Image

STATIC = Path(__file__).resolve().parent.parent / "src" / "psoas" / "web" / "static"
ACCENT = "#0b6477"  # --accent in app.css (light)
INK = "#15212b"  # --ink
ON_ACCENT = "#ffffff"

# The mark, on a 32 x 32 grid: the lumbar spine's gentle curve, and the psoas leaving it for
# the front of the hip and the thigh.
MARK_STROKES = (
    "M15.4 10.2c5.2 2.4 8 8.2 8.6 16",  # the psoas, from the spine to the thigh
)
#: Four lumbar vertebrae in the spine's forward curve: x, y of each (5.6 x 3.6, rounded).
VERTEBRAE = ((8.4, 5.2), (9.6, 10.0), (10.0, 14.8), (9.4, 19.6))

# 24 x 24 icons, drawn with strokes in the text colour.
ICONS: dict[str, tuple[str, ...]] = {
    "list": ("M8 6h13", "M8 12h13", "M8 18h13", "M3.5 6h.01", "M3.5 12h.01", "M3.5 18h.01"),
    "play": ("M12 2a10 10 0 1 0 0 20a10 10 0 1 0 0-20z", "M10 8.2l5.8 3.8-5.8 3.8z"),
    "timer": ("M12 5a8 8 0 1 0 0 16a8 8 0 1 0 0-16z", "M12 9v4l2.5 2", "M9.5 2.5h5"),
    "pencil": ("M12 20h9", "M16.5 3.5a2.1 2.1 0 0 1 3 3L7 19l-4 1 1-4z"),
    "chart": ("M3 3v18h18", "M7 15l4-4 3 3 5-6"),
    "user": ("M12 4a4 4 0 1 0 0 8a4 4 0 1 0 0-8z", "M4 21a8 8 0 0 1 16 0"),
    "users": (
        "M9 4a4 4 0 1 0 0 8a4 4 0 1 0 0-8z",
        "M2 21a7 7 0 0 1 14 0",
        "M16 4.2a4 4 0 0 1 0 7.6",
        "M22 21a7 7 0 0 0-4-6.3",
    ),
    "logout": ("M9 21H5a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2h4", "M16 17l5-5-5-5", "M21 12H9"),
    "clipboard": (
        "M8 4H6.5A1.5 1.5 0 0 0 5 5.5v14A1.5 1.5 0 0 0 6.5 21h11a1.5 1.5 0 0 0 1.5-1.5v-14"
        "A1.5 1.5 0 0 0 17.5 4H16",
        "M9 2.5h6v3H9z",
        "M9 11h6",
        "M9 15h6",
    ),
    "server": (
        "M5 3h14a2 2 0 0 1 2 2v3a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2z",
        "M5 14h14a2 2 0 0 1 2 2v3a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2v-3a2 2 0 0 1 2-2z",
        "M7 6.5h.01",
        "M7 17.5h.01",
    ),
    "shield": ("M12 22s8-4 8-10V5l-8-3-8 3v7c0 6 8 10 8 10z", "M9 12l2 2 4-4"),
    "clock": ("M12 2a10 10 0 1 0 0 20a10 10 0 1 0 0-20z", "M12 6v6l4 2"),
    "check": ("M20 6L9 17l-5-5",),
    "alert": ("M12 3l10 18H2z", "M12 10v4", "M12 17.5h.01"),
    "compass": (
        "M12 2a10 10 0 1 0 0 20a10 10 0 1 0 0-20z",
        "M16.2 7.8l-2.1 6.3-6.3 2.1 2.1-6.3z",
    ),
    "book": (
        "M4 19.5A2.5 2.5 0 0 1 6.5 17H20V3H6.5A2.5 2.5 0 0 0 4 5.5z",
        "M4 19.5A2.5 2.5 0 0 0 6.5 22H20v-5",
    ),
    "arrow-right": ("M5 12h14", "M13 6l6 6-6 6"),
}
STROKE = 'fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" ' + (
    'stroke-linejoin="round"'
)


def _num(x: float) -> str:
    return f"{x:.2f}".rstrip("0").rstrip(".")


def letters(text: str = "psoas", size: float = 28.0) -> tuple[str, float, float]:
    """The word as one SVG path (y down, baseline at ``size``), with its width and height."""
    prop = FontProperties(family="DejaVu Sans", weight="bold")
    path = TextPath((0, 0), text, size=size, prop=prop)
    ext = path.get_extents()
    top = ext.y1
    out: list[str] = []

    def pt(x: float, y: float) -> str:
        return f"{_num(x - ext.x0)} {_num(top - y)}"

    for verts, code in path.iter_segments(simplify=False, curves=True):
        xy = [pt(verts[k], verts[k + 1]) for k in range(0, len(verts), 2)]
        if code == MPath.MOVETO:
            out.append("M" + xy[0])
        elif code == MPath.LINETO:
            out.append("L" + xy[0])
        elif code == MPath.CURVE3:
            out.append("Q" + " ".join(xy))
        elif code == MPath.CURVE4:
            out.append("C" + " ".join(xy))
        elif code == MPath.CLOSEPOLY:
            out.append("Z")
    return "".join(out), ext.width, ext.height


def mark_body(background: str, fg: str, scale: float = 1.0, inset: float = 0.0) -> str:
    """The mark's shapes: ``background`` the square's fill attribute ('' inherits the fill),
    ``fg`` the colour of the spine and the muscle."""
    strokes = f' stroke="{fg}"'
    rx = 8 if not inset else 0
    bg = f'<rect width="32" height="32" rx="{rx}"{background}/>'
    group = "".join(f'<path d="{d}"/>' for d in MARK_STROKES)
    circle = ""
    bones = "".join(
        f'<rect x="{x}" y="{y}" width="5.6" height="3.6" rx="1.4" fill="{fg}" stroke="none"/>'
        for x, y in VERTEBRAE
    )
    move = ""
    if scale != 1.0:
        shift = _num(16 - 16 * scale)
        move = f' transform="translate({shift} {shift}) scale({scale})"'
    attrs = (
        f'fill="none" stroke-width="2.6" stroke-linecap="round" stroke-linejoin="round"{strokes}'
    )
    return bg + f"<g {attrs}{move}>{bones}{group}{circle}</g>"


def sprite(word: str, word_w: float, word_h: float) -> str:
    symbols = [
        # The mark: the background takes the <use>'s fill, the strokes its colour.
        '<symbol id="mark" viewBox="0 0 32 32">' + mark_body("", "currentColor") + "</symbol>",
        f'<symbol id="letters" viewBox="0 0 {_num(word_w)} {_num(word_h)}">'
        f'<path d="{word}"/></symbol>',
    ]
    for name, paths in ICONS.items():
        body = "".join(f'<path d="{d}"/>' for d in paths)
        symbols.append(f'<symbol id="{name}" viewBox="0 0 24 24"><g {STROKE}>{body}</g></symbol>')
    return (
        '<svg xmlns="http://www.w3.org/2000/svg">\n<!-- psoas icons: tools/make_icons.py -->\n'
        + "\n".join(symbols)
        + "\n</svg>\n"
    )


def wordmark(word: str, word_w: float, word_h: float) -> str:
    """The wordmark as one picture: the mark, then the letters, 32 units high."""
    scale = 22 / word_h
    width = 32 + 9 + word_w * scale
    letters_g = (
        f'<g transform="translate(41 {_num(16 - word_h * scale / 2 + 1)}) scale({_num(scale)})" '
        f'fill="{INK}"><path d="{word}"/></g>'
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_num(width)} 32" '
        f'role="img" aria-label="psoas"><title>psoas</title>'
        + mark_body(f' fill="{ACCENT}"', ON_ACCENT)
        + letters_g
        + "</svg>\n"
    )


def app_icon(maskable: bool) -> str:
    """The app icon: the mark on a square; maskable, a full square with the mark inside the
    safe circle, so that any mask's crop keeps it whole."""
    fill = f' fill="{ACCENT}"'
    if maskable:
        body = mark_body(fill, ON_ACCENT, scale=0.72, inset=1.0)
    else:
        body = mark_body(fill, ON_ACCENT)
    return f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">{body}</svg>\n'


def rasterise(svg: str, sizes: list[int]) -> dict[int, bytes]:
    from playwright.sync_api import sync_playwright

    out: dict[int, bytes] = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        for size in sizes:
            page = browser.new_page(viewport={"width": size, "height": size})
            sized = svg.replace("<svg ", f'<svg width="{size}" height="{size}" ', 1)
            page.set_content("<!doctype html><html><body>" + sized + "</body></html>")
            page.add_style_tag(
                content="html,body{margin:0;background:transparent}svg{display:block}"
            )
            out[size] = page.locator("svg").screenshot(omit_background=True)
            page.close()
        browser.close()
    return out


def main() -> None:
    word, w, h = letters()
    (STATIC / "icons.svg").write_text(sprite(word, w, h))
    (STATIC / "wordmark.svg").write_text(wordmark(word, w, h))
    icon = app_icon(maskable=False)
    maskable = app_icon(maskable=True)
    (STATIC / "icon.svg").write_text(icon)
    (STATIC / "icon-maskable.svg").write_text(maskable)
    shots = rasterise(icon, [16, 32, 48, 180, 192, 512])
    masked = rasterise(maskable, [512])
    for size in (192, 512):
        (STATIC / f"icon-{size}.png").write_bytes(shots[size])
    (STATIC / "icon-maskable-512.png").write_bytes(masked[512])
    (STATIC / "apple-touch-icon.png").write_bytes(shots[180])
    frames = [Image.open(io.BytesIO(shots[s])).convert("RGBA") for s in (16, 32, 48)]
    frames[-1].save(
        STATIC / "favicon.ico",
        format="ICO",
        sizes=[(16, 16), (32, 32), (48, 48)],
        append_images=frames[:-1],
    )
    print(
        "wrote",
        ", ".join(sorted(p.name for p in STATIC.glob("icon*"))),
        "favicon.ico, wordmark.svg",
    )


if __name__ == "__main__":
    main()
