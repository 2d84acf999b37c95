"""What can go wrong with a simulated device, and the switchboard that turns it on and off.

Every simulated host owns a `FaultSet`. Tests and `weaklink sim --fault` add faults to it
while the host runs; the host's protocol code asks it, request by request, what to do.
Generic faults apply to any host (it is down, slow, silent, garbled, unadvertised, moved);
the others make sense for one brand only, and that brand's simulator documents which
`target` (a light id, a relay index, an automation id, an integration domain) it expects.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class FaultKind(StrEnum):
    """Every fault the simulated home can inject."""

    # any host
    HOST_DOWN = "host_down"  # its port is closed
    SLOW = "slow"  # every answer is delayed by `seconds`
    DROP = "drop"  # requests are accepted and never answered
    GARBLE = "garble"  # answers are malformed (broken JSON, bad miIO packets)
    NOT_ADVERTISED = "not_advertised"  # gone from mDNS, still answering
    MOVED = "moved"  # answers on `address` instead of its own
    # hosts that speak TCP (Hue, Shelly, Home Assistant, Kasa)
    RESET = "reset"  # every connection is reset (TCP RST) as a request arrives: a crashing service
    # Hue
    LIGHT_UNREACHABLE = "light_unreachable"  # `target` light lost its Zigbee link
    CONNECTIVITY_ISSUE = "connectivity_issue"  # `target` light's zigbee_connectivity says so
    KEY_REVOKED = "key_revoked"  # Hue application key / Shelly password / Tapo account no longer accepted
    # miIO
    WRONG_TOKEN = "wrong_token"  # the device's token changed: requests no longer decrypt
    # Shelly
    OVERPOWER = "overpower"  # `target` relay (index, default 0) tripped on overpower
    # Kasa, Tapo
    RELAY_STUCK = "relay_stuck"  # `target` relay (a strip's outlet 1..n; none: every one) ignores commands
    # Home Assistant
    AUTOMATION_DISABLED = "automation_disabled"  # `target` automation turned off
    INTEGRATION_FAILED = "integration_failed"  # `target` integration's entities unavailable
    # SmartThings (the cloud API)
    DEVICE_OFFLINE = "device_offline"  # `target` device (label or id; none: every one) OFFLINE in its health
    HUB_OFFLINE = "hub_offline"  # the hub OFFLINE, and every device behind it
    COMMAND_IGNORED = "command_ignored"  # `target` device (none: every one) accepts commands and does not act
    SERVER_ERROR = "server_error"  # the cloud answers every request with `target` (a 5xx status, 503 by default)
    RATE_LIMITED = "rate_limited"  # the cloud answers 429, Retry-After `target` seconds (30 by default)


GENERIC_FAULTS = frozenset({
    FaultKind.HOST_DOWN, FaultKind.SLOW, FaultKind.DROP, FaultKind.GARBLE, FaultKind.NOT_ADVERTISED, FaultKind.MOVED,
})


class Fault(BaseModel):
    """One injected fault."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: FaultKind
    target: str | None = Field(default=None, description="The element inside the host it applies to, if any.")
    seconds: float | None = Field(default=None, ge=0, description="For `slow`: the delay.")
    address: str | None = Field(default=None, description="For `moved`: the new 127.0.0.x address.")

    @classmethod
    def parse(cls, text: str) -> Fault:
        """Read the command line's form: `kind`, `kind:target`, `slow:2.5`, `moved:127.0.0.9`."""
        kind, _, argument = text.partition(":")
        kind = FaultKind(kind.strip())
        argument = argument.strip() or None
        if kind is FaultKind.SLOW:
            return cls(kind=kind, seconds=float(argument) if argument else 2.0)
        if kind is FaultKind.MOVED:
            return cls(kind=kind, address=argument)
        return cls(kind=kind, target=argument)


class FaultSet:
    """The faults active on one host. Listeners are told of every change (to close a port,
    withdraw an mDNS record, or push an event), and `drop` holds requests until cleared."""

    def __init__(self) -> None:
        self._faults: list[Fault] = []
        self._listeners: list[Callable[[Fault, bool], None]] = []

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(list(self._faults))

    def add(self, fault: Fault) -> None:
        """Turn a fault on (idempotent)."""
        if fault not in self._faults:
            self._faults.append(fault)
            self._notify(fault, True)

    def remove(self, fault: Fault) -> None:
        """Turn a fault off again."""
        if fault in self._faults:
            self._faults.remove(fault)
            self._notify(fault, False)

    def clear(self) -> None:
        """Turn every fault off."""
        for fault in list(self._faults):
            self.remove(fault)

    def active(self, kind: FaultKind, target: str | None = None) -> Fault | None:
        """The active fault of this kind (for this target, when one is given), if any."""
        for fault in self._faults:
            if fault.kind is kind and (target is None or fault.target in (None, target)):
                return fault
        return None

    def on_change(self, listener: Callable[[Fault, bool], None]) -> None:
        """Call `listener(fault, turned_on)` on every change."""
        self._listeners.append(listener)

    def _notify(self, fault: Fault, on: bool) -> None:
        for listener in self._listeners:
            listener(fault, on)

    async def before_answer(self) -> None:
        """Apply the generic timing faults before a host answers: wait, or never answer."""
        if (slow := self.active(FaultKind.SLOW)) is not None:
            await asyncio.sleep(slow.seconds or 0)
        if self.active(FaultKind.DROP) is not None:
            await asyncio.Event().wait()  # cancelled when the client gives up or the host stops
