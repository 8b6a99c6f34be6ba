"""Running the web app under uvicorn, with one worker or several.

With several workers uvicorn binds the listening socket itself and leaves its protocol number
at 0; asyncio then never turns on TCP_NODELAY for the connections it accepts, and on Linux
every keep-alive response after the first waits about 40 ms for the client's delayed ACK
(uvicorn issue #3149). ``TcpConfig`` binds the same socket with the protocol set, so that
every worker's connections answer at once.

A worker also freezes what it made at start-up (modules, catalog, templates) out of the cyclic
garbage collector: its full passes otherwise stop a busy worker for 100-150 ms at a time (seen
with ``benchmarks/load_web.py``), which was most of the slowest 1% of requests.
"""

from __future__ import annotations

import gc
import socket

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


class TcpConfig(uvicorn.Config):
    """uvicorn's configuration, binding TCP listeners with ``IPPROTO_TCP`` (see above)."""

    def bind_socket(self) -> socket.socket:
        sock = super().bind_socket()
        if sock.family not in (socket.AF_INET, socket.AF_INET6) or sock.proto:
            return sock
        tcp = socket.socket(sock.family, sock.type, socket.IPPROTO_TCP, fileno=sock.detach())
        tcp.set_inheritable(True)
        return tcp


def config(*, host: str, port: int, workers: int) -> TcpConfig:
    return TcpConfig(
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
