"""What the tracer asks of a recorded history, whatever stores it.

An adapter that can read a platform's history (Home Assistant's recorder database, say)
returns an object with these methods. Every method streams: implementations must answer
through the store's indexes and never load a whole history into memory.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Protocol, runtime_checkable

from .model import EventRecord, StateChange


@runtime_checkable
class History(Protocol):
    """A time-ordered record of states and events, queried by entity, type and window."""

    source: str
    """Where the history is read from (a path), for evidence and error messages."""

    def span(self) -> tuple[datetime, datetime] | None:
        """The first and last time anything was recorded, or None when empty."""
        ...

    def state_changes(
        self, entity_ids: Iterable[str], start: datetime, end: datetime
    ) -> Iterator[StateChange]:
        """Recorded states of these entities written in [start, end], oldest first."""
        ...

    def state_at(self, entity_id: str, when: datetime) -> StateChange | None:
        """The state the entity had at `when`: the last row written at or before it."""
        ...

    def events(
        self, event_types: Iterable[str], start: datetime, end: datetime
    ) -> Iterator[EventRecord]:
        """Recorded events of these types fired in [start, end], oldest first."""
        ...

    def by_context(self, context_ids: Iterable[str]) -> Iterator[StateChange | EventRecord]:
        """States and events whose context id or context parent id is one of these."""
        ...

    def close(self) -> None:
        """Release the underlying store."""
        ...


def service_call_targets(data: dict[str, object]) -> set[str]:
    """Entity ids a recorded `call_service` event targeted (in its service data or target)."""
    found: set[str] = set()
    for holder in (data.get("service_data"), data.get("target"), data):
        if isinstance(holder, dict):
            value = holder.get("entity_id")
            if isinstance(value, str):
                found.add(value)
            elif isinstance(value, list):
                found.update(str(v) for v in value)
    return found
