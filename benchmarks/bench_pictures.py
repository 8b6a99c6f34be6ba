"""Prints how long drawing every exercise picture takes, cold and cached, and their sizes.

Target (issue 11): every picture drawn well under a second; each static SVG under 15 kB.
Figures, not assertions: run `make bench` and read them.
"""

from __future__ import annotations

import statistics
import time

from psoas.catalog import load_figures
from psoas.reports import pictures


def main() -> None:
    start = time.perf_counter()
    load_figures()
    every = pictures.every_picture()
    loaded = time.perf_counter() - start
    start = time.perf_counter()
    sizes = [
        len(pictures.svg(p.item_id, p.name, side)) for p in every for side in ("right", "left")
    ]
    static = time.perf_counter() - start
    start = time.perf_counter()
    motion = [len(pictures.motion(p.item_id, p.name)) for p in every]
    moving = time.perf_counter() - start
    start = time.perf_counter()
    for p in every:
        pictures.svg(p.item_id, p.name, "right")
    cached = time.perf_counter() - start
    print(f"pictures: {len(every)} (both sides: {len(sizes)} static SVGs, {len(motion)} moving)")
    print(f"load the figure data: {loaded * 1000:.0f} ms")
    print(f"draw every static SVG, both sides, cold: {static * 1000:.0f} ms")
    print(f"draw every moving SVG, cold: {moving * 1000:.0f} ms")
    print(f"every static SVG again (cached): {cached * 1e6 / len(every):.1f} µs each")
    print(
        f"static SVG size: median {statistics.median(sizes) / 1000:.1f} kB, "
        f"largest {max(sizes) / 1000:.1f} kB; moving: largest {max(motion) / 1000:.1f} kB"
    )


if __name__ == "__main__":
    main()
