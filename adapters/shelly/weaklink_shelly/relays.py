"""A relay's state as both generations report it, its capability id, and turning reports into changes.

Capability ids are `shelly:<device id>/switch:<index>` for both generations: `switch:<i>` is
the component name Gen2+ uses (and Home Assistant's Shelly integration), and Gen1's
`relays[i]` (`/relay/<i>`) is the same output. The device itself is `shelly:<device id>`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime

from weaklink.model import StateChange

from .errors import RequestFailed

_CAPABILITY = re.compile(r"^shelly:(?P<device>[^/]+)/switch:(?P<index>\d+)$")


def device_element(device_id: str) -> str:
    """The device's id in the home fragment: `shelly:<device id>`."""
    return f"shelly:{device_id}"


def capability_id(device_id: str, index: int) -> str:
    """Relay `index`'s capability id: `shelly:<device id>/switch:<index>`."""
    return f"{device_element(device_id)}/switch:{index}"


def relay_index(entity_id: str, device_id: str) -> int | None:
    """The relay index a capability id names on device `device_id`, None when it names none of its relays."""
    match = _CAPABILITY.match(entity_id)
    if match is None or match["device"].lower() != device_id.lower():
        return None
    return int(match["index"])


@dataclass(frozen=True)
class RelayState:
    """One output as the device reports it. `on` and `errors` are None in a notification that does not say."""

    index: int
    on: bool | None
    errors: tuple[str, ...] | None = ()
    source: str | None = None
    power_w: float | None = None
    fault_evidence: str = ""  # where the device says it (`relays[0].overpower`, `switch:0.errors`)

    @property
    def state(self) -> str | None:
        """`on` or `off` (None when unknown)."""
        return None if self.on is None else ("on" if self.on else "off")

    def attributes(self, generation: int) -> dict[str, object]:
        """What a capability or state change carries beside its state."""
        attributes: dict[str, object] = {"generation": generation, "errors": list(self.errors or ())}
        if self.source is not None:
            attributes["source"] = self.source
        if self.power_w is not None:
            attributes["power_w"] = self.power_w
        return attributes


@dataclass
class RelayTracker:
    """Remembers each relay's last state and turns new reports into the changes they make."""

    device_id: str
    generation: int
    known: dict[int, RelayState] = field(default_factory=dict)
    unavailable: bool = False

    def update(self, reports: list[RelayState], at: datetime | None = None) -> list[StateChange]:
        """The changes `reports` make (partial reports merge into what is known); the first report sets a baseline."""
        changes = []
        for report in reports:
            before = self.known.get(report.index)
            merged = _merge(before, report)
            if merged.on is None:
                continue
            self.known[report.index] = merged
            if before is not None and (self.unavailable or (before.on, before.errors) != (merged.on, merged.errors)):
                changes.append(self._change(merged, at))
        self.unavailable = False
        return changes

    def lost(self, failure: RequestFailed, at: datetime | None = None) -> list[StateChange]:
        """`unavailable` for every known relay, once, when the device stops answering."""
        if self.unavailable:
            return []
        self.unavailable = True
        attributes = {"layer": failure.layer, "reason": failure.reason, "detail": failure.detail}
        return [StateChange(entity_id=capability_id(self.device_id, index), state="unavailable",
                            at=at or datetime.now(UTC), attributes=attributes) for index in sorted(self.known)]

    def _change(self, relay: RelayState, at: datetime | None) -> StateChange:
        return StateChange(entity_id=capability_id(self.device_id, relay.index), state=relay.state,
                           at=at or datetime.now(UTC), attributes=relay.attributes(self.generation))


def _merge(before: RelayState | None, report: RelayState) -> RelayState:
    """A partial report (a notification naming only what changed) completed from what was known."""
    if before is None:
        return report
    return RelayState(index=report.index, on=before.on if report.on is None else report.on,
                      errors=before.errors if report.errors is None else report.errors,
                      source=report.source or before.source,
                      power_w=before.power_w if report.power_w is None else report.power_w,
                      fault_evidence=report.fault_evidence or before.fault_evidence)
