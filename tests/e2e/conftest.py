"""Browser tests: the app served by uvicorn on 127.0.0.1 (a free port; a temporary SQLite file,
then PostgreSQL) and Debian's Chromium driven by Playwright, which never downloads a browser."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from psoas.storage.db import Database
from psoas.web.app import create_app
from tests.conftest import postgres_url_with_fresh_schema

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
PHONE = {"width": 390, "height": 844}


class ServerClock:
    """The app's clock: this machine's, plus however far a test has moved the page's clock
    (Playwright's ``page.clock``), so that times the page sends are not in the future."""

    def __init__(self) -> None:
        self.ahead = timedelta(0)

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.ahead


@dataclass
class Served:
    url: str
    db: Database
    clock: ServerClock = field(default_factory=ServerClock)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Served]:
    """The app on a SQLite file, then on PostgreSQL in a scratch schema (each module twice)."""
    with ExitStack() as stack:
        if request.param == "sqlite":
            url = f"sqlite:///{tmp_path_factory.mktemp('e2e') / 'psoas.db'}"
        else:
            url = stack.enter_context(contextmanager(postgres_url_with_fresh_schema)())
        yield from _serve(url)


def _serve(url: str) -> Iterator[Served]:
    import uvicorn

    clock = ServerClock()
    app = create_app(url, clock=clock)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)  # TCP_NODELAY
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off")
    uv = uvicorn.Server(config)
    thread = threading.Thread(target=uv.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not uv.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("the web app did not start")
        time.sleep(0.05)
    try:
        yield Served(url=f"http://127.0.0.1:{port}", db=app.state.db, clock=clock)
    finally:
        uv.should_exit = True
        thread.join(10)
        sock.close()
        app.state.db.close()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        message = f"Chromium is not installed at {CHROMIUM}: apt-get install chromium"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def context(browser: Any, server: Served) -> Iterator[Any]:
    """A fresh phone-sized browser profile (its own cookies and localStorage)."""
    ctx = browser.new_context(base_url=server.url, viewport=PHONE, device_scale_factor=2)
    ctx.set_default_timeout(15_000)
    try:
        yield ctx
    finally:
        ctx.close()


@pytest.fixture
def page(context: Any) -> Any:
    return context.new_page()
