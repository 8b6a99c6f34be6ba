"""Prints the median time to assess one intake and the start-up time of `psoas --help`.

Targets (issue 2): under 2 ms per assessment, under 300 ms start-up. Figures, not assertions:
run `make bench` and read them.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

from psoas.catalog import load_catalog
from psoas.domain.assess import assess
from psoas.services.assessment import parse_intake

ROOT = Path(__file__).resolve().parents[1]
PSOAS = Path(sys.executable).parent / "psoas"


def median_ms(fn, repeat: int) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main() -> None:
    catalog = load_catalog()
    print(f"python {sys.version.split()[0]}, catalog {catalog.version}")
    for name in ("office-worker.json", "taxi-driver.json"):
        raw = (ROOT / "examples" / name).read_bytes()
        intake = parse_intake(raw)
        assess(intake, catalog)  # warm
        domain = median_ms(lambda: assess(intake, catalog), 2000)  # noqa: B023
        full = median_ms(
            lambda: json.dumps(assess(parse_intake(raw), catalog).model_dump(mode="json")),  # noqa: B023
            2000,
        )
        print(f"assess {name:<20} median {domain:.3f} ms (parse + assess + JSON: {full:.3f} ms)")
    runs = []
    for _ in range(15):
        start = time.perf_counter()
        subprocess.run([str(PSOAS), "--help"], check=True, capture_output=True)
        runs.append(time.perf_counter() - start)
    print(f"`psoas --help` start-up median {statistics.median(runs) * 1000:.0f} ms over 15 runs")
    runs = []
    for _ in range(10):
        start = time.perf_counter()
        subprocess.run(
            [
                str(PSOAS),
                "assess",
                "--input",
                str(ROOT / "examples" / "office-worker.json"),
                "--format",
                "json",
            ],
            check=True,
            capture_output=True,
        )
        runs.append(time.perf_counter() - start)
    print(
        f"`psoas assess --input FILE --format json` median {statistics.median(runs) * 1000:.0f} ms"
    )


if __name__ == "__main__":
    main()
