"""Turning successive readings of an account into the state changes they make.

A capability's state is its main attribute as the snapshot gives it (`on`, `locked`,
`active`…), or `unavailable` while its device's health is OFFLINE, as the snapshot's seed
says it. The first reading is the baseline; after that, a capability whose state differs
from the last reading's is a change. When the cloud cannot be read (no answer, a refused
token, a 5xx) every capability becomes `unavailable` once, with the layer and the reason in
its attributes; the next good reading reports every capability's state again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from weaklink.model import HomeFragment, StateChange

from .errors import RequestFailed

UNAVAILABLE = "unavailable"


@dataclass
class StateTracker:
    """Each capability's last state, and whether the cloud was lost since."""

    known: dict[str, str] = field(default_factory=dict)
    lost: bool = False

    def update(self, fragment: HomeFragment, at: datetime | None = None) -> list[StateChange]:
        """The changes a new reading makes (none for the first one, every state after `lose`)."""
        changes = []
        when = at or datetime.now(UTC)
        for capability in fragment.capabilities:
            state = (capability.state or "unknown") if capability.available else UNAVAILABLE
            before = self.known.get(capability.id)
            self.known[capability.id] = state
            if before is not None and (self.lost or before != state):
                changes.append(StateChange(entity_id=capability.id, state=state, at=when,
                                           attributes=dict(capability.attributes)))
        self.lost = False
        return changes

    def lose(self, failure: RequestFailed, at: datetime | None = None) -> list[StateChange]:
        """`unavailable` for every known capability, once, when the cloud cannot be read."""
        if self.lost:
            return []
        self.lost = True
        attributes: dict[str, object] = {"layer": failure.layer, "reason": failure.reason, "detail": failure.detail}
        when = at or datetime.now(UTC)
        return [StateChange(entity_id=capability_id, state=UNAVAILABLE, at=when, attributes=attributes)
                for capability_id in sorted(self.known)]
