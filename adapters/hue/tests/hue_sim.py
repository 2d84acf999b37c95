"""A simulated Hue bridge that remembers every request it was sent, for the adapter's tests."""

from __future__ import annotations

import secrets
from typing import Any

from aiohttp import web
from zeroconf.asyncio import AsyncServiceInfo

from weaklink.live.contract import HostSpec
from weaklink.live.secrets import Secret
from weaklink.sim.http import Handler
from weaklink.sim.hue import SERVICE_TYPE, HueBridge, HueBridgeSpec
from weaklink.sim.mdns import service_info

PORT = 8443
KEY = "hue-adapter-test-key-5d1e0c7a"


def make_spec(address: str, **changes: Any) -> HueBridgeSpec:
    """Two lights, a motion and a contact sensor; a fresh bridge id (records on the shared mDNS must not collide)."""
    spec: dict[str, Any] = {
        "name": "Hue Bridge", "address": address, "port": PORT, "bridge_id": f"001788fffe{secrets.token_hex(3)}",
        "app_key": KEY,
        "lights": [{"id": "1", "name": "Driveway", "room": "Outside", "archetype": "wall_lantern"},
                   {"id": "2", "name": "Hall", "on": True, "brightness": 50.0}],
        "sensors": [{"id": "5", "name": "Drive motion", "type": "motion", "room": "Outside"},
                    {"id": "6", "name": "Garage side door", "type": "contact"}],
    }
    return HueBridgeSpec(**(spec | changes))


def host_of(bridge: HueBridge, key: str = KEY, **options: Any) -> HostSpec:
    """The home file's entry for `bridge`: its address, key and (unless told otherwise) its bridge id."""
    return HostSpec(adapter="hue", name=bridge.name, address=bridge.address, port=PORT,
                    credentials={"app_key": Secret(key, "literal")},
                    options={"bridge_id": bridge.bridge_id} | options)


class RecordingBridge(HueBridge):
    """A bridge that writes down each request's path and headers as it arrives."""

    def __init__(self, spec: HueBridgeSpec, advertiser: Any = None, txt_bridge_id: str | None = None) -> None:
        super().__init__(spec, advertiser)
        self.requests: list[str] = []
        self.txt_bridge_id = txt_bridge_id or self.bridge_id

    def routes(self, app: web.Application) -> None:
        """The bridge's routes, behind a middleware that records every request."""
        app.middlewares.insert(0, self._record)
        super().routes(app)

    @web.middleware
    async def _record(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        headers = " ".join(f"{name}={value}" for name, value in request.headers.items())
        self.requests.append(f"{request.method} {request.path_qs} {headers}")
        return await handler(request)

    def saw(self, secret: str = KEY) -> bool:
        """Whether any request carried `secret`, in its path or a header."""
        return any(secret in line for line in self.requests)

    def services(self) -> list[AsyncServiceInfo]:
        """The bridge's record, with the TXT `bridgeid` this test wants it to claim."""
        suffix = self.bridge_id[-6:].upper()
        return [service_info(SERVICE_TYPE, f"Hue Bridge - {suffix}", self.address, self.port,
                             {"bridgeid": self.txt_bridge_id, "modelid": self.spec.model},
                             server=f"hue-bridge-{suffix.lower()}.local.")]
