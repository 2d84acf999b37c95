"""Helpers of the Shelly adapter's tests: a simulated Shelly that records what it was sent, a home file entry."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from weaklink.live.contract import HostSpec
from weaklink.live.secrets import Secret
from weaklink.model import EventRecord, StateChange
from weaklink.sim import Advertiser
from weaklink.sim.shelly import ShellyDevice, ShellySpec
from weaklink_shelly import ShellySession

PORT = 8080
PASSWORD = "s3cret-relay-pw"


@dataclass(frozen=True)
class Seen:
    """One HTTP request (or `ws:<method>` frame) a simulated device received, and its authorization."""

    path: str
    authorization: str | None


class RecordingShelly(ShellyDevice):
    """A simulated Shelly that remembers every HTTP request sent to it, credentials included."""

    def __init__(self, spec: ShellySpec, advertiser: Advertiser | None = None) -> None:
        super().__init__(spec, advertiser)
        self.seen: list[Seen] = []

    def _application(self) -> web.Application:
        app = super()._application()

        @web.middleware
        async def record(request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
                         ) -> web.StreamResponse:
            # the body is left unread: the device's handler reads it
            self.seen.append(Seen(request.path_qs, request.headers.get("Authorization")))
            return await handler(request)

        app.middlewares.insert(0, record)
        return app

    async def _ws_frame(self, peer: Any, text: str) -> None:
        await super()._ws_frame(peer, text)  # recorded once answered (the peer then gets notifications)
        try:
            frame = json.loads(text)
        except ValueError:
            frame = {}
        self.seen.append(Seen(f"ws:{frame.get('method')}", "auth" if "auth" in frame else None))

    def saw_credentials(self) -> bool:
        """Whether any request carried an Authorization header or the test password."""
        return any(seen.authorization or PASSWORD in seen.path for seen in self.seen)


Make = Callable[..., Awaitable[RecordingShelly]]
Connect = Callable[..., Awaitable[ShellySession]]


def host_for(device: ShellyDevice, password: str | None = None, **options: Any) -> HostSpec:
    """The home file's entry for `device`: its address, port 8080, the password if given, and `options`."""
    credentials = {"password": Secret(password, "literal")} if password is not None else {}
    return HostSpec(adapter="shelly", name=device.name, address=device.home_address, port=PORT,
                    credentials=credentials, options=options)




async def next_change(changes: AsyncIterator[StateChange | EventRecord],
                      until: Callable[[StateChange], bool] = lambda change: True) -> StateChange:
    """The next state change that satisfies `until` (3 s at most)."""
    async def wait() -> StateChange:
        async for change in changes:
            if isinstance(change, StateChange) and until(change):
                return change
        raise AssertionError("the observation ended")

    return await asyncio.wait_for(wait(), 3)


async def until_seen(device: RecordingShelly, path: str, count: int = 1) -> None:
    """Wait until `device` has received `path` `count` times (3 s at most)."""
    for _ in range(300):
        if sum(seen.path == path for seen in device.seen) >= count:
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"{path} was not requested {count} times")
