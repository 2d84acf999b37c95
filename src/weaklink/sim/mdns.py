"""mDNS for the simulated home: one zeroconf instance bound to 127.0.0.1, never a real interface."""

from __future__ import annotations

import asyncio
import socket

from zeroconf import IPVersion
from zeroconf.asyncio import AsyncServiceInfo, AsyncZeroconf

LOOPBACK_INTERFACE = "127.0.0.1"


def service_info(service_type: str, instance: str, address: str, port: int, properties: dict[str, str],
                 server: str | None = None) -> AsyncServiceInfo:
    """An mDNS record as a device publishes it: `instance._type._tcp.local.` at `address:port`."""
    host = server or f"{instance.lower().replace(' ', '-')}.local."
    return AsyncServiceInfo(
        service_type,
        f"{instance}.{service_type}",
        addresses=[socket.inet_aton(address)],
        port=port,
        properties=properties,
        server=host,
    )


class Advertiser:
    """Publishes and withdraws the simulated hosts' records, on loopback only."""

    def __init__(self) -> None:
        self._zeroconf: AsyncZeroconf | None = None
        # Registering returns at once; the announcements go out in the background. A record
        # withdrawn meanwhile must not be announced again after its goodbye: keep them to cancel.
        self._announcing: dict[str, asyncio.Future[object]] = {}

    async def start(self) -> None:
        """Open the mDNS socket on 127.0.0.1."""
        if self._zeroconf is None:
            self._zeroconf = AsyncZeroconf(interfaces=[LOOPBACK_INTERFACE], ip_version=IPVersion.V4Only)

    async def register(self, info: AsyncServiceInfo) -> None:
        """Publish one record.

        Names are unique within a simulated home by construction, so the conflict probing a
        real responder does first (three queries, 750 ms) is skipped.
        """
        await self.start()
        assert self._zeroconf is not None
        announcing = await self._zeroconf.async_register_service(info, allow_name_change=False,
                                                                 cooperating_responders=True)
        self._announcing[info.name] = asyncio.ensure_future(announcing)

    async def unregister(self, info: AsyncServiceInfo) -> None:
        """Withdraw one record (a goodbye packet, TTL 0)."""
        announcing = self._announcing.pop(info.name, None)
        if announcing is not None and not announcing.done():
            announcing.cancel()
        if self._zeroconf is not None:
            await (await self._zeroconf.async_unregister_service(info))  # until the goodbyes are sent

    async def close(self) -> None:
        """Withdraw everything and close the socket."""
        for announcing in self._announcing.values():
            announcing.cancel()
        self._announcing.clear()
        if self._zeroconf is not None:
            await self._zeroconf.async_unregister_all_services()
            await self._zeroconf.async_close()
            self._zeroconf = None
