"""Load test of the web app on loopback: the patient's program page and saving a set.

Starts `psoas web` with two workers on 127.0.0.1 (SQLite file, then PostgreSQL in a scratch
schema), signs up a patient with a program, then sends a fixed rate of requests for a bounded
time and prints requests per second and p50/p99 latency. Loopback only, bounded in time and
count, stops by itself. Each run first sends the same rate for a few seconds uncounted
(warm-up: templates compiled, database connections opened), as on a server already running.
Target (issue 4): p99 under 50 ms at 100 requests per second.
"""

from __future__ import annotations

import asyncio
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

import httpx
from _databases import on_both

ROOT = Path(__file__).resolve().parents[1]
RATE = 100  # requests per second
SECONDS = 10
WARM_UP_SECONDS = 3  # at the same rate first, not counted: templates compiled, pools filled


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def serve(url: str, port: int, log: IO[bytes]) -> subprocess.Popen[bytes]:
    env = dict(os.environ, PSOAS_DATABASE_URL=url)
    proc = subprocess.Popen(
        [sys.executable, "-m", "psoas", "web", "--port", str(port), "--workers", "2"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/", timeout=1)
            return proc
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("the server did not start")


def csrf_of(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]


def setup_patient(base: str) -> tuple[httpx.Client, str, int, str]:
    client = httpx.Client(base_url=base, timeout=10)
    email = f"load-{uuid.uuid4().hex[:8]}@example.org"
    form = client.get("/signup").text
    client.post(
        "/signup",
        data={
            "email": email,
            "password": "correct horse battery",
            "display_name": "Load",
            "role": "patient",
            "csrf_token": csrf_of(form),
        },
    )
    account = client.get("/account").text
    page = client.post(
        "/account/tokens",
        data={"name": "load", "scope": "write", "csrf_token": csrf_of(account)},
    ).text
    token = re.search(r"psoas_[A-Za-z0-9_\-]+", page).group(0)  # type: ignore[union-attr]
    auth = {"Authorization": f"Bearer {token}"}
    intake = (ROOT / "examples" / "office-worker.json").read_bytes()
    done = client.post(
        "/api/v1/me/assessment",
        content=intake,
        headers={**auth, "content-type": "application/json"},
    )
    done.raise_for_status()
    session = client.post("/api/v1/me/sessions", json={}, headers=auth).json()
    plan = client.get("/api/v1/me/session-plan", headers=auth).json()
    item = plan["steps"][0]["item_id"]
    return client, token, int(session["id"]), item


async def fire(base: str, make_request, label: str) -> None:  # type: ignore[no-untyped-def]
    latencies: list[float] = []
    errors: Counter[str] = Counter()
    async with httpx.AsyncClient(
        base_url=base, timeout=5, limits=httpx.Limits(max_connections=50)
    ) as client:
        warm_up = RATE * WARM_UP_SECONDS
        begin = time.perf_counter()
        start = begin + WARM_UP_SECONDS
        tasks = []

        async def one(n: int) -> None:
            t = time.perf_counter()
            try:
                response = await make_request(client, n)
                if n >= warm_up and response.status_code >= 400:
                    errors[f"HTTP {response.status_code}"] += 1
            except httpx.HTTPError as exc:
                if n >= warm_up:
                    errors[type(exc).__name__] += 1
            if n >= warm_up:
                latencies.append(time.perf_counter() - t)

        for n in range(warm_up + RATE * SECONDS):
            target = begin + n / RATE
            delay = target - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one(n)))
        await asyncio.gather(*tasks)
        elapsed = time.perf_counter() - start
    latencies.sort()
    p50 = statistics.median(latencies) * 1000
    p99 = latencies[int(len(latencies) * 0.99) - 1] * 1000
    print(
        f"  {label:<22} {len(latencies) / elapsed:6.1f} req/s  p50 {p50:6.1f} ms  "
        f"p99 {p99:6.1f} ms  max {latencies[-1] * 1000:6.1f} ms  "
        f"errors {sum(errors.values())}{' ' + str(dict(errors)) if errors else ''}"
    )


def run(label: str, url: str) -> None:
    with tempfile.TemporaryFile() as log:
        port = free_port()
        proc = serve(url, port, log)
        try:
            measure(label, f"http://127.0.0.1:{port}")
        finally:
            proc.terminate()
            proc.wait(timeout=10)
            log.seek(0)
            said = log.read().decode(errors="replace").strip()
            if said:  # the server writes only warnings and errors
                print("  the server said:\n    " + said[-3000:].replace("\n", "\n    "))


def measure(label: str, base: str) -> None:
    client, token, session_id, item = setup_patient(base)
    cookies = dict(client.cookies)
    auth = {"Authorization": f"Bearer {token}"}
    print(f"{label}: {RATE} requests/s for {SECONDS} s each, 2 workers")

    async def program_page(c: httpx.AsyncClient, n: int) -> httpx.Response:
        return await c.get("/me", cookies=cookies)

    async def save_set(c: httpx.AsyncClient, n: int) -> httpx.Response:
        return await c.post(
            f"/api/v1/me/sessions/{session_id}/sets",
            headers=auth,
            json={
                "key": f"load-{n}-{uuid.uuid4().hex[:8]}",
                "item_id": item,
                "side": "left",
                "set_number": 1,
                "minutes": 2,
                "completed_at": datetime.now(UTC).isoformat(),
            },
        )

    asyncio.run(fire(base, program_page, "program page (GET /me)"))
    asyncio.run(fire(base, save_set, "save a set (POST)"))


def main() -> None:
    on_both(run)


if __name__ == "__main__":
    main()
