"""A device's relays as its `get_sysinfo` reports them, and turning readings into state changes.

The relays are read by the offline reader's own mapping (`iot.iot_fragment` on a document
holding only get_sysinfo), so what a session switches, watches and probes has the ids the
snapshot and the dump give it: `kasa:<deviceId>/switch` for a plug, `…/light` for a dimmer,
`…/outlet:<n>` for a strip's outlet `n` (slot order, from 1).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from weaklink.model import CapabilityKind, StateChange

from .errors import RequestFailed
from .iot_models import SysInfo
from .live_document import fragment_of

_SWITCHING = (CapabilityKind.SWITCH, CapabilityKind.LIGHT)


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
