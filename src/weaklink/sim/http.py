"""Simulated hosts that speak HTTP (Hue, Shelly, Home Assistant): aiohttp on a loopback address.

A subclass builds its `web.Application` in `routes`; this module serves it on the host's
address and applies the generic faults to every request: `slow` and `drop` before the
handler answers, `garble` to what it answered (the body cut short mid-JSON, as a crashing
firmware sends it), and `reset`, which only HTTP hosts take: the connection is reset (a TCP
RST) as the request arrives. Every request is written down in `request_log` (method, path and
headers), so a test can show what a host was, and was not, sent.
"""

from __future__ import annotations

import asyncio
import socket
import ssl
import struct
from abc import abstractmethod
from collections.abc import Awaitable, Callable
from typing import ClassVar

from aiohttp import web

from .faults import FaultKind
from .host import SimHost
from .mdns import Advertiser

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class HttpHost(SimHost):
    """A host answering HTTP (or HTTPS, when `tls` is given) on one port."""

    transport_faults: ClassVar[frozenset[FaultKind]] = frozenset({FaultKind.RESET})

    def __init__(self, name: str, address: str, port: int, advertiser: Advertiser | None = None,
                 tls: ssl.SSLContext | None = None) -> None:
        super().__init__(name, address, advertiser)
        self.port = port
        self.tls = tls
        self._runner: web.AppRunner | None = None
        self._held: set[asyncio.Task[object]] = set()  # requests held back by `slow` or `drop`
        self.request_log: list[str] = []  # "METHOD /path name=value …" of every request, as it arrived

    @property
    def base_url(self) -> str:
        """Where a client reaches the host now."""
        return f"{'https' if self.tls else 'http'}://{self.address}:{self.port}"

    @abstractmethod
    def routes(self, app: web.Application) -> None:
        """Add the brand's routes to `app`."""

    def _application(self) -> web.Application:
        app = web.Application(middlewares=[self._fault_middleware])
        self.routes(app)
        return app

    @web.middleware
    async def _fault_middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        self.request_log.append(" ".join([request.method, request.path_qs,
                                    *(f"{name}={value}" for name, value in request.headers.items())]))
        if self.faults.active(FaultKind.RESET) is not None and request.transport is not None:
            raw = request.transport.get_extra_info("socket")
            if raw is not None:  # linger 0: close() sends a RST, not a FIN
                raw.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            request.transport.abort()
            raise web.HTTPServiceUnavailable()  # never reaches the client: its connection is gone
        task = asyncio.current_task()
        if task is not None:
            self._held.add(task)
        try:
            await self.faults.before_answer()
        finally:
            self._held.discard(task)  # type: ignore[arg-type]
        if request.transport is None or request.transport.is_closing():
            raise web.HTTPRequestTimeout()  # the client gave up while the host was slow: nobody to answer
        try:
            response = await handler(request)
        except ConnectionResetError:
            raise web.HTTPRequestTimeout() from None  # the client left mid-answer (a WebSocket it stopped waiting for)
        if self.faults.active(FaultKind.GARBLE) is not None and isinstance(response, web.Response) and response.body:
            body = bytes(response.body)  # type: ignore[arg-type]
            return web.Response(status=response.status, body=body[: max(1, len(body) // 2)],
                                content_type=response.content_type)
        return response

    async def _serve(self) -> None:
        # A host going down does not wait for requests it is holding (a `drop` fault holds
        # them forever): they are cut, as a device losing power cuts them.
        self._runner = web.AppRunner(self._application(), access_log=None, handle_signals=False,
                                     shutdown_timeout=0.1)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.address, self.port, ssl_context=self.tls, reuse_address=True)
        await site.start()

    async def _unserve(self) -> None:
        # Requests held by `drop` (or still slow) end with the host, as on a device losing power.
        for task in list(self._held):
            task.cancel()
        await asyncio.gather(*self._held, return_exceptions=True)
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
