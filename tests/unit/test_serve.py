"""The web server's listening socket: connections accepted from it answer without Nagle's delay.

Before 0.55 uvicorn's several-worker mode bound a socket whose protocol was 0, and asyncio then
left TCP_NODELAY off on every accepted connection (each keep-alive response waited ~40 ms for a
delayed ACK). Checked on a real socket and a real asyncio server, not by timing.
"""

from __future__ import annotations

import asyncio
import socket
from concurrent.futures import ThreadPoolExecutor

import pytest

from psoas.web import serve


async def _nodelay_of_accepted(listener: socket.socket) -> int:
    seen: asyncio.Future[int] = asyncio.get_running_loop().create_future()

    class Report(asyncio.Protocol):
        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            sock = transport.get_extra_info("socket")
            seen.set_result(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
            transport.close()

    server = await asyncio.get_running_loop().create_server(Report, sock=listener)
    port = listener.getsockname()[1]
    _reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        return await asyncio.wait_for(seen, 10)
    finally:
        writer.close()
        server.close()
        await server.wait_closed()


def test_the_listener_gives_accepted_connections_tcp_nodelay() -> None:
    listener = serve.config(host="127.0.0.1", port=0, workers=2).bind_socket()
    assert listener.proto == socket.IPPROTO_TCP
    assert listener.get_inheritable()  # the workers share it
    # in a thread of its own: the browser tests' driver may hold this thread's event loop
    with ThreadPoolExecutor(1) as pool:
        assert pool.submit(asyncio.run, _nodelay_of_accepted(listener)).result(30) == 1


def test_a_served_app_is_frozen_out_of_the_collectors_full_passes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import gc

    from fastapi import FastAPI

    monkeypatch.setattr(gc, "freeze", lambda: frozen.append(True))
    frozen: list[bool] = []
    app = serve.served_app()
    assert isinstance(app, FastAPI) and frozen == [True]
    assert serve.config(host="127.0.0.1", port=0, workers=1).app == "psoas.web.serve:served_app"
