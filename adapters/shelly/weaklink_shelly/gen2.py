"""Gen2+ (Plus, Pro, Gen3, Gen4) switches over JSON-RPC: `Shelly.GetStatus`, `Switch.Set`, the `/rpc` WebSocket.

Reads and commands go over HTTP (`GET /rpc/Shelly.GetStatus`, `POST /rpc/Switch.Set`),
signed with SHA-256 digest auth when the device has a password; changes come over the
WebSocket (see `rpcsocket`). A switch in trouble lists it in `switch:<i>.errors`
(`overpower`, `overtemp`, `overvoltage`, `undervoltage`, `overcurrent`).
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from datetime import datetime
from typing import Any

from .errors import RequestFailed
from .http import ShellyHttp
from .relays import RelayState
from .rpcsocket import RpcSocket
from .switches import read_switches


class Gen2Api:
    """What weaklink asks of a Gen2+ device: reads and commands over HTTP RPC, changes over the WebSocket."""

    def __init__(self, http: ShellyHttp, socket: RpcSocket, generation: int) -> None:
        self.http = http
        self.socket = socket
        self.generation = generation

    async def relays(self, timeout: float) -> tuple[list[RelayState], float]:
        """Every switch's state now (`Shelly.GetStatus`), and the request's latency in ms."""
        answer = await self.http.get("/rpc/Shelly.GetStatus", timeout, signed=True)
        return read_switches(answer.body, self.http.where, "Shelly.GetStatus", full=True), answer.latency_ms

    async def switch(self, index: int, turn: str, timeout: float) -> None:
        """Turn switch `index` `on`, `off` or `toggle` (`Switch.Set` / `Switch.Toggle`)."""
        method = "Switch.Toggle" if turn == "toggle" else "Switch.Set"
        params: dict[str, Any] = {"id": index} if turn == "toggle" else {"id": index, "on": turn == "on"}
        answer = await self.http.request("POST", f"/rpc/{method}", timeout, signed=True, body=params)
        if not isinstance(answer.body, dict) or "was_on" not in answer.body:
            raise RequestFailed("device", "malformed", f"{self.http.where} answered {method} without was_on")

    def updates(self, timeout: float) -> AsyncGenerator[tuple[list[RelayState], datetime | None], None]:
        """Every switch's state, then each change the device notifies (RequestFailed ends it)."""
        return self.socket.updates(timeout)
