"""Gen1 relays over REST: `/status` to read them, `/relay/<i>?turn=` to switch, polling to observe.

Gen1 pushes changes only over CoIoT (CoAP multicast), which weaklink does not join: it polls
`/status` instead, every `poll_interval` seconds (1 s unless the home file says otherwise).
A relay tripped by overpower says so in `relays[i].overpower` (and, on metering models, the
power that tripped it in `meters[i].overpower`).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ValidationError

from .errors import RequestFailed
from .http import ShellyHttp
from .relays import RelayState

DEFAULT_POLL_INTERVAL = 1.0  # seconds between two `/status` reads while observing


class _Relay(BaseModel):
    ison: bool
    overpower: bool = False
    source: str | None = None


class _Meter(BaseModel):
    power: float | None = None
    overpower: float | None = None


class _Status(BaseModel):
    relays: list[_Relay]
    meters: list[_Meter] = []


def read_relays(body: Any, where: str, path: str) -> list[RelayState]:
    """The relays of a `/status` answer; RequestFailed (device, malformed) when it has none readable."""
    try:
        status = _Status.model_validate(body)
    except ValidationError as error:
        raise RequestFailed("device", "malformed", f"{where} answered {path} without readable relays "
                            f"({error.error_count()} problems, first at {_location(error)})") from None
    relays = []
    for index, relay in enumerate(status.relays):
        meter = status.meters[index] if index < len(status.meters) else None
        evidence = ""
        if relay.overpower:
            evidence = f"relays[{index}].overpower is true"
            if meter is not None and meter.overpower:
                evidence += f", meters[{index}].overpower = {meter.overpower:g} W"
        relays.append(RelayState(index=index, on=relay.ison, errors=("overpower",) if relay.overpower else (),
                                 source=relay.source, power_w=meter.power if meter else None,
                                 fault_evidence=evidence))
    return relays


def _location(error: ValidationError) -> str:
    return ".".join(str(part) for part in error.errors()[0]["loc"]) or "the top"


class Gen1Api:
    """What weaklink asks of a Gen1 device, over its REST paths (signed with basic auth when it has a password)."""

    generation = 1

    def __init__(self, http: ShellyHttp, poll_interval: float = DEFAULT_POLL_INTERVAL) -> None:
        self.http = http
        self.poll_interval = poll_interval

    async def relays(self, timeout: float) -> tuple[list[RelayState], float]:
        """Every relay's state now, and the request's latency in ms."""
        answer = await self.http.get("/status", timeout, signed=True)
        return read_relays(answer.body, self.http.where, "/status"), answer.latency_ms

    async def switch(self, index: int, turn: str, timeout: float) -> None:
        """Turn relay `index` `on`, `off` or `toggle`."""
        answer = await self.http.get(f"/relay/{index}?turn={turn}", timeout, signed=True)
        read_relays({"relays": [answer.body]}, self.http.where, f"/relay/{index}")

    async def updates(self, timeout: float) -> AsyncGenerator[tuple[list[RelayState], datetime | None], None]:
        """Every relay's state, read every `poll_interval` seconds (RequestFailed ends it)."""
        while True:
            relays, _ = await self.relays(timeout)
            yield relays, None
            await asyncio.sleep(self.poll_interval)
