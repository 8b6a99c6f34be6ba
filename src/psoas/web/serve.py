"""Running the web app under uvicorn, with one worker or several.

With several workers uvicorn binds the listening socket itself. Before 0.55 it left the socket's
protocol number at 0; asyncio then never turned on TCP_NODELAY for the connections it accepted,
and on Linux every keep-alive response after the first waited about 40 ms for the client's
delayed ACK (uvicorn issue #3149). psoas needs uvicorn 0.55 or newer, which binds with
``IPPROTO_TCP``; a test holds that on a real socket.

A worker also freezes what it made at start-up (modules, catalog, templates) out of the cyclic
garbage collector: its full passes otherwise stop a busy worker for 100-150 ms at a time (seen
with ``benchmarks/load_web.py``), which was most of the slowest 1% of requests.
"""

from __future__ import annotations

import gc

import uvicorn
from fastapi import FastAPI
from uvicorn.supervisors import Multiprocess

APP = "psoas.web.serve:served_app"


def served_app() -> FastAPI:
    """The app as a worker serves it: made, then frozen out of the garbage collector's passes."""
    from psoas.catalog import load_catalog
    from psoas.web.app import create_app

    app = create_app()
    load_catalog()
    gc.collect()
    gc.freeze()
    return app


def config(*, host: str, port: int, workers: int) -> uvicorn.Config:
    return uvicorn.Config(
        APP,
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="warning",
        access_log=False,
    )


def run(*, host: str, port: int, workers: int) -> None:
    """Serve until interrupted (Ctrl+C or SIGTERM)."""
    cfg = config(host=host, port=port, workers=workers)
    try:
        if workers > 1:
            Multiprocess(cfg, sockets=[cfg.bind_socket()]).run()
            return
        server = uvicorn.Server(cfg)
        server.run()
    except KeyboardInterrupt:
        return
    if not server.started:  # the port was taken, or the app failed to load
        raise SystemExit(3)
