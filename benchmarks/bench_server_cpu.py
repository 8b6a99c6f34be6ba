"""Server CPU per request, side by side: the program page, the program API and a small static
file, each through the same stack (uvicorn, two workers, the app's middleware).

Starts `psoas web --workers 2` on 127.0.0.1 (a SQLite file, then PostgreSQL in a scratch
schema) with one patient and a program made in this process, then sends each address a fixed
rate of requests with httpx for a bounded time, the addresses taking turns for a few rounds
(loopback only; it stops by itself), and reads the CPU time the two worker processes used from
/proc/<pid>/stat before and after each turn. Prints CPU milliseconds per request, p50 and p99
latency (medians of the rounds), and each page's cost as a multiple of the static file's.
Targets (issue 12): program page under 3x and the program API under 2x the static file's CPU
per request; p99 under 50 ms at 100 requests per second.
Figures, not assertions.
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx
from _databases import on_both
from load_web import ROOT, free_port

from psoas.services import accounts, patient_web
from psoas.storage.db import Database

RATE = 100  # requests per second
SECONDS = 4  # each round, each address
WARM_UP_SECONDS = 1
ROUNDS = 3  # the addresses take turns, so a busy moment on the machine hits them alike
TICK = os.sysconf("SC_CLK_TCK")
TARGETS = (
    ("program page", "/me"),
    ("program API", "/api/v1/me/program"),
    ("static file", "/static/cache-name.js"),
)


def workers_of(parent: int) -> list[int]:
    """The worker processes: children of the server's supervisor."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            fields = stat[stat.rindex(")") + 2 :].split()
            if int(fields[1]) == parent:
                found.append(int(entry.name))
    return found


def cpu_seconds(pids: list[int]) -> float:
    """User plus system CPU time of the processes (and their threads) so far."""
    total = 0
    for pid in pids:
        stat = Path(f"/proc/{pid}/stat").read_text()
        fields = stat[stat.rindex(")") + 2 :].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / TICK


def prepare(url: str) -> str:
    """A patient with a program; returns their session cookie."""
    db = Database(url)
    now = datetime.now(UTC)
    user = accounts.sign_up(
        db,
        email="cpu@example.org",
        password="correct horse battery staple",
        display_name="Cpu",
        role="patient",
        now=now,
    )
    patient_web.assess(
        db,
        profile_name=user.profile_name,
        document=json.loads((ROOT / "examples" / "office-worker.json").read_text()),
        now=now,
    )
    cookie, _ = accounts.start_session(db, user=user, now=now)
    db.close()
    return cookie


def serve(url: str, port: int) -> subprocess.Popen[bytes]:
    env = dict(os.environ, PSOAS_DATABASE_URL=url)
    proc = subprocess.Popen(
        [sys.executable, "-m", "psoas", "web", "--port", str(port), "--workers", "2"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 40
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/static/cache-name.js", timeout=1)
            if len(workers_of(proc.pid)) >= 2:
                return proc
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    proc.kill()
    raise RuntimeError("the server did not start")


async def measure(base: str, path: str, cookie: str, pids: list[int]) -> dict[str, float]:
    latencies: list[float] = []
    failures = 0
    async with httpx.AsyncClient(
        base_url=base,
        timeout=5,
        cookies={"psoas_session": cookie},
        headers={"accept-encoding": "gzip"},
        limits=httpx.Limits(max_connections=50),
    ) as client:

        async def one(counted: bool) -> None:
            nonlocal failures
            t = time.perf_counter()
            response = await client.get(path)
            if counted:
                latencies.append(time.perf_counter() - t)
                failures += response.status_code != 200

        async def burst(seconds: int, counted: bool) -> None:
            begin = time.perf_counter()
            tasks = []
            for n in range(RATE * seconds):
                delay = begin + n / RATE - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
                tasks.append(asyncio.create_task(one(counted)))
            await asyncio.gather(*tasks)

        await burst(WARM_UP_SECONDS, False)
        before = cpu_seconds(pids)
        await burst(SECONDS, True)
        used = cpu_seconds(pids) - before
    latencies.sort()
    return {
        "cpu_ms": used / len(latencies) * 1000,
        "p50": statistics.median(latencies) * 1000,
        "p99": latencies[int(len(latencies) * 0.99) - 1] * 1000,
        "failures": failures,
    }


def bench(label: str, url: str) -> None:
    cookie = prepare(url)
    port = free_port()
    proc = serve(url, port)
    runs: dict[str, list[dict[str, float]]] = {name: [] for name, _ in TARGETS}
    try:
        pids = workers_of(proc.pid)
        base = f"http://127.0.0.1:{port}"
        for _ in range(ROUNDS):
            for name, path in TARGETS:
                runs[name].append(asyncio.run(measure(base, path, cookie, pids)))
    finally:
        proc.terminate()
        proc.wait(timeout=15)

    def median(name: str, key: str) -> float:
        return statistics.median(r[key] for r in runs[name])

    static = median("static file", "cpu_ms")
    print(
        f"{label}: {RATE} requests/s, {ROUNDS} rounds of {SECONDS} s per address taking turns, "
        "2 workers, gzip accepted; medians of the rounds (p99: the worst round)"
    )
    for name, path in TARGETS:
        cpu = median(name, "cpu_ms")
        print(
            f"  {name:<13} {path:<22} CPU {cpu:5.2f} ms/request ({cpu / static:4.1f}x static)  "
            f"p50 {median(name, 'p50'):5.1f} ms  p99 {median(name, 'p99'):5.1f} ms "
            f"(worst {max(r['p99'] for r in runs[name]):5.1f})  "
            f"failures {sum(r['failures'] for r in runs[name]):.0f}"
        )


def main() -> None:
    with tempfile.TemporaryDirectory():
        on_both(bench)


if __name__ == "__main__":
    main()
