"""Helpers of the SmartThings adapter's live tests: a home file entry for a simulated account, the
ids the snapshot gives its devices, the next state change of an observation, `weaklink` run as a
user runs it."""

from __future__ import annotations

import asyncio
import os
import subprocess
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

from weaklink.live.contract import HostSpec
from weaklink.live.secrets import Secret
from weaklink.model import EventRecord, StateChange
from weaklink.sim.process import WEAKLINK
from weaklink.sim.smartthings import SmartThingsCloud
from weaklink_smartthings.session import SmartThingsSession

PORT = 18090  # a high port: each simulated account has a fresh loopback address of its own

Make = Callable[..., Awaitable[SmartThingsCloud]]
Connect = Callable[..., Awaitable[SmartThingsSession]]


def host_for(cloud: SmartThingsCloud, token: str | None = None, **options: Any) -> HostSpec:
    """The home file's entry for `cloud`, as `weaklink sim --write-live-home` writes it (and `options`)."""
    return HostSpec(adapter="smartthings", name="SmartThings", address=cloud.home_address, port=cloud.port,
                    credentials={"token": Secret(token or cloud.spec.token, "literal")},
                    options={"base_url": cloud.api_url, **options})


def capability(cloud: SmartThingsCloud, device: str, name: str) -> str:
    """The capability id the snapshot gives `device`'s (label) capability `name`."""
    return f"smartthings:{cloud.device(device).id}/main/{name}"


def device_ref(cloud: SmartThingsCloud, device: str) -> str:
    """The device id the snapshot gives `device` (label)."""
    return f"smartthings:{cloud.device(device).id}"


def authorized(cloud: SmartThingsCloud) -> list[str]:
    """The requests that carried a token (the cloud's request log: method and path)."""
    return [" ".join(line.split()[:2]) for line in cloud.request_log if "Authorization=" in line]


async def next_change(changes: AsyncIterator[StateChange | EventRecord],
                      until: Callable[[StateChange], bool] = lambda change: True, seconds: float = 5) -> StateChange:
    """The next state change that satisfies `until` (`seconds` at most)."""
    async with asyncio.timeout(seconds):
        async for change in changes:
            if isinstance(change, StateChange) and until(change):
                return change
    raise AssertionError("the observation ended")


def weaklink(*args: str | Path) -> subprocess.CompletedProcess[str]:
    """Run the `weaklink` command line to its end."""
    return subprocess.run([*WEAKLINK, *map(str, args)], capture_output=True, text=True, timeout=60, check=False,
                          env={**os.environ, "COLUMNS": "250"})
