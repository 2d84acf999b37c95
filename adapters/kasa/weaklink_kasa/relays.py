"""A device's relays as its `get_sysinfo` reports them, and turning readings into state changes.

The relays are read by the offline reader's own mapping (`iot.iot_fragment` on a document
holding only get_sysinfo), so what a session switches, watches and probes has the ids the
snapshot and the dump give it: `kasa:<deviceId>/switch` for a plug, `…/light` for a dimmer,
`…/outlet:<n>` for a strip's outlet `n` (slot order, from 1).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from weaklink.errors import UnknownElementError
from weaklink.model import CapabilityKind, StateChange

from .errors import IdentityMismatch, RequestFailed
from .iot_models import SysInfo
from .live_document import fragment_of

_SWITCHING = (CapabilityKind.SWITCH, CapabilityKind.LIGHT)
RETRY_DELAYS = (0.5, 1.0, 2.0, 5.0)  # seconds before reading again after the device stopped answering
SERVICES = ("turn_on", "turn_off", "toggle")


@dataclass(frozen=True)
class Command:
    """A relay state a session commanded, not yet seen reported."""

    on: bool
    at: datetime


@dataclass(frozen=True)
class Relay:
    """One output: a plug's relay, a dimmer's, a strip outlet, or a bulb's light (which the
    legacy `set_relay_state` does not switch)."""

    capability_id: str
    name: str
    on: bool | None
    child_id: str | None  # a strip outlet's id, for the request's context
    switchable: bool
    attributes: dict[str, Any] = field(default_factory=dict)

    @property
    def state(self) -> str | None:
        """`on` or `off` (None when unknown)."""
        return None if self.on is None else ("on" if self.on else "off")


def relays_of(sysinfo: dict[str, Any], parsed: SysInfo, where: str) -> list[Relay]:
    """Every output the device reports, in the order the offline reader lists them."""
    fragment = fragment_of({"system": {"get_sysinfo": sysinfo}}, where)
    relays = []
    for capability in fragment.capabilities:
        if capability.kind not in _SWITCHING:
            continue
        outlet = capability.id.rpartition("/")[2].startswith("outlet:")
        relays.append(Relay(
            capability_id=capability.id, name=capability.name or capability.id,
            on=None if capability.state is None else capability.state == "on",
            child_id=capability.unique_id if outlet else None,
            switchable=outlet or parsed.relay_state is not None, attributes=dict(capability.attributes)))
    return relays


@dataclass
class RelayTracker:
    """Remembers each relay's last state and turns new readings into the changes they make."""

    known: dict[str, Relay] = field(default_factory=dict)
    unavailable: bool = False

    def update(self, relays: list[Relay], at: datetime | None = None) -> list[StateChange]:
        """The changes `relays` make; the first reading sets a baseline (and one after `lost`, reports all)."""
        changes = []
        for relay in relays:
            before = self.known.get(relay.capability_id)
            self.known[relay.capability_id] = relay
            if before is not None and (self.unavailable or (before.on, before.attributes) != (relay.on, relay.attributes)):
                changes.append(StateChange(entity_id=relay.capability_id, state=relay.state or "unknown",
                                           at=at or datetime.now(UTC), attributes=dict(relay.attributes)))
        self.unavailable = False
        return changes

    def lost(self, failure: RequestFailed, at: datetime | None = None) -> list[StateChange]:
        """`unavailable` for every known relay, once, when the device stops answering."""
        if self.unavailable:
            return []
        self.unavailable = True
        attributes: dict[str, object] = {"layer": failure.layer, "reason": failure.reason, "detail": failure.detail}
        return [StateChange(entity_id=capability_id, state="unavailable", at=at or datetime.now(UTC),
                            attributes=attributes) for capability_id in sorted(self.known)]


def forget_carried_out(commanded: dict[str, Command], relays: list[Relay]) -> list[Relay]:
    """`relays`, after forgetting the commands they now show carried out: a probe that still sees one
    says the relay does not follow commands."""
    for relay in relays:
        command = commanded.get(relay.capability_id)
        if command is not None and relay.on == command.on:
            del commanded[relay.capability_id]
    return relays


def wanted_state(relays: list[Relay], entity_id: str, service: str, *, brand: str, describe: str) -> tuple[Relay, bool]:
    """The relay `entity_id` names and the state `service` (`turn_on`, `turn_off`, `toggle`; a domain
    prefix is ignored) asks of it; UnknownElementError for a relay or a service there is not."""
    relay = next((r for r in relays if r.capability_id == entity_id), None)
    if relay is None:
        known = ", ".join(r.capability_id for r in relays if r.switchable) or "none"
        raise UnknownElementError(f"{entity_id} is not a relay of {describe} (it has: {known})")
    action = service.rpartition(".")[2]
    if action not in SERVICES:
        raise UnknownElementError(f"a {brand} relay cannot {service!r}: it can {', '.join(SERVICES)}")
    return relay, (not relay.on) if action == "toggle" else action == "turn_on"


async def poll_relays(read: Callable[[], Awaitable[list[Relay]]],
                      poll_interval: float) -> AsyncIterator[StateChange]:
    """Relay changes, by calling `read` every `poll_interval` seconds. A device that stops answering,
    or is no longer the one expected, makes every relay `unavailable` once (attributes say the layer
    and why); it is then read again, backing off, and its relays' states are reported when it answers."""
    tracker = RelayTracker()
    failures = 0
    while True:
        try:
            relays = await read()
        except (RequestFailed, IdentityMismatch) as error:
            failure = error if isinstance(error, RequestFailed) else RequestFailed("network", "moved", str(error))
            for change in tracker.lost(failure):
                yield change
            await asyncio.sleep(RETRY_DELAYS[min(failures, len(RETRY_DELAYS) - 1)])
            failures += 1
            continue
        failures = 0
        for change in tracker.update(relays):
            yield change
        await asyncio.sleep(poll_interval)
