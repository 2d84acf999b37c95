"""A simulated host: one device or hub on its own loopback address, advertised over mDNS.

Every host binds 127.0.0.x only (the simulator refuses any other address) and is
advertised by the home's one `Advertiser`, itself bound to 127.0.0.1. A brand's simulator
subclasses `SimHost` and implements `_serve` / `_unserve` (open and close its sockets)
and `services` (its mDNS records); `SimHost` handles the generic faults: `host_down`
closes the port, `moved` reopens it on another address, `not_advertised` withdraws the
records.

A host's own state changes (a light switched, a relay tripped) are announced to whoever
`watch`es it: that is how the Home Assistant simulator's integrations hear the vendor
devices they mirror (`links`), as real integrations hear event streams and notifications.
"""

from __future__ import annotations

import asyncio
import ipaddress
from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import ClassVar

from zeroconf.asyncio import AsyncServiceInfo

from .faults import Fault, FaultKind, FaultSet
from .mdns import Advertiser


def loopback(address: str) -> str:
    """`address` if it is a 127.0.0.0/8 address; ValueError otherwise (nothing leaves this machine)."""
    if not ipaddress.ip_address(address).is_loopback:
        raise ValueError(f"{address} is not a loopback address: the simulated home only binds 127.0.0.x")
    return address


class Datagrams(asyncio.DatagramProtocol):
    """Hands every datagram a UDP simulator receives to `received(data, sender)`."""

    def __init__(self, received: Callable[[bytes, tuple[str, int]], None]) -> None:
        self._received = received

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        self._received(data, addr)


class SimHost(ABC):
    """One simulated host. `start` opens it, `stop` closes it; `faults` may change any time."""

    brand: ClassVar[str]
    # The faults of this brand it can be given, beside the generic ones every host takes.
    brand_faults: ClassVar[frozenset[FaultKind]] = frozenset()
    # The faults of how it is reached (`reset`, for hosts that speak TCP), beside those.
    transport_faults: ClassVar[frozenset[FaultKind]] = frozenset()

    def __init__(self, name: str, address: str, advertiser: Advertiser | None = None) -> None:
        self.name = name
        self.home_address = loopback(address)
        self.address = self.home_address
        self.faults = FaultSet()
        self.advertiser = advertiser
        self._serving = False
        self._advertised: list[AsyncServiceInfo] = []
        self._changes: list[Fault] = []
        self._watchers: list[Callable[[], None]] = []
        self.faults.on_change(lambda fault, on: self._changes.append(fault))

    def watch(self, callback: Callable[[], None]) -> None:
        """Call `callback()` after every change of the host's own state (not its faults: watch
        `faults.on_change` for those)."""
        self._watchers.append(callback)

    def _changed(self) -> None:
        """Tell the watchers the host's state changed."""
        for callback in list(self._watchers):
            callback()

    # -------------------------------------------------------------- subclass API

    @abstractmethod
    async def _serve(self) -> None:
        """Open the host's sockets on `self.address`."""

    @abstractmethod
    async def _unserve(self) -> None:
        """Close them."""

    @abstractmethod
    def services(self) -> list[AsyncServiceInfo]:
        """The mDNS records the real device publishes, pointing at `self.address`."""

    # -------------------------------------------------------------- lifecycle

    async def start(self) -> None:
        """Open the host and advertise it, as its faults allow."""
        await self.apply_faults()

    async def stop(self) -> None:
        """Withdraw it from mDNS and close it."""
        await self._withdraw()
        if self._serving:
            await self._unserve()
            self._serving = False

    async def apply_faults(self) -> None:
        """Bring sockets and mDNS records in line with the faults now active."""
        self._changes.clear()
        moved = self.faults.active(FaultKind.MOVED)
        address = loopback(moved.address) if moved and moved.address else self.home_address
        should_serve = self.faults.active(FaultKind.HOST_DOWN) is None
        if self._serving and (not should_serve or address != self.address):
            await self._withdraw()
            await self._unserve()
            self._serving = False
        self.address = address
        if should_serve and not self._serving:
            await self._serve()
            self._serving = True
        advertise = self._serving and self.faults.active(FaultKind.NOT_ADVERTISED) is None
        if advertise and not self._advertised:
            await self._advertise()
        elif not advertise and self._advertised:
            await self._withdraw()

    async def inject(self, fault: Fault) -> None:
        """Turn a fault on and apply it now."""
        self.faults.add(fault)
        await self.apply_faults()

    async def heal(self, fault: Fault | None = None) -> None:
        """Turn one fault (or every fault) off and apply it now."""
        if fault is None:
            self.faults.clear()
        else:
            self.faults.remove(fault)
        await self.apply_faults()

    async def _advertise(self) -> None:
        if self.advertiser is None:
            return
        self._advertised = self.services()
        for info in self._advertised:
            await self.advertiser.register(info)

    async def _withdraw(self) -> None:
        if self.advertiser is not None:
            for info in self._advertised:
                await self.advertiser.unregister(info)
        self._advertised = []
