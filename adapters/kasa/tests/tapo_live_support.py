"""Helpers of the Kasa adapter's Tapo (KLAP) tests: a home file entry for a simulated Tapo device,
its capability ids, what it was sent."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from weaklink_kasa.tapo_session import TapoSession

from weaklink.live.contract import HostSpec
from weaklink.live.secrets import Secret
from weaklink.sim.tapo import TapoDevice

TAPO_PORT = 18080  # a high port: each simulated device has a fresh loopback address of its own

MakeTapo = Callable[..., Awaitable[TapoDevice]]
ConnectTapo = Callable[..., Awaitable[TapoSession]]


def tapo_host(device: TapoDevice, *, username: str | None = None, password: str | None = None,
              **options: Any) -> HostSpec:
    """The home file's entry for `device`: its address, the test port, the account (its own unless
    another is given), and `options`."""
    credentials = {"username": Secret(username or device.spec.username, "literal"),
                   "password": Secret(password or device.spec.password, "literal")}
    return HostSpec(adapter="kasa", name=device.name, address=device.home_address, port=TAPO_PORT,
                    credentials=credentials, options=options)


def plug_switch(device: TapoDevice) -> str:
    """The capability id of a plug's relay."""
    return f"kasa:{device.spec.device_id}/switch"


def strip_outlet(device: TapoDevice, number: int) -> str:
    """The capability id of a strip's outlet `number` (1-based, its position)."""
    return f"kasa:{device.spec.device_id}/outlet:{number}"


def paths(device: TapoDevice) -> list[str]:
    """The KLAP paths the device was sent, in order (`handshake1`, `handshake2`, `request`)."""
    return [line.split()[1].split("?")[0].removeprefix("/app/") for line in device.request_log]


def commands(device: TapoDevice) -> list[tuple[str, Any]]:
    """The commands the device acted on."""
    return list(device.calls)
