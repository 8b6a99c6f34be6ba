"""Load test of the web app on loopback: the patient's program page and saving a set.

Starts `psoas web` with two workers on 127.0.0.1 (SQLite file, then PostgreSQL in a scratch
schema), signs up a patient with a program, then sends a fixed rate of requests for a bounded
time and prints requests per second and p50/p99 latency. Loopback only, bounded in time and
count, stops by itself. Each run starts with a few uncounted requests (warm-up).
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
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import httpx
from _databases import on_both

ROOT = Path(__file__).resolve().parents[1]
RATE = 100  # requests per second
SECONDS = 10
WARM_UP = 50  # requests first, not counted: templates compiled, pools filled


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def serve(url: str, port: int) -> subprocess.Popen[bytes]:
    env = dict(os.environ, PSOAS_DATABASE_URL=url)
    proc = subprocess.Popen(
        [sys.executable, "-m", "psoas", "web", "--port", str(port), "--workers", "2"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
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


def setup_patient(base: str) -> tuple[httpx.Client, str, int, str]:
    client = httpx.Client(base_url=base, timeout=10)
    email = f"load-{uuid.uuid4().hex[:8]}@example.org"
    client.post(
        "/signup",
        data={
            "email": email,
            "password": "correct horse battery",
            "display_name": "Load",
            "role": "patient",
        },
    )
    account = client.get("/account").text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', account).group(1)  # type: ignore[union-attr]
    page = client.post("/account/tokens", data={"name": "load", "csrf_token": csrf}).text
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
    errors = 0
    async with httpx.AsyncClient(
        base_url=base, timeout=5, limits=httpx.Limits(max_connections=50)
    ) as client:
        for n in range(WARM_UP):
            await make_request(client, -1 - n)
        start = time.perf_counter()
        tasks = []

        async def one(n: int) -> None:
            nonlocal errors
            t = time.perf_counter()
            try:
                response = await make_request(client, n)
                if response.status_code >= 400:
                    errors += 1
            except httpx.HTTPError:
                errors += 1
            latencies.append(time.perf_counter() - t)

        for n in range(RATE * SECONDS):
            target = start + n / RATE
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
        f"p99 {p99:6.1f} ms  max {latencies[-1] * 1000:6.1f} ms  errors {errors}"
    )


def run(label: str, url: str) -> None:
    port = free_port()
    proc = serve(url, port)
    base = f"http://127.0.0.1:{port}"
    try:
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
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def main() -> None:
    on_both(run)


if __name__ == "__main__":
    main()
