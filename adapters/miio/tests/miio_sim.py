"""The miIO adapter tests' simulated devices (on UDP 54321, as python-miio requires) and sessions to
them, each closed however a test ends."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from weaklink.live.contract import HostSpec
from weaklink.live.secrets import Secret
from weaklink.sim import Advertiser
from weaklink.sim.addresses import next_loopback  # one per process: no test reuses another's address
from weaklink.sim.miio import HELLO, MiioDevice, MiioSpec
from weaklink_miio import MiioAdapter, MiioSession

TOKEN = "2b00042f7481c7b056c4b410d28f33cf"
DID = 123786956
MAC = "28:6C:07:85:86:D3"
TIMEOUT = 1.0  # a loopback device answers in a millisecond; short enough to keep the fault tests fast


class RecordingDevice(MiioDevice):
    """The simulated device, keeping every datagram it reads: proof of what a client sent it."""

    def __init__(self, spec: MiioSpec, advertiser: Advertiser | None = None) -> None:
        super().__init__(spec, advertiser)
        self.received: list[bytes] = []

    def reply(self, datagram: bytes) -> bytes | None:
        """Record the datagram, then answer as the device does."""
        self.received.append(datagram)
        return super().reply(datagram)

    async def __aenter__(self) -> RecordingDevice:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    @property
    def sealed(self) -> list[bytes]:
        """The datagrams that were not hellos: commands sealed with some token."""
        return [datagram for datagram in self.received if datagram != HELLO]


def plug_spec(**fields: Any) -> MiioSpec:
    """The kitchen plug of the simulator's own tests, on a fresh loopback address unless told one."""
    return MiioSpec(**{"name": "Kitchen plug", "address": next_loopback(), "device_id": DID, "token": TOKEN,
                       "mac": MAC, **fields})


def host_for(device: MiioDevice, token: str = TOKEN, **options: Any) -> HostSpec:
    """The home file's entry for `device`."""
    return HostSpec(adapter="miio", name=device.spec.name, address=device.address,
                    credentials={"token": Secret(token, "literal")}, options=options)


@asynccontextmanager
async def opened(host: HostSpec, timeout: float = TIMEOUT) -> AsyncIterator[MiioSession]:
    """A session to `host`, closed however the test ends."""
    session = await MiioAdapter().connect(host, timeout)
    try:
        yield session
    finally:
        await session.close()
