"""Helpers of the Kasa adapter's live tests: a home file entry for a simulated device, the next
state change of an observation, `weaklink` run as a user runs it."""

from __future__ import annotations

import asyncio
import os
import subprocess
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

from weaklink.live.contract import HostSpec
from weaklink.model import EventRecord, StateChange
from weaklink.sim.kasa import KasaDevice
from weaklink.sim.process import WEAKLINK
from weaklink_kasa.session import KasaSession

PORT = 19999  # a high port: each simulated device has a fresh loopback address of its own


Make = Callable[..., Awaitable[KasaDevice]]
Connect = Callable[..., Awaitable[KasaSession]]


def host_for(device: KasaDevice, **options: Any) -> HostSpec:
    """The home file's entry for `device`: its address, the test port, and `options`."""
    return HostSpec(adapter="kasa", name=device.name, address=device.home_address, port=PORT, options=options)


async def next_change(changes: AsyncIterator[StateChange | EventRecord],
                      until: Callable[[StateChange], bool] = lambda change: True) -> StateChange:
    """The next state change that satisfies `until` (5 s at most)."""
    async with asyncio.timeout(5):
        async for change in changes:
            if isinstance(change, StateChange) and until(change):
                return change
    raise AssertionError("the observation ended")


def outlet(device: KasaDevice, number: int) -> str:
    """The capability id of a strip's outlet `number` (1-based)."""
    return f"kasa:{device.spec.device_id}/outlet:{number}"


def switch(device: KasaDevice) -> str:
    """The capability id of a plug's relay."""
    return f"kasa:{device.spec.device_id}/switch"


def weaklink(*args: str | Path) -> subprocess.CompletedProcess[str]:
    """Run the `weaklink` command line to its end."""
    return subprocess.run([*WEAKLINK, *map(str, args)], capture_output=True, text=True, timeout=60, check=False,
                          env={**os.environ, "COLUMNS": "250"})
